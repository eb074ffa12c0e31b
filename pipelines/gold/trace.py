"""Traceability checks: every candidate and every gold row points at real silver events.

The asset checks call these; they are plain functions so a test (or an operator) can run them
without Dagster. Only event ids are read, never text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.gold.store import read_gold
from pipelines.io import delta


def missing_events(
    cfg: LakeConfig, event_ids: Iterable[str], hours: Sequence[str] | None = None
) -> set[str]:
    """The ids among ``event_ids`` found in no silver table.

    ``hours`` names the partitions the events most likely sit in (a candidate's own hour):
    they are searched first, and only ids not found there are looked for in every partition,
    so an hourly check reads one hour of silver instead of all of it.
    """
    wanted = set(event_ids)
    if hours:
        wanted = _missing(cfg, wanted, [("hour", "in", sorted(set(hours)))])
    return _missing(cfg, wanted, [])


def _missing(cfg: LakeConfig, wanted: set[str], scope: list[tuple[str, str, Any]]) -> set[str]:
    for table in SILVER_TABLES:
        if not wanted:
            break
        found = delta.read_table(
            cfg.table("silver", table),
            filters=[*scope, ("event_id", "in", sorted(wanted))],
            columns=["event_id"],
            storage_options=cfg.storage_options,
        )
        if found is not None:
            wanted = wanted - set(found["event_id"].to_list())
    return wanted


@dataclass(frozen=True)
class TraceReport:
    rows: int
    without_reason: int = 0
    untraced_rows: int = 0
    missing_event_ids: int = 0

    @property
    def passed(self) -> bool:
        return self.without_reason == 0 and self.untraced_rows == 0


def _trace(
    cfg: LakeConfig, frame: pl.DataFrame, hours: Sequence[str] | None = None
) -> tuple[int, int]:
    ids = [i for ids in frame["event_ids"].to_list() for i in ids or []]
    missing = missing_events(cfg, ids, hours)
    untraced = sum(1 for ids in frame["event_ids"].to_list() if not ids or set(ids) & missing)
    return untraced, len(missing)


def check_candidates(cfg: LakeConfig, hour: str | None = None) -> TraceReport:
    """No candidate without a reason; every candidate's event ids exist in silver."""
    if hour is not None:
        return check_candidate_hours(cfg, [hour])[hour]
    cands = read_gold(cfg.table("gold", "candidates"), columns=["reasons", "event_ids"],
                      storage_options=cfg.storage_options)  # fmt: skip
    if cands is None or cands.height == 0:
        return TraceReport(rows=0)
    untraced, missing = _trace(cfg, cands)
    return TraceReport(cands.height, _without_reason(cands), untraced, missing)


def check_candidate_hours(cfg: LakeConfig, hours: Sequence[str]) -> dict[str, TraceReport]:
    """``check_candidates`` for each of ``hours``, reading candidates and silver once for all."""
    cands = read_gold(
        cfg.table("gold", "candidates"),
        pl.col("hour").is_in(list(hours)),
        columns=["hour", "reasons", "event_ids"],
        storage_options=cfg.storage_options,
    )
    out = {h: TraceReport(rows=0) for h in hours}
    if cands is None or cands.height == 0:
        return out
    ids = [i for ids in cands["event_ids"].to_list() for i in ids or []]
    missing = missing_events(cfg, ids, hours)
    for (hour,), part in cands.partition_by("hour", as_dict=True).items():
        lists = part["event_ids"].to_list()
        untraced = sum(1 for ids in lists if not ids or set(ids) & missing)
        gone = len({i for ids in lists for i in ids or []} & missing)
        out[str(hour)] = TraceReport(part.height, _without_reason(part), untraced, gone)
    return out


def _without_reason(cands: pl.DataFrame) -> int:
    return cands.filter(pl.col("reasons").list.len().fill_null(0) == 0).height


def check_gold_table(cfg: LakeConfig, kind: str) -> TraceReport:
    """Every row of ``gold.<kind>`` names silver events that exist."""
    rows = read_gold(
        cfg.table("gold", kind), columns=["event_ids"], storage_options=cfg.storage_options
    )
    if rows is None or rows.height == 0:
        return TraceReport(rows=0)
    untraced, missing = _trace(cfg, rows)
    return TraceReport(rows.height, untraced_rows=untraced, missing_event_ids=missing)
