"""``gold/dq_hourly``: the hour's data-quality figures, with one asset check per threshold.

The checks are declared on the asset and evaluated from the figures it just computed, so they
cost nothing extra per hour. They never block: a bad hour still materializes (its figures are
the evidence), and the check says WARN or ERROR as the thresholds file does.
"""

from collections.abc import Iterator

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
from assets.partitions import HOURLY
from assets.resources import KvarnResource
from assets.silver import SILVER_KEYS
from pipelines.governance.policy import load_policy
from pipelines.io.timestamps import dagster_key_to_hour
from pipelines.observe.dq import DqFigure, build_dq_hour
from pipelines.observe.thresholds import THRESHOLDED, load_thresholds

DQ_HOURLY = AssetKey(["gold", "dq_hourly"])
SEVERITY = {"warn": AssetCheckSeverity.WARN, "error": AssetCheckSeverity.ERROR}


def _check_result(figure: DqFigure) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=figure.metric,
        passed=figure.status == "ok",
        severity=SEVERITY.get(figure.status, AssetCheckSeverity.WARN),
        metadata={
            "value": figure.value,
            "warn_at": figure.warn_at,
            "error_at": figure.error_at,
            "comparison": figure.comparison,
            "status": figure.status,
            "detail": figure.detail,
        },
    )


@asset(
    key=DQ_HOURLY,
    deps=[EVENTS, QUARANTINE, *SILVER_KEYS.values()],
    partitions_def=HOURLY,
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
    hour = dagster_key_to_hour(context.partition_key)
    cfg = kvarn.lake()
    thresholds = load_thresholds(data_dir=cfg.data_dir)
    policy = load_policy(kvarn.retention_policy or None)
    figures, version = build_dq_hour(cfg, hour, thresholds, policy)
    table = "\n".join(
        f"| {f.metric} | {f.value if f.value is None else round(f.value, 4)} | {f.status} "
        f"| {f.detail} |"
        for f in figures
    )
    yield MaterializeResult(
        metadata={
            "figures": MetadataValue.md("| metric | value | status | detail |\n|---|---|---|---|\n"
                                        + table),
            "errors": sum(f.status == "error" for f in figures),
            "warnings": sum(f.status == "warn" for f in figures),
            "thresholds_file": thresholds.source,
            "delta_version": version,
        }
    )  # fmt: skip
    for figure in figures:
        if figure.metric in THRESHOLDED:
            yield _check_result(figure)
