"""Silver assets: deduplicated, masked, date-normalized tables per event-time hour."""

from collections.abc import Iterator
from typing import Any

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

from assets.bronze import EVENTS
from assets.metadata import HourCheck, batch_check, batch_metadata, markdown_table
from assets.partitions import BATCHED, HOURLY, step_hours
from assets.resources import KvarnResource
from pipelines.io import delta
from pipelines.quality.expectations import COLUMNS, expectations_for_hours
from pipelines.quality.leakage import audit_partitions
from pipelines.silver.build import SilverReport, build_silver_hours

DESCRIPTIONS = {
    "turns": "One row per assistant turn: masked, date-normalized text, NLU, latency, "
    "consent and near-duplicate cluster.",
    "tool_calls": "One row per tool call of a turn, arguments masked.",
    "rag_pairs": "One row per retrieved document of a turn (query, doc id, rank, score).",
    "test_results": "Test baselines and failures with masked messages and stack traces.",
    "feedback": "User feedback on turns (rating, masked comment, preferred answer).",
}
SILVER_KEYS = {name: AssetKey(["silver", name]) for name in DESCRIPTIONS}
TURNS = SILVER_KEYS["turns"]


@multi_asset(
    specs=[
        AssetSpec(key, description=DESCRIPTIONS[name], deps=[EVENTS], group_name="silver")
        for name, key in SILVER_KEYS.items()
    ],
    partitions_def=HOURLY,
    backfill_policy=BATCHED,
    # Silver updates global state (seen hashes, near-duplicate bands): one hour at a time
    # across runs, so parallel backfill runs never race on the same state partition.
    pool="kvarn_state",
)
def silver(context: AssetExecutionContext, kvarn: KvarnResource) -> Iterator[MaterializeResult]:
    """Exact dedupe → PII masking → date normalization → near-dup clusters, hour by hour."""
    per_table: dict[str, list[tuple[str, dict[str, Any]]]] = {name: [] for name in SILVER_KEYS}
    with delta.table_cache():
        reports = build_silver_hours(kvarn.lake(), step_hours(context), kvarn.silver_options())
    for rep in reports:
        for name, meta in _silver_metadata(context, rep).items():
            per_table[name].append((rep.hour, meta))
    for name, key in SILVER_KEYS.items():
        yield MaterializeResult(asset_key=key, metadata=batch_metadata(per_table[name]))


def _silver_metadata(
    context: AssetExecutionContext, rep: SilverReport
) -> dict[str, dict[str, Any]]:
    """The metadata of each silver table for one built hour."""
    hour = rep.hour
    if rep.expired:
        context.log.info(f"{hour}: expired by retention in bronze or silver, left as it is")
        return {name: {"expired_by_retention": True} for name in SILVER_KEYS}
    context.log.info(f"{hour}: {rep.rows}")
    pii = "\n".join(f"- {k}: {v}" for k, v in sorted(rep.pii_entities.items())) or "_none_"
    metas: dict[str, dict[str, Any]] = {}
    for name in SILVER_KEYS:
        meta: dict[str, Any] = {
            "rows": rep.rows[name],
            "delta_version": rep.versions[name],
        }
        if name == "turns":
            meta.update(
                {
                    "bronze_rows": rep.bronze_rows,
                    "duplicates_in_hour": rep.duplicates_in_hour,
                    "duplicates_seen_before": rep.duplicates_seen_before,
                    "pii_entities_masked": MetadataValue.md(pii),
                    "dates_normalized": rep.dates_found,
                    "near_dup_clusters": rep.near_dup_clusters,
                    "other_hours_relabelled": len(rep.clusters_refreshed),
                    "preview": markdown_table(rep.preview),
                }
            )
        metas[name] = meta
    return metas


@asset_check(asset=TURNS, partitions_def=HOURLY, blocking=True,
             description="Leakage audit: no personnummer, phone, e-mail, IBAN or card number "
             "survives in any silver table of the hour.")  # fmt: skip
def silver_no_pii(context: AssetCheckExecutionContext, kvarn: KvarnResource) -> AssetCheckResult:
    cfg = kvarn.lake()
    paths = [cfg.table("silver", n) for n in SILVER_KEYS]
    checks = []
    hours = step_hours(context)
    with delta.table_cache():
        reports = audit_partitions(paths, hours, storage_options=cfg.storage_options)
    for hour, report in zip(hours, reports, strict=True):
        checks.append(HourCheck(hour, report.blocking == 0, {
            "blocking_findings": report.blocking,
            "name_like_residues": report.warnings,
            "by_type": MetadataValue.json(report.by_type),
        }))  # fmt: skip
    return batch_check(checks)


@asset_check(asset=TURNS, partitions_def=HOURLY,
             description="Great Expectations suite on the hour's turns: ids unique and present, "
             "confidence in [0, 1], timestamps inside the hour.")  # fmt: skip
def silver_turns_expectations(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> AssetCheckResult:
    cfg = kvarn.lake()
    path, so = cfg.table("silver", "turns"), cfg.storage_options
    hours = step_hours(context)
    with delta.table_cache():
        turns = {h: delta.read_partition(path, "hour", h, columns=COLUMNS, storage_options=so)
                 for h in hours}  # fmt: skip
    outcomes = expectations_for_hours(turns)
    checks = [
        HourCheck(hour, outcomes[hour].success,
                  {"expectations": MetadataValue.json(outcomes[hour].results)},
                  AssetCheckSeverity.WARN)
        for hour in hours
    ]  # fmt: skip
    return batch_check(checks)
