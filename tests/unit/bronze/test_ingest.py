"""Bronze ingest: every line lands in exactly one table, with a reason when quarantined."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines.bronze import ingest
from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.ingest import all_owner_hours, ingest_hour
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from tests.factories import line, turn, write_landing


def _broken_file(root: Path) -> int:
    """A file with every kind of breakage; returns the number of lines written."""
    ok1 = turn("2025-09-01T10:15:00.000Z", turn_id="t1")
    ok2 = turn("2025-09-01T10:20:00+02:00", turn_id="t2")  # 08:20 UTC
    epoch = turn(1756721700000, turn_id="t3")  # 2025-09-01T10:15:00Z as epoch ms
    bad_schema = turn(turn_id="t4")
    del bad_schema["input"]["text"]  # a turn without its utterance
    wrong_type = turn(turn_id="t5")
    wrong_type["nlu"]["confidence"] = "hög"
    v2 = turn(turn_id="t6")
    v2["v"] = 2
    too_late = turn("2025-08-20T10:00:00Z", turn_id="t7")
    lines = [
        line(ok1),
        b"{not json",
        line(ok2),
        b"",
        b"[1, 2]",
        line(bad_schema),
        line(wrong_type),
        line(v2),
        b'{"v": 1, "text": "\xff\xfe trasig"}',
        line(epoch),
        line(too_late),
        b"   ",
        line(ok1),  # exact re-delivery
        line(turn(turn_id="t8"))[:40],  # truncated, last line, no newline
    ]
    write_landing(root, "2025-09-01", "alice-a-0.jsonl", lines, terminated=False)
    return len(lines)


def test_every_line_lands_in_exactly_one_table(tmp_path: Path) -> None:
    n = _broken_file(tmp_path)
    cfg = LakeConfig(data_dir=str(tmp_path))
    telemetry = str(tmp_path / "telemetry")
    hours = all_owner_hours(telemetry, day_dirs(telemetry))
    assert "2025-09-01T10" in hours and "2025-09-01T08" in hours
    cfg = LakeConfig(data_dir=str(tmp_path), lake_override=str(tmp_path / "lake"))
    (tmp_path / "landing").mkdir()
    (tmp_path / "telemetry").rename(tmp_path / "landing" / "telemetry")
    for hour in hours:
        build_bronze_hour(cfg, hour)
    events = delta.read_table(cfg.table("bronze", "events"))
    quarantine = delta.read_table(cfg.table("bronze", "quarantine"))
    assert events is not None and quarantine is not None
    assert events.height + quarantine.height == n
    keys = pl.concat([events.select("source_file", "line_no"),
                      quarantine.select("source_file", "line_no")])  # fmt: skip
    assert keys.unique().height == n
    reasons = dict(quarantine.group_by("reason").len().iter_rows())
    assert reasons == {
        "invalid JSON": 1,
        "empty line": 2,
        "not a JSON object": 1,
        "schema violation": 2,
        "unsupported schema version": 1,
        "invalid UTF-8": 1,
        "outside late-arrival window": 1,
        "truncated line": 1,
    }
    assert events.height == 4  # t1, t2, t3 and the re-delivery of t1
    assert events["hash_ok"].all()
    bad_utf8 = quarantine.filter(pl.col("reason") == "invalid UTF-8")
    assert b"\xff\xfe" in bad_utf8["raw"][0]


def test_quarantine_detail_never_echoes_values(tmp_path: Path) -> None:
    ev = turn(turn_id="t1")
    ev["nlu"]["confidence"] = "Anna Svensson 19121212-1212"
    write_landing(tmp_path, "2025-09-01", "p.jsonl", [line(ev)])
    res = ingest_hour(str(tmp_path / "telemetry"), "2025-09-01T10")
    assert res.quarantine.height == 1
    detail = res.quarantine["detail"][0]
    assert "Anna" not in detail and "1212" not in detail
    assert "/nlu/confidence" in detail


def test_rerun_of_a_partition_is_identical(tmp_path: Path) -> None:
    _broken_file(tmp_path / "landing")
    cfg = LakeConfig(data_dir=str(tmp_path))
    build_bronze_hour(cfg, "2025-09-01T10")
    first = delta.read_table(cfg.table("bronze", "events"))
    first_q = delta.read_table(cfg.table("bronze", "quarantine"))
    build_bronze_hour(cfg, "2025-09-01T10")
    second = delta.read_table(cfg.table("bronze", "events"))
    second_q = delta.read_table(cfg.table("bronze", "quarantine"))
    assert first is not None and second is not None and first_q is not None
    assert first.sort("line_no").equals(second.sort("line_no"))
    assert first_q.sort("line_no").equals(second_q.sort("line_no"))  # type: ignore[union-attr]


def test_late_event_in_next_day_belongs_to_its_event_hour(tmp_path: Path) -> None:
    late = turn("2025-09-01T23:50:00Z", turn_id="late")
    write_landing(
        tmp_path, "2025-09-02", "p.jsonl", [line(turn("2025-09-02T00:10:00Z")), line(late)]
    )
    res = ingest_hour(str(tmp_path / "telemetry"), "2025-09-01T23")
    assert res.events.height == 1
    assert json.loads(res.events["raw"][0])["turn_id"] == "late"


def test_an_hour_built_in_small_chunks_equals_one_built_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows become frames a chunk at a time (memory); the hour's tables must not change."""
    _broken_file(tmp_path)
    telemetry = str(tmp_path / "telemetry")
    now = datetime(2025, 9, 2, tzinfo=UTC)
    whole = ingest_hour(telemetry, "2025-09-01T10", now=now)
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 1)
    chunked = ingest_hour(telemetry, "2025-09-01T10", now=now)
    assert whole.events.height >= 2 and whole.quarantine.height >= 2
    assert chunked.events.equals(whole.events)
    assert chunked.quarantine.equals(whole.quarantine)
    assert (chunked.lines_read, chunked.reasons) == (whole.lines_read, whole.reasons)
