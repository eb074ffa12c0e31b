"""``gold/dq_hourly``: the hour's data-quality figures, with one asset check per threshold.

The checks are declared on the asset and evaluated from the figures it just computed, so they
cost nothing extra per hour. They never block: a bad hour still materializes (its figures are
the evidence), and the check says WARN or ERROR as the thresholds file does.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.bronze import EVENTS, QUARANTINE
from assets.metadata import HourCheck, batch_check, batch_metadata
from assets.partitions import BATCHED, HOURLY, step_hours
from assets.resources import KvarnResource
from assets.silver import SILVER_KEYS
from pipelines.governance.policy import load_policy
from pipelines.io import delta
from pipelines.observe.dq import DqFigure, build_dq_hours, lake_retention
from pipelines.observe.thresholds import THRESHOLDED, load_thresholds

DQ_HOURLY = AssetKey(["gold", "dq_hourly"])
SEVERITY = {"warn": AssetCheckSeverity.WARN, "error": AssetCheckSeverity.ERROR}


def _hour_check(hour: str, figure: DqFigure) -> HourCheck:
    return HourCheck(
        hour,
        figure.status == "ok",
        {
            "value": figure.value,
            "warn_at": figure.warn_at,
            "error_at": figure.error_at,
            "comparison": figure.comparison,
            "status": figure.status,
            "detail": figure.detail,
        },
        SEVERITY.get(figure.status, AssetCheckSeverity.WARN),
    )


@asset(
    key=DQ_HOURLY,
    deps=[EVENTS, QUARANTINE, *SILVER_KEYS.values()],
    partitions_def=HOURLY,
    backfill_policy=BATCHED,
    group_name="quality",
    description="Data-quality figures of the hour (rows, quarantine, schema compliance, "
    "duplicates, PII masked and residuals, consent, retention, freshness) judged against "
    "pipelines/observe/thresholds.yaml; one row per figure.",
    check_specs=[
        AssetCheckSpec(name, asset=DQ_HOURLY, blocking=False,
                       description=f"{name} within its thresholds (thresholds.yaml)")
        for name in THRESHOLDED
    ],
)  # fmt: skip
def dq_hourly(
    context: AssetExecutionContext, kvarn: KvarnResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    cfg = kvarn.lake()
    thresholds = load_thresholds(data_dir=cfg.data_dir)
    policy = load_policy(kvarn.retention_policy or None)
    per_hour: list[tuple[str, dict[str, Any]]] = []
    checks: dict[str, list[HourCheck]] = {name: [] for name in THRESHOLDED}
    with delta.table_cache():
        # Every hour of the step is judged at one moment, against one look at the lake's
        # retention (a lake-wide figure, the same for each hour).
        now = datetime.now(UTC)
        retention = lake_retention(cfg, thresholds, policy, now)
        by_hour, version = build_dq_hours(cfg, step_hours(context), thresholds, policy, now,
                                          retention)  # fmt: skip
    for hour, figures in by_hour.items():
        per_hour.append((hour, _hour_metadata(figures, version, thresholds.source)))
        for figure in figures:
            if figure.metric in checks:
                checks[figure.metric].append(_hour_check(hour, figure))
    yield MaterializeResult(metadata=batch_metadata(per_hour))
    for name, hour_checks in checks.items():
        if hour_checks:
            yield batch_check(hour_checks, check_name=name)


def _hour_metadata(figures: list[DqFigure], version: int, source: str) -> dict[str, Any]:
    table = "\n".join(
        f"| {f.metric} | {f.value if f.value is None else round(f.value, 4)} | {f.status} "
        f"| {f.detail} |"
        for f in figures
    )
    return {
        "figures": MetadataValue.md("| metric | value | status | detail |\n|---|---|---|---|\n"
                                    + table),
        "errors": sum(f.status == "error" for f in figures),
        "warnings": sum(f.status == "warn" for f in figures),
        "thresholds_file": source,
        "delta_version": version,
    }  # fmt: skip
