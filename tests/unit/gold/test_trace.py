"""Candidate tracing reads its own hour first."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.config import LakeConfig
from pipelines.gold import trace
from pipelines.io import delta


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
