"""Clusters are a function of the data: the order and grouping of batches never matter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from pipelines.dedupe import NearDupStore
from pipelines.dedupe import store as store_mod
from pipelines.dedupe.store import cluster_name, cluster_ref, event_days

SCHEMA = {"event_id": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "text": pl.Utf8, "hour": pl.Utf8}
T0 = datetime(2025, 9, 1, tzinfo=UTC)
TEMPLATES = [
    "tänd lampan i {}",
    "boka möte med <PERSON> <DATE> om {}",
    "spela {} på spotify nu direkt",
    "vad blir vädret i {} i helgen",
    "lägg {} på inköpslistan",
]
WORDS = ["köket", "hallen", "budgeten", "jazz", "göteborg", "mjölk", "kaffe", "sovrummet"]


def _hours(seed: int, hours: int, per_hour: int, step: timedelta) -> list[pl.DataFrame]:
    rng = random.Random(seed)
    out = []
    for h in range(hours):
        start = T0 + h * step
        rows = []
        for i in range(per_hour):
            text = rng.choice(TEMPLATES).format(rng.choice(WORDS))
            if rng.random() < 0.3:
                text = text.upper() if rng.random() < 0.5 else text + " tack"
            rows.append(
                {
                    "event_id": f"e{h}-{i}",
                    "ts": start + timedelta(seconds=rng.randrange(3600)),
                    "text": text,
                    "hour": start.strftime("%Y-%m-%dT%H"),
                }
            )
        out.append(pl.DataFrame(rows, schema=SCHEMA))
    return out


def _final(path: Path, batches: list[pl.DataFrame], window_days: int = 30) -> pl.DataFrame:
    store = NearDupStore(str(path), window_days=window_days)
    for batch in batches:
        store.assign(batch)
    return store.labels().sort("event_id")


@pytest.mark.parametrize(("step", "window"), [(timedelta(hours=1), 30), (timedelta(days=1), 2)])
def test_forward_reverse_and_shuffled_batches_end_in_the_same_clusters(
    tmp_path: Path, step: timedelta, window: int
) -> None:
    batches = _hours(5, hours=8, per_hour=60, step=step)
    forward = _final(tmp_path / "forward", batches, window)
    reverse = _final(tmp_path / "reverse", batches[::-1], window)
    shuffled = list(batches)
    random.Random(1).shuffle(shuffled)
    mixed = _final(tmp_path / "mixed", shuffled, window)
    assert forward.height == 8 * 60
    assert forward.equals(reverse)
    assert forward.equals(mixed)
    assert forward["cluster_size"].max() > 10  # templates really cluster across batches


def test_days_rewritten_in_small_files_and_row_groups_end_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relabelling and compaction stream a day a row group at a time into bounded files: with
    tiny files and row groups, reverse order (takeovers rewrite earlier days) ends the same."""
    batches = _hours(9, hours=6, per_hour=50, step=timedelta(hours=7))
    reference = _final(tmp_path / "reference", batches)
    monkeypatch.setattr(store_mod, "FILE_BYTES", 8 * 1024)
    monkeypatch.setattr(store_mod, "ROW_GROUP_ROWS", 8)
    small = _final(tmp_path / "small", batches[::-1])
    assert reference.equals(small)
    assert reference["cluster_size"].max() > 10


def test_labels_of_some_events_equal_their_clusters_members_labels(tmp_path: Path) -> None:
    """``labels_of`` (some hours' own rows, sizes counted on refs) answers what ``members``
    (every member read) answers for the same events, with or without a cluster filter."""
    batches = _hours(3, hours=5, per_hour=40, step=timedelta(hours=5))
    store = NearDupStore(str(tmp_path / "nd"))
    for batch in batches[::-1]:
        store.assign(batch)
    everything = store.labels().sort("event_id")
    some = pl.concat([batches[1], batches[3]])
    hours, days = some["hour"].unique().to_list(), event_days(some)
    expected = everything.filter(pl.col("event_id").is_in(some["event_id"].implode()))
    assert store.labels_of(hours, days).sort("event_id").equals(expected)
    refs = {cluster_ref(e) for e in everything.filter("is_representative")["event_id"][:3]}
    by_refs = store.members(refs).sort("event_id")
    census = store.census(refs)
    in_refs = store.labels_of(hours, days, refs, census.sizes).sort("event_id")
    assert in_refs.height > 0
    assert in_refs.equals(by_refs.filter(pl.col("event_id").is_in(some["event_id"].implode())))
    assert census.per_hour == dict(by_refs.group_by("hour").len().iter_rows())
    sizes = {cluster_name(ref): n for ref, n in census.sizes.items()}
    assert sizes == dict(by_refs.group_by("cluster_id").len().iter_rows())
    assert all(days == {hour[:10]} for hour, days in census.days.items())
    assert sum(store.census(None).per_hour.values()) == everything.height


def test_an_earlier_event_takes_the_representative_over(tmp_path: Path) -> None:
    store = NearDupStore(str(tmp_path / "nd"))
    text = "tänd lampan i köket tack"
    later = pl.DataFrame(
        [{"event_id": "late", "ts": T0 + timedelta(hours=5), "text": text, "hour": "h5"}],
        schema=SCHEMA,
    )
    earlier = pl.DataFrame(
        [{"event_id": "early", "ts": T0, "text": text + "!", "hour": "h0"}], schema=SCHEMA
    )
    store.assign(later)
    done = store.assign_batch(earlier)
    rep = cluster_name(cluster_ref("early"))
    assert done.labels.row(0, named=True) == {
        "event_id": "early", "cluster_id": rep, "cluster_size": 2, "is_representative": True,
    }  # fmt: skip
    assert done.changed.row(0, named=True) == {
        "hour": "h5", "event_id": "late", "cluster_id": rep, "cluster_size": 2,
        "is_representative": False,
    }  # fmt: skip


def test_a_bridge_merges_two_clusters_and_relabels_the_later_one(tmp_path: Path) -> None:
    store = NearDupStore(str(tmp_path / "nd"), threshold=0.8)
    left = "mötet med anna på fredag klockan tio hölls i stora rummet"  # not requests
    right = "mötet med anna på fredag klockan tio hölls i lilla rummet igen"
    one = store.assign(
        pl.DataFrame(
            [
                {"event_id": "r", "ts": T0, "text": right, "hour": "h0"},
                {"event_id": "l", "ts": T0 + timedelta(minutes=1), "text": left, "hour": "h0"},
            ],
            schema=SCHEMA,
        )
    )
    assert one["cluster_id"][0] != one["cluster_id"][1]
    bridge = "mötet med anna på fredag klockan tio hölls i rummet"
    two = NearDupStore(str(tmp_path / "nd"), threshold=0.6).assign_batch(
        pl.DataFrame(
            [{"event_id": "m", "ts": T0 + timedelta(hours=1), "text": bridge, "hour": "h1"}],
            schema=SCHEMA,
        )
    )
    rep = cluster_name(cluster_ref("r"))  # r is the earliest member
    assert two.labels["cluster_id"].to_list() == [rep]
    changed = {row["event_id"]: row for row in two.changed.iter_rows(named=True)}
    assert changed["l"]["cluster_id"] == changed["r"]["cluster_id"] == rep
    assert changed["l"]["cluster_size"] == 3 and changed["r"]["is_representative"]


def test_removing_events_ends_as_if_they_never_arrived(tmp_path: Path) -> None:
    batches = _hours(7, hours=6, per_hour=50, step=timedelta(hours=1))
    rng = random.Random(2)
    every = [e for b in batches for e in b["event_id"].to_list()]
    gone = set(rng.sample(every, 60))
    store = NearDupStore(str(tmp_path / "all"))
    for batch in batches:
        store.assign(batch)
    changed = store.remove(sorted(gone))
    fresh = _final(tmp_path / "fresh", [b.filter(~pl.col("event_id").is_in(gone)) for b in batches])
    after = store.labels().sort("event_id")
    assert after.height == len(every) - len(gone)
    assert after.equals(fresh)
    assert changed.height > 0 and set(changed["event_id"]) <= set(after["event_id"])


def test_a_removed_bridge_splits_and_a_removed_representative_hands_over(tmp_path: Path) -> None:
    store = NearDupStore(str(tmp_path / "nd"), threshold=0.4)
    left = "mötet med anna och bertil på fredag klockan tio"  # not requests: 4-gram links
    right = "klockan tio hölls mötet i lilla rummet på andra våningen"
    bridge = f"{left} hölls i lilla rummet på andra våningen"
    rows = [("l", 0, left), ("r", 1, right), ("m", 2, bridge), ("l2", 3, left + "!")]
    for event_id, hour, text in rows:
        row = {"event_id": event_id, "ts": T0 + timedelta(hours=hour), "text": text,
               "hour": f"h{hour}"}  # fmt: skip
        store.assign(pl.DataFrame([row], schema=SCHEMA))
    assert store.labels()["cluster_id"].n_unique() == 1
    store.remove(["m"])
    labels = {r["event_id"]: r for r in store.labels().iter_rows(named=True)}
    assert labels["l"]["cluster_id"] == labels["l2"]["cluster_id"] != labels["r"]["cluster_id"]
    assert labels["r"]["is_representative"] and labels["r"]["cluster_size"] == 1
    store.remove(["l"])
    (l2,) = [r for r in store.labels().iter_rows(named=True) if r["event_id"] == "l2"]
    assert l2["is_representative"] and l2["cluster_id"] == cluster_name(cluster_ref("l2"))


def test_expiring_days_keeps_the_remaining_clusters_true(tmp_path: Path) -> None:
    batches = _hours(8, hours=4, per_hour=40, step=timedelta(days=1))
    store = NearDupStore(str(tmp_path / "nd"), window_days=2)
    for batch in batches:
        store.assign(batch)
    store.expire((T0 + timedelta(days=2)).date().isoformat())
    fresh = _final(tmp_path / "fresh", batches[2:], window_days=2)
    assert store.labels().sort("event_id").equals(fresh)
