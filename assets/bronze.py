"""Bronze assets: landing lines → events + quarantine, one event-time hour per partition."""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset_check,
    multi_asset,
)

from assets.partitions import HOURLY
from assets.resources import KvarnResource
from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.ingest import owned_lines
from pipelines.io import delta
from pipelines.io.horizons import hour_expired
from pipelines.io.timestamps import dagster_key_to_hour

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
)  # fmt: skip
def bronze(context: AssetExecutionContext, kvarn: KvarnResource) -> Iterator[MaterializeResult]:
    """Ingest the landing lines owned by this hour into both bronze tables."""
    hour = dagster_key_to_hour(context.partition_key)
    rep = build_bronze_hour(kvarn.lake(), hour, late_days=kvarn.late_days)
    if rep.expired:
        context.log.info(f"{hour}: expired by retention, left as it is")
        yield MaterializeResult(asset_key=EVENTS, metadata={"expired_by_retention": True})
        yield MaterializeResult(asset_key=QUARANTINE, metadata={"expired_by_retention": True})
        return
    context.log.info(f"{hour}: {rep.events} events, {rep.quarantined} quarantined")
    yield MaterializeResult(
        asset_key=EVENTS,
        metadata={
            "rows": rep.events,
            "lines_read": rep.lines_read,
            "hash_mismatches": rep.hash_mismatches,
            "delta_version": rep.events_version,
        },
    )
    reasons = "\n".join(f"- {k}: {v}" for k, v in rep.reasons.items()) or "_none_"
    yield MaterializeResult(
        asset_key=QUARANTINE,
        metadata={
            "rows": rep.quarantined,
            "quarantine_rate": rep.quarantined / rep.lines_read if rep.lines_read else 0.0,
            "top_reasons": MetadataValue.md(reasons),
            "delta_version": rep.quarantine_version,
        },
    )


@asset_check(
    asset=EVENTS,
    partitions_def=HOURLY,
    blocking=True,
    description="Conservation: bronze events + quarantine = landing lines owned by the hour.",
)
def bronze_conservation(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> AssetCheckResult:
    hour = dagster_key_to_hour(context.partition_key)
    cfg = kvarn.lake()
    if hour_expired(cfg, hour, "bronze"):  # deleted by retention on purpose, with a ledger row
        return AssetCheckResult(passed=True, metadata={"expired_by_retention": True})
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
    return AssetCheckResult(
        passed=n_ev + n_q == lines,
        severity=AssetCheckSeverity.ERROR,
        metadata={"lines": lines, "events": n_ev, "quarantine": n_q},
    )
