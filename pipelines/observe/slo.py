"""``gold/slo_hourly``: each SLO component's count, P50/P95/P99 and verdict for one hour.

One row per hour × component (× LLM route) for every target in ``slo_targets.yaml`` (or the
user's copy), read from that hour's silver (``slo_samples``) and written as one idempotent
Delta partition. Rows hold ids of components and routes and numbers, never personal data, so
retention leaves them alone: gold stays until a person removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.horizons import expired_before
from pipelines.observe.schemas import SLO_HOURLY
from pipelines.observe.slo_samples import (
    TEST_RESULT_COLUMNS,
    TOOL_CALL_COLUMNS,
    TURN_COLUMNS,
    component_samples,
)
from pipelines.observe.slo_targets import SloTarget, load_targets
from pipelines.silver.schemas import SILVER_SCHEMAS

STATS_COLUMNS = ["hour", "component", "route"]


def judge(actual: float, comparison: str, target: float) -> bool:
    """Whether ``actual <comparison> target`` holds."""
    if comparison == "<":
        return actual < target
    if comparison == "<=":
        return actual <= target
    if comparison == ">=":
        return actual >= target
    raise ValueError(f"unknown comparison {comparison!r}")


def _quantile(samples: pl.Series, q: float) -> float:
    value = samples.quantile(q, interpolation="linear")
    assert value is not None
    return float(value)


def slo_row(hour: str, target: SloTarget, samples: pl.Series) -> dict[str, Any]:
    """One row of the table: the component's figures over ``samples`` and its verdict."""
    spec = target.spec
    row: dict[str, Any] = {
        "hour": hour,
        "component": target.component,
        "route": target.route,
        "unit": spec.unit,
        "count": samples.len(),
        "p50": None,
        "p95": None,
        "p99": None,
        "actual": None,
        "target": target.target,
        "comparison": spec.comparison,
        "compliant": None,
    }
    if samples.len() == 0:
        return row
    if spec.statistic != "rate":
        row.update(p50=_quantile(samples, 0.5), p95=_quantile(samples, 0.95),
                   p99=_quantile(samples, 0.99))  # fmt: skip
    if spec.statistic == "p95":
        actual = row["p95"]
    elif spec.statistic == "max":
        actual = _quantile(samples, 1.0)
    else:  # rate, mean
        actual = float(samples.sum()) / samples.len()
    row["actual"] = actual
    row["compliant"] = judge(actual, spec.comparison, target.target)
    return row


def slo_frame(
    hour: str,
    targets: Sequence[SloTarget],
    turns: pl.DataFrame,
    tool_calls: pl.DataFrame,
    test_results: pl.DataFrame,
) -> pl.DataFrame:
    """Every target's row for ``hour`` from that hour's silver frames."""
    rows = [
        slo_row(hour, t, component_samples(t.component, t.route, turns, tool_calls, test_results))
        for t in targets
    ]
    return pl.DataFrame(rows, schema=SLO_HOURLY, orient="row")


@dataclass
class SloReport:
    hour: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None
    expired: bool = False  # silver of the hour is gone: the rows built before are kept

    @property
    def violations(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["compliant"] is False]


def _silver(cfg: LakeConfig, table: str, hour: str, columns: list[str]) -> pl.DataFrame:
    frame = delta.read_partition(cfg.table("silver", table), "hour", hour, columns=columns,
                                 storage_options=cfg.storage_options)  # fmt: skip
    if frame is None:
        schema = SILVER_SCHEMAS[table]
        return pl.DataFrame(schema={c: schema[c] for c in columns})
    return frame


def build_slo_hour(
    cfg: LakeConfig, hour: str, targets: Sequence[SloTarget] | None = None
) -> SloReport:
    """Compute and write ``gold/slo_hourly`` for ``hour`` (replacing only that partition).

    An hour whose silver expired by retention keeps the rows it has: recomputing from silver
    that is gone would report an empty hour."""
    return build_slo_hours(cfg, [hour], targets)[hour]


def build_slo_hours(
    cfg: LakeConfig, hours: Sequence[str], targets: Sequence[SloTarget] | None = None
) -> dict[str, SloReport]:
    """``build_slo_hour`` for a batch's hours: each computed from its own silver alone, all
    written in one commit instead of one per hour. Hours whose silver expired keep their rows
    and are left out of the commit."""
    chosen = list(targets) if targets is not None else load_targets(cfg.data_dir)
    horizon = expired_before(cfg, "silver")  # one ledger read for the batch
    reports: dict[str, SloReport] = {}
    frames: dict[str, pl.DataFrame] = {}
    for hour in hours:
        if horizon is not None and hour < horizon:
            reports[hour] = SloReport(hour, expired=True)
            continue
        frames[hour] = slo_frame(
            hour,
            chosen,
            _silver(cfg, "turns", hour, TURN_COLUMNS),
            _silver(cfg, "tool_calls", hour, TOOL_CALL_COLUMNS),
            _silver(cfg, "test_results", hour, TEST_RESULT_COLUMNS),
        )
    if frames:
        version = delta.overwrite_partitions(cfg.table("gold", "slo_hourly"), list(frames.values()),
                                             "hour", list(frames), stats_columns=STATS_COLUMNS,
                                             storage_options=cfg.storage_options)  # fmt: skip
        for hour, frame in frames.items():
            reports[hour] = SloReport(hour, frame.to_dicts(), version)
    return {hour: reports[hour] for hour in hours}
