"""Observability assets: ``gold/slo_hourly``, the SLO table of each event-time hour.

Downstream of the silver tables it reads and part of ``hourly_pipeline`` (and so of ``kvarn
run``). Its metadata carry a compliance table and one number per component
(``voice_e2e_p95_ms``, ``tool_success_ratio``, …) so the UI plots them across partitions.
"""

from typing import Any

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.metadata import batch_metadata, markdown_table
from assets.partitions import BATCHED, HOURLY, step_hours
from assets.resources import KvarnResource
from assets.silver import SILVER_KEYS
from pipelines.io import delta
from pipelines.observe.slo import SloReport, build_slo_hours

SLO_HOURLY = AssetKey(["gold", "slo_hourly"])
# The name of each statistic in a metadata key: ``<component>[_<route>]_<suffix>``.
_SUFFIX = {"ms": "p95_ms", "ratio": "ratio", "mb": "max_mb"}


def _verdict(compliant: bool | None) -> str:
    return "no data" if compliant is None else "PASS" if compliant else "FAIL"


def slo_metadata(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The compliance table plus one float per component that had measurements."""
    table = [
        {
            "component": r["component"] + (f" ({r['route']})" if r["route"] else ""),
            "target": f"{r['comparison']} {r['target']:g} {r['unit']}",
            "actual": "" if r["actual"] is None else f"{r['actual']:.4g}",
            "count": r["count"],
            "status": _verdict(r["compliant"]),
        }
        for r in rows
    ]
    meta: dict[str, Any] = {
        "compliance": markdown_table(table),
        "components_failing": sum(r["compliant"] is False for r in rows),
        "components_without_data": sum(r["compliant"] is None for r in rows),
    }
    for r in rows:
        if r["actual"] is not None:
            name = "_".join(p for p in (r["component"], r["route"], _SUFFIX[r["unit"]]) if p)
            meta[name] = MetadataValue.float(float(r["actual"]))
    return meta


@asset(
    key=SLO_HOURLY,
    deps=[SILVER_KEYS["turns"], SILVER_KEYS["tool_calls"], SILVER_KEYS["test_results"]],
    partitions_def=HOURLY,
    backfill_policy=BATCHED,
    group_name="observe",
    description="SLO analytics per hour × component (× LLM route): count, P50/P95/P99, the "
    "judged value, target and compliance, from silver against pipelines/observe/"
    "slo_targets.yaml or the user's copy. No personal data; kept until a person removes it.",
)
def slo_hourly(context: AssetExecutionContext, kvarn: KvarnResource) -> MaterializeResult:
    with delta.table_cache():
        reports = build_slo_hours(kvarn.lake(), step_hours(context))
    per_hour = [(hour, _slo_metadata(context, rep)) for hour, rep in reports.items()]
    return MaterializeResult(metadata=batch_metadata(per_hour))


def _slo_metadata(context: AssetExecutionContext, rep: SloReport) -> dict[str, Any]:
    hour = rep.hour
    if rep.expired:
        context.log.info(f"{hour}: silver expired by retention, SLO rows left as they are")
        return {"expired_by_retention": True}
    failing = ", ".join(sorted({r["component"] for r in rep.violations})) or "none"
    context.log.info(f"{hour}: SLO components failing: {failing}")
    return {**slo_metadata(rep.rows), "delta_version": rep.version}


OBSERVE_HOURLY_ASSETS = [slo_hourly]
