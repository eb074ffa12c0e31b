"""NearDupStore: clusters across runs on real Delta tables under tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from datasketch import LeanMinHash, MinHash
from deltalake import DeltaTable, write_deltalake

from pipelines.dedupe import store as store_mod
from pipelines.dedupe.minhash import NUM_PERM, SEED
from pipelines.dedupe.normalize import dedupe_key, shingle_hash32, shingles
from pipelines.dedupe.probes import (
    make_probes,
    probe_matches,
    sketch_matches_needed,
    take_rows,
)
from pipelines.dedupe.requests import request_key
from pipelines.dedupe.store import NearDupStore, cluster_name, cluster_ref

T0 = datetime(2025, 3, 1, 10, tzinfo=UTC)
BOOK = "boka möte med <PERSON> på <DATE> klockan tio"
WEATHER = "vad blir vädret i göteborg i morgon"


def _batch(rows: list[tuple[str, datetime, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "ts": [r[1] for r in rows],
            "text": [r[2] for r in rows],
        },
        schema={"event_id": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "text": pl.Utf8},
    )


def _by_id(frame: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {row["event_id"]: row for row in frame.iter_rows(named=True)}


def test_first_batch_clusters_within_itself(tmp_path: Path) -> None:
    store = NearDupStore(str(tmp_path / "nd"))
    out = store.assign(
        _batch(
            [
                ("b", T0 + timedelta(minutes=5), BOOK.upper() + "!"),
                ("a", T0, BOOK),
                ("w", T0 + timedelta(minutes=1), WEATHER),
                ("e", T0 + timedelta(minutes=2), ""),
            ]
        )
    )
    assert out["event_id"].to_list() == ["b", "a", "w", "e"]  # input order
    rows = _by_id(out)
    assert rows["a"]["cluster_id"] == rows["b"]["cluster_id"] == cluster_name(cluster_ref("a"))
    assert rows["a"]["is_representative"] and not rows["b"]["is_representative"]
    assert rows["a"]["cluster_size"] == rows["b"]["cluster_size"] == 2
    assert rows["w"]["cluster_size"] == 1 and rows["w"]["is_representative"]
    assert rows["e"]["cluster_size"] == 1 and rows["e"]["is_representative"]


def test_later_runs_join_stored_clusters_and_count_them(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    first = NearDupStore(path).assign(_batch([("a", T0, BOOK), ("w", T0, WEATHER)]))
    later = T0 + timedelta(days=3)
    second = NearDupStore(path).assign(
        _batch(
            [
                ("c", later, "snälla boka möte med <PERSON> på <DATE> klockan tio"),
                (
                    "d",
                    later + timedelta(minutes=1),
                    "Boka möte med <PERSON> på <DATE>, klockan tio.",
                ),
                ("x", later, "spela lugn musik i köket"),
            ]
        )
    )
    a = _by_id(first)["a"]
    rows = _by_id(second)
    assert rows["c"]["cluster_id"] == rows["d"]["cluster_id"] == a["cluster_id"]
    assert not rows["c"]["is_representative"] and not rows["d"]["is_representative"]
    assert rows["c"]["cluster_size"] == 3
    assert rows["x"]["is_representative"] and rows["x"]["cluster_size"] == 1


def test_reassigning_stores_nothing_and_answers_the_current_labels(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    batch = _batch(
        [("a", T0, BOOK), ("b", T0 + timedelta(minutes=1), BOOK + "!"), ("w", T0, WEATHER)]
    )
    store = NearDupStore(path)
    first = store.assign(batch)
    NearDupStore(path).assign(_batch([("c", T0 + timedelta(hours=2), BOOK)]))
    again = NearDupStore(path).assign(batch.reverse())
    assert store.stored_events(["event_id"]).height == 4
    grown = first.with_columns(
        pl.when(pl.col("event_id") == "w").then(1).otherwise(3).alias("cluster_size")
    )
    assert again.sort("event_id").equals(grown.sort("event_id"))  # c joined a and b


def test_duplicate_ids_in_one_batch_get_one_answer(tmp_path: Path) -> None:
    out = NearDupStore(str(tmp_path / "nd")).assign(_batch([("a", T0, BOOK), ("a", T0, BOOK)]))
    assert out.height == 2
    assert out["cluster_size"].to_list() == [1, 1]


def test_history_outside_the_window_is_not_matched(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    NearDupStore(path, window_days=2).assign(_batch([("a", T0, BOOK)]))
    near = NearDupStore(path, window_days=2).assign(_batch([("b", T0 + timedelta(days=2), BOOK)]))
    far = NearDupStore(path, window_days=2).assign(_batch([("c", T0 + timedelta(days=5), BOOK)]))
    assert near["cluster_id"][0] == cluster_name(cluster_ref("a"))
    assert far["cluster_id"][0] == cluster_name(cluster_ref("c"))
    assert far["is_representative"][0]


def test_arrow_input_naive_time_and_compaction(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    store = NearDupStore(path)
    naive = T0.replace(tzinfo=None)
    for hour in range(3):
        table = pa.table(
            {
                "event_id": [f"e{hour}"],
                "ts": pa.array([naive + timedelta(hours=hour)], pa.timestamp("us")),
                "text": [BOOK],
            }
        )
        out = store.assign(table)
        assert out["cluster_id"][0] == cluster_name(cluster_ref("e0"))
    assert store.compact() == 1  # the one day, written in three appends
    after = store.assign(_batch([("e9", T0 + timedelta(hours=9), BOOK)]))
    assert after["cluster_size"][0] == 4


def test_stored_signatures_are_datasketch_minhashes(tmp_path: Path) -> None:
    store = NearDupStore(str(tmp_path / "nd"))
    store.assign(_batch([("a", T0, BOOK)]))
    sig = np.frombuffer(store.stored_events(["sig"])["sig"][0], dtype="<u4")
    reference = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=shingle_hash32)
    for s in shingles(request_key(BOOK)):
        reference.update(s)
    lean = LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")
    assert lean.jaccard(reference) == 1.0


def test_probe_matching_verifies_with_the_sketch() -> None:
    from pipelines.dedupe.lsh import band_hashes
    from pipelines.dedupe.minhash import signatures

    keys = [dedupe_key(BOOK), dedupe_key(BOOK + " nu"), dedupe_key(WEATHER)]
    sig = signatures(keys)
    probes = make_probes(sig, band_hashes(sig))
    doc, row = probe_matches(take_rows(probes, np.array([0])), probes, threshold=0.5)
    assert sorted(row.tolist()) == [0, 1]
    assert set(doc.tolist()) == {0}
    assert sketch_matches_needed(1.0) == NUM_PERM
    assert sketch_matches_needed(0.5) == 34


def _files_per_day(path: str) -> dict[str, int]:
    actions = pa.table(DeltaTable(path).get_add_actions(flatten=True)).to_pylist()
    counts: dict[str, int] = {}
    for action in actions:
        counts[action["partition.day"]] = counts.get(action["partition.day"], 0) + 1
    return counts


def test_a_new_day_compacts_the_closed_one(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    store = NearDupStore(path)
    for hour in range(3):
        store.assign(_batch([(f"h{hour}", T0 + timedelta(hours=hour), f"{WEATHER}{'!' * hour}")]))
    assert _files_per_day(path) == {"2025-03-01": 3}
    out = store.assign(_batch([("next", T0 + timedelta(days=1), WEATHER)]))
    assert _files_per_day(path) == {"2025-03-01": 1, "2025-03-02": 1}
    assert out["cluster_id"][0] == cluster_name(cluster_ref("h0"))
    assert store.stored_events(["event_id"]).height == 4


def test_a_day_larger_than_one_file_is_compacted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed day bigger than the target file size is several files once compacted; later
    hours must not rewrite it again (at a million events a day that was ~450 MB an hour)."""
    monkeypatch.setattr(store_mod, "FILE_BYTES", 16 * 1024)
    monkeypatch.setattr(store_mod, "ROW_GROUP_ROWS", 16)
    path = str(tmp_path / "nd")
    store = NearDupStore(path)
    for hour in range(4):
        rows = [
            (f"h{hour}-{i}", T0 + timedelta(hours=hour, seconds=i), f"{WEATHER} {hour} {i}")
            for i in range(40)
        ]
        store.assign(_batch(rows))
    store.assign(_batch([("next", T0 + timedelta(days=1), WEATHER)]))
    compacted = DeltaTable(path).get_add_actions(flatten=True)
    first_day = [
        (a["path"], a["size_bytes"])
        for a in pa.table(compacted).to_pylist()
        if a["partition.day"] == "2025-03-01"
    ]
    assert len(first_day) > 1  # several files of the target size, not one
    assert sum(size < 8 * 1024 for _, size in first_day) <= 1
    store.assign(_batch([("later", T0 + timedelta(days=1, hours=1), BOOK)]))
    again = pa.table(DeltaTable(path).get_add_actions(flatten=True)).to_pylist()
    assert sorted(a["path"] for a in again if a["partition.day"] == "2025-03-01") == sorted(
        p for p, _ in first_day
    )
    assert store.stored_events(["event_id"]).height == 4 * 40 + 2


def test_expired_days_are_forgotten(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    store = NearDupStore(path)
    store.assign(_batch([("old", T0, BOOK)]))
    store.expire("2025-03-02")
    out = store.assign(_batch([("new", T0 + timedelta(days=1), BOOK)]))
    assert out["is_representative"][0]
    assert store.stored_events(["event_id"])["event_id"].to_list() == ["new"]


def test_a_store_of_another_configuration_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "nd")
    write_deltalake(path, pa.table({"x": [1]}), description="something else")
    with pytest.raises(ValueError, match="another configuration"):
        NearDupStore(path).assign(_batch([("a", T0, BOOK)]))


def test_an_outdated_store_is_refused_until_reset(tmp_path: Path) -> None:
    from pipelines.dedupe.store import StoreOutdated

    path = str(tmp_path / "nd")
    store = NearDupStore(path)
    store.assign(_batch([("a", T0, BOOK)]))
    DeltaTable(path).alter.set_table_description("kvarn near-duplicate state v1 older-config")
    with pytest.raises(StoreOutdated, match="reset it"):
        store.assign(_batch([("b", T0, BOOK)]))
    store.reset()
    assert store.stored_events(["event_id"]).height == 0
    out = store.assign(_batch([("b", T0, BOOK)]))
    assert out["is_representative"][0]
