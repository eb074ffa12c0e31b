"""What keeps an hourly run from slowing down as hours accumulate: short Delta log replay,
a compacted seen-hash table, and trace checks that read their own hour of silver."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

import pipelines.exact_dedupe as exact_dedupe
from pipelines.config import LakeConfig
from pipelines.exact_dedupe import claim_hashes
from pipelines.gold import trace
from pipelines.io import delta


def test_tables_checkpoint_every_few_commits(tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    for hour in range(12):
        frame = pl.DataFrame({"hour": [f"h{hour:02d}"], "x": [hour]})
        delta.overwrite_partition(path, frame, "hour", f"h{hour:02d}", stats_columns=["hour"])
    dt = DeltaTable(path)
    assert dt.metadata().configuration["delta.checkpointInterval"] == delta.CHECKPOINT_INTERVAL
    checkpoints = sorted(p.name for p in (tmp_path / "t" / "_delta_log").glob("*.checkpoint*"))
    assert checkpoints == ["00000000000000000009.checkpoint.parquet"]  # the tenth commit
    assert sorted(delta.read_table(path)["x"].to_list()) == list(range(12))  # type: ignore[index]


def _claims(hour: str, ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"event_id": ids, "source_file": ["f"] * len(ids), "line_no": [1] * len(ids)}
    )


def test_the_seen_hash_table_is_compacted_and_keeps_every_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exact_dedupe, "MAX_FILES", 20)
    path = str(tmp_path / "seen")
    hex_digits = "0123456789abcdef"
    for h in range(3):  # every hour claims one id in each of the 16 buckets
        ids = [f"{d}{h:031x}" for d in hex_digits]
        assert claim_hashes(path, f"2025-01-01T{h:02d}", _claims("", ids)).newly_claimed == 16
    dt = DeltaTable(path)
    assert len(dt.file_uris()) <= 20  # 48 files after three hours, compacted to one per bucket
    seen = delta.read_table(path)
    assert seen is not None and seen.height == 48
    again = claim_hashes(path, "2025-01-01T05", _claims("", [f"a{1:031x}", "f" * 32]))
    assert again.dropped_seen == 1 and again.newly_claimed == 1


def test_candidate_trace_looks_in_its_own_hour_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    turns = cfg.table("silver", "turns")
    for hour, ids in (("2025-01-01T00", ["a", "b"]), ("2025-01-01T01", ["c"])):
        delta.overwrite_partition(
            turns, pl.DataFrame({"event_id": ids, "hour": hour}), "hour", hour
        )
    scopes: list[list[tuple[str, str, object]]] = []
    real = trace._missing

    def spy(cfg: LakeConfig, wanted: set[str], scope: list[tuple[str, str, object]]) -> set[str]:
        scopes.append(scope)
        return real(cfg, wanted, scope)

    monkeypatch.setattr(trace, "_missing", spy)
    assert trace.missing_events(cfg, ["a", "b"], ["2025-01-01T00"]) == set()
    assert scopes == [[("hour", "in", ["2025-01-01T00"])], []]  # the full pass had nothing to do
    # An id from another hour is still found, and a wrong one still reported.
    assert trace.missing_events(cfg, ["a", "c", "zz"], ["2025-01-01T00"]) == {"zz"}


def test_an_older_table_gets_the_interval_on_its_next_write(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    path = str(tmp_path / "old")
    old = pl.DataFrame({"hour": ["h0"], "x": [0]}).to_arrow()
    write_deltalake(path, old, partition_by=["hour"])
    assert "delta.checkpointInterval" not in DeltaTable(path).metadata().configuration
    delta.overwrite_partition(path, pl.DataFrame({"hour": ["h1"], "x": [1]}), "hour", "h1")
    config = DeltaTable(path).metadata().configuration
    assert config["delta.checkpointInterval"] == delta.CHECKPOINT_INTERVAL
    assert sorted(delta.read_table(path)["x"].to_list()) == [0, 1]  # type: ignore[index]
