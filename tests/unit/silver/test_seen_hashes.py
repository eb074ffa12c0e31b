"""Seen-hash claims: hourly cost stays bounded as the lake fills."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from pipelines.io import delta
from pipelines.silver.seen_hashes import claim_hashes, migrate_layout


def test_seen_hashes_append_per_hour_and_compact_closed_days(tmp_path: Path) -> None:
    path = str(tmp_path / "seen")
    for h in range(3):
        ids = [f"{d}{h:031x}" for d in "0123456789abcdef"]
        assert claim_hashes(path, f"2025-01-01T{h:02d}", _claims(ids)).newly_claimed == 16
    assert _files_per_day(path) == {"2025-01-01": 3}  # one append per hour, no merge
    rerun = claim_hashes(path, "2025-01-01T01", _claims([f"a{1:031x}"]))
    assert rerun.keep.height == 1 and rerun.newly_claimed == 0  # its own claim, nothing written
    next_day = claim_hashes(path, "2025-01-02T00", _claims([f"a{1:031x}", "f" * 32]))
    assert next_day.dropped_seen == 1 and next_day.newly_claimed == 1
    assert _files_per_day(path) == {"2025-01-01": 1, "2025-01-02": 1}
    seen = delta.read_table(path)
    assert seen is not None and seen.height == 49


def test_a_bucket_partitioned_table_is_migrated_once(tmp_path: Path) -> None:
    path = str(tmp_path / "seen")
    old = pl.DataFrame(
        {
            "bucket": ["a", "b"],
            "event_id": ["a" * 32, "b" * 32],
            "first_hour": ["2025-01-01T03", "2025-01-02T04"],
            "first_source_file": ["f", "f"],
            "first_line_no": [1, 2],
            "claimed_at": [datetime(2025, 1, 1, tzinfo=UTC)] * 2,
        }
    )
    write_deltalake(path, old.to_arrow(), partition_by=["bucket"])
    out = claim_hashes(path, "2025-01-03T00", _claims(["a" * 32, "c" * 32]))
    assert out.dropped_seen == 1 and out.newly_claimed == 1
    dt = DeltaTable(path)
    assert dt.metadata().partition_columns == ["day"]
    assert dt.metadata().configuration["delta.checkpointInterval"] == delta.CHECKPOINT_INTERVAL
    seen = delta.read_table(path)
    assert seen is not None
    assert sorted(seen["event_id"]) == ["a" * 32, "b" * 32, "c" * 32]
    assert "bucket" not in seen.columns
    assert not migrate_layout(dt, path)  # already done


def _claims(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"event_id": ids, "source_file": ["f"] * len(ids), "line_no": [1] * len(ids)}
    )


def _files_per_day(path: str) -> dict[str, int]:
    actions = pl.from_arrow(pa.table(DeltaTable(path).get_add_actions(flatten=True)))
    assert isinstance(actions, pl.DataFrame)
    return dict(actions.group_by("partition.day").len().iter_rows())
