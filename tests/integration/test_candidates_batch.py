"""Rebuilding many hours' candidates at once gives exactly what the hour-by-hour run left."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.gold.candidates import build_candidates_hours
from pipelines.io import delta
from tests.integration.small_lake import generate_landing, run_hours

HOURS = [f"2025-09-01T{h:02d}" for h in range(9, 14)]


def test_a_batched_rebuild_equals_the_hourly_run(
    tmp_path: Path,
) -> None:
    cfg = generate_landing(tmp_path, seed=9, per_hour=150)
    run_hours(cfg, HOURS)
    path = cfg.table("gold", "candidates")
    hourly = delta.read_table(path)
    assert hourly is not None and hourly.height > 20
    shutil.rmtree(path)
    reports = build_candidates_hours(cfg, list(reversed(HOURS)))
    batched = delta.read_table(path)
    assert batched is not None and sum(r.candidates for r in reports) == batched.height
    columns = sorted(c for c in hourly.columns if c != "created_at")
    assert (
        batched.select(columns)
        .sort("candidate_id")
        .equals(hourly.select(columns).sort("candidate_id"))
    )
