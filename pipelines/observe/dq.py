"""``gold/dq_hourly``: the data-quality figures of one hour, judged against the thresholds.

One row per figure (schema ``DQ_HOURLY``); the run report, the Prometheus exposition and the
Dagster asset checks all read these rows, so each figure is computed once, here. Writing an hour
overwrites exactly its partition, so a rerun replaces the figures instead of adding to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from pipelines.config import LakeConfig
from pipelines.governance.policy import RetentionPolicy
from pipelines.io import delta
from pipelines.observe import dq_figures as fig
from pipelines.observe.metric import Metric, Status
from pipelines.observe.schemas import DQ_HOURLY
from pipelines.observe.thresholds import Thresholds

DQ_TABLE = ("gold", "dq_hourly")


@dataclass(frozen=True)
class DqFigure:
    """One row of ``gold/dq_hourly``."""

    hour: str
    metric: str
    value: float | None
    unit: str
    warn_at: float | None = None
    error_at: float | None = None
    comparison: str | None = None
    status: Status = "info"
    detail: str = ""


Measured = list[tuple[str, float | None, str, str]]  # (metric, value, unit, detail)


def _ratio(part: int, whole: int, empty: float) -> float:
    """``part / whole``; ``empty`` (the harmless value) when there is nothing to divide."""
    return part / whole if whole else empty


Retention = tuple[int, int, dict[str, int]]
"""(partitions and landing days present, of them overdue, overdue per table): the lake's."""


def measure_hour(
    cfg: LakeConfig,
    hour: str,
    policy: RetentionPolicy,
    grace_hours: float,
    now: datetime,
    retention: Retention | None = None,
    silver_hours: frozenset[str] | None = None,
) -> Measured:
    """(metric, value, unit, detail) for every figure of ``hour``, evaluated at ``now``.

    ``retention`` is the lake's retention state at ``now`` and ``silver_hours`` its hours with
    silver, when the caller has them already (the same for every hour judged at that moment)."""
    bronze = fig.bronze_figures(cfg, hour)
    turn_events, exact = fig.exact_duplicates(cfg, hour)
    turns = fig.turn_figures(cfg, hour)
    residuals, residual_detail = fig.masking_residuals(cfg, hour)
    total, overdue, overdue_by = retention or fig.retention_figures(cfg, policy, now, grace_hours)
    with_silver = fig.silver_hours(cfg) if silver_hours is None else silver_hours
    clean = fig.newest_clean_hour(with_silver, hour, hour_is_clean=residuals == 0)
    empty_turns = "" if turns.turns else "no turns in the hour"
    return [
        ("rows_input", bronze.lines, "count", ""),
        ("rows_bronze", bronze.events, "count", ""),
        ("rows_quarantine", bronze.quarantined, "count", ""),
        ("quarantine_rate", _ratio(bronze.quarantined, bronze.lines, 0.0), "ratio",
         fig.counts_detail(bronze.reasons, fig.TOP_REASONS)),
        ("schema_compliance", 1 - _ratio(bronze.schema_failures, bronze.lines, 0.0), "ratio",
         f"failed:{bronze.schema_failures}" if bronze.schema_failures else ""),
        ("rows_silver_turns", turns.turns, "count", ""),
        ("duplicate_rate_exact", _ratio(exact, turn_events, 0.0), "ratio",
         f"dropped:{exact} of {turn_events} turn events" if turn_events else empty_turns),
        ("duplicate_rate_near", _ratio(turns.near_duplicates, turns.turns, 0.0), "ratio",
         f"near-duplicates:{turns.near_duplicates}" if turns.turns else empty_turns),
        ("pii_entities_masked", sum(turns.pii.values()), "count", fig.counts_detail(turns.pii)),
        ("masking_residuals", residuals, "count", residual_detail),
        ("consent_coverage", _ratio(turns.training_ok, turns.turns, 1.0), "ratio",
         f"without training consent:{turns.turns - turns.training_ok}" if turns.turns
         else empty_turns),
        ("retention_compliance", 1 - _ratio(overdue, total, 0.0), "ratio",
         fig.counts_detail(overdue_by)),
        # As of the judged hour, not the wall clock, so a backfill judges each hour as the hourly
        # schedule would have; staleness against the clock is Prometheus's KvarnNoSuccessfulHour.
        ("freshness_hours", None if clean is None else fig.hours_between_ends(clean, hour),
         "hours",
         "no clean silver hour" if clean is None else f"newest clean hour:{clean}"),
    ]  # fmt: skip


def judge(hour: str, measured: Measured, thresholds: Thresholds) -> list[DqFigure]:
    """Attach thresholds and a status: ok / warn / error, info for figures without one."""
    out = []
    for metric, value, unit, detail in measured:
        limit = thresholds.by_metric.get(metric)
        val = None if value is None else float(value)
        if limit is None:
            out.append(DqFigure(hour, metric, val, unit, detail=detail))
            continue
        out.append(DqFigure(hour, metric, val, unit, limit.warn, limit.error, limit.comparison,
                            limit.judge(val), detail))  # fmt: skip
    return out


def dq_hour(
    cfg: LakeConfig,
    hour: str,
    thresholds: Thresholds,
    policy: RetentionPolicy,
    now: datetime | None = None,
    retention: Retention | None = None,
    silver_hours: frozenset[str] | None = None,
) -> list[DqFigure]:
    """Every judged figure of ``hour`` at ``now`` (default: the wall clock); nothing written."""
    at = now or datetime.now(UTC)
    grace = thresholds.retention_grace_hours
    measured = measure_hour(cfg, hour, policy, grace, at, retention, silver_hours)
    return judge(hour, measured, thresholds)


def lake_retention(
    cfg: LakeConfig, thresholds: Thresholds, policy: RetentionPolicy, now: datetime
) -> Retention:
    """The lake's retention state at ``now``, to judge several hours with (one look, not one
    per hour)."""
    return fig.retention_figures(cfg, policy, now, thresholds.retention_grace_hours)


def to_frame(figures: list[DqFigure]) -> pl.DataFrame:
    rows = [{name: getattr(f, name) for name in DQ_HOURLY} for f in figures]
    return pl.DataFrame(rows, schema=DQ_HOURLY, orient="row")


def build_dq_hour(
    cfg: LakeConfig,
    hour: str,
    thresholds: Thresholds,
    policy: RetentionPolicy,
    now: datetime | None = None,
    retention: Retention | None = None,
) -> tuple[list[DqFigure], int]:
    """Measure, judge and write one hour (overwriting its partition): the figures and the new
    table version."""
    by_hour, version = build_dq_hours(cfg, [hour], thresholds, policy, now, retention)
    return by_hour[hour], version


def build_dq_hours(
    cfg: LakeConfig,
    hours: Sequence[str],
    thresholds: Thresholds,
    policy: RetentionPolicy,
    now: datetime | None = None,
    retention: Retention | None = None,
) -> tuple[dict[str, list[DqFigure]], int]:
    """``build_dq_hour`` for a batch's hours: each measured and judged as alone (no figure reads
    this table), all written in one commit instead of one per hour. Returns the figures by hour
    and the table version that holds them all."""
    with_silver = fig.silver_hours(cfg)  # nothing writes silver while a batch is judged
    figures = {
        hour: dq_hour(cfg, hour, thresholds, policy, now, retention, with_silver) for hour in hours
    }
    if not figures:
        raise ValueError("no hour to build")
    version = delta.overwrite_partitions(
        cfg.table(*DQ_TABLE),
        [to_frame(f) for f in figures.values()],
        "hour",
        list(figures),
        storage_options=cfg.storage_options,
    )
    return figures, version


_LEVEL = {"ok": 0.0, "warn": 1.0, "error": 2.0}


def check_status_metrics(figures: list[DqFigure]) -> list[Metric]:
    """``dq_check_status{check=…}`` (0 ok, 1 warn, 2 error) for every thresholded figure, in the
    shared Metric form the Prometheus file and the run report take."""
    return [
        Metric("dq_check_status", _LEVEL[f.status], Metric.labelled(check=f.metric),
               status=f.status, scope=f"hour:{f.hour}", detail=f.detail)
        for f in figures if f.status in _LEVEL
    ]  # fmt: skip
