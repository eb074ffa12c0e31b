"""Bronze assets: landing lines → events + quarantine, one event-time hour per partition."""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset_check,
    multi_asset,
)

from assets.metadata import HourCheck, batch_check, batch_metadata
from assets.partitions import BATCHED, HOURLY, step_hours
from assets.resources import KvarnResource
from pipelines.bronze.build import BronzeReport, build_bronze_hours
from pipelines.bronze.ingest import owned_lines
from pipelines.io import delta
from pipelines.io.horizons import hour_expired

EVENTS = AssetKey(["bronze", "events"])
QUARANTINE = AssetKey(["bronze", "quarantine"])


@multi_asset(
    specs=[
        AssetSpec(EVENTS, description="Every valid telemetry line, raw JSON kept, parsed core "
                  "columns and recomputed event hash.", group_name="bronze"),
        AssetSpec(QUARANTINE, description="Every invalid telemetry line with its reason; nothing "
                  "is dropped silently.", group_name="bronze"),
    ],
    partitions_def=HOURLY,
    backfill_policy=BATCHED,
)  # fmt: skip
def bronze(context: AssetExecutionContext, kvarn: KvarnResource) -> Iterator[MaterializeResult]:
    """Ingest the landing lines owned by each of the run's hours into both bronze tables."""
    events: list[tuple[str, dict[str, Any]]] = []
    quarantine: list[tuple[str, dict[str, Any]]] = []
    with delta.table_cache():
        reports = build_bronze_hours(kvarn.lake(), step_hours(context), late_days=kvarn.late_days,
                                     workers=kvarn.bronze_workers)  # fmt: skip
    for rep in reports:
        ev, q = _bronze_metadata(context, rep)
        events.append((rep.hour, ev))
        quarantine.append((rep.hour, q))
    yield MaterializeResult(asset_key=EVENTS, metadata=batch_metadata(events))
    yield MaterializeResult(asset_key=QUARANTINE, metadata=batch_metadata(quarantine))


def _bronze_metadata(
    context: AssetExecutionContext, rep: BronzeReport
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The metadata of one built hour's events and quarantine."""
    hour = rep.hour
    if rep.expired:
        context.log.info(f"{hour}: expired by retention, left as it is")
        return {"expired_by_retention": True}, {"expired_by_retention": True}
    context.log.info(f"{hour}: {rep.events} events, {rep.quarantined} quarantined")
    reasons = "\n".join(f"- {k}: {v}" for k, v in rep.reasons.items()) or "_none_"
    events = {
        "rows": rep.events,
        "lines_read": rep.lines_read,
        "hash_mismatches": rep.hash_mismatches,
        "delta_version": rep.events_version,
    }
    quarantine = {
        "rows": rep.quarantined,
        "quarantine_rate": rep.quarantined / rep.lines_read if rep.lines_read else 0.0,
        "top_reasons": MetadataValue.md(reasons),
        "delta_version": rep.quarantine_version,
    }
    return events, quarantine


@asset_check(
    asset=EVENTS,
    partitions_def=HOURLY,
    blocking=True,
    description="Conservation: bronze events + quarantine = landing lines owned by the hour.",
)
def bronze_conservation(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> AssetCheckResult:
    with delta.table_cache():
        return batch_check([_conservation(kvarn, hour) for hour in step_hours(context)])


def _conservation(kvarn: KvarnResource, hour: str) -> HourCheck:
    cfg = kvarn.lake()
    if hour_expired(cfg, hour, "bronze"):  # deleted by retention on purpose, with a ledger row
        return HourCheck(hour, True, {"expired_by_retention": True})
    lines = len(owned_lines(cfg.telemetry, hour, kvarn.late_days))
    so = cfg.storage_options
    ev = delta.read_partition(
        cfg.table("bronze", "events"), "hour", hour, columns=["line_no"], storage_options=so
    )
    q = delta.read_partition(
        cfg.table("bronze", "quarantine"), "hour", hour, columns=["line_no"], storage_options=so
    )
    n_ev = 0 if ev is None else ev.height
    n_q = 0 if q is None else q.height
    return HourCheck(hour, n_ev + n_q == lines, {"lines": lines, "events": n_ev, "quarantine": n_q})
