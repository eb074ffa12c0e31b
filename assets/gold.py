"""Gold assets: review candidates chosen by the active-learning rules."""

from __future__ import annotations

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from assets.partitions import HOURLY
from assets.resources import KvarnResource
from assets.silver import SILVER_KEYS
from pipelines.io import delta
from pipelines.scoring import build_candidates_hour
from pipelines.timestamps import dagster_key_to_hour

CANDIDATES = AssetKey(["gold", "candidates"])


@asset(
    key=CANDIDATES,
    deps=[SILVER_KEYS["turns"], SILVER_KEYS["tool_calls"]],
    partitions_def=HOURLY,
    group_name="gold",
    description="Turns worth a reviewer's time (consented only), with reasons, priority and "
    "score; one table, merged by candidate id so review decisions survive reruns.",
)
def candidates(context: AssetExecutionContext, kvarn: KvarnResource) -> MaterializeResult:
    hour = dagster_key_to_hour(context.partition_key)
    rep = build_candidates_hour(kvarn.lake(), hour)
    reasons = "\n".join(f"- {k}: {v}" for k, v in sorted(rep.by_reason.items())) or "_none_"
    return MaterializeResult(
        metadata={
            "turns_scored": rep.turns,
            "candidates": rep.candidates,
            "by_reason": MetadataValue.md(reasons),
            "delta_version": rep.version or 0,
        }
    )


@asset_check(asset=CANDIDATES, partitions_def=HOURLY, blocking=True,
             description="Every candidate of the hour has at least one reason and traces to a "
             "silver turn.")  # fmt: skip
def candidates_have_reasons(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> AssetCheckResult:
    hour = dagster_key_to_hour(context.partition_key)
    cfg = kvarn.lake()
    cands = delta.read_table(cfg.table("gold", "candidates"), filters=[("hour", "=", hour)])
    turns = delta.read_partition(cfg.table("silver", "turns"), "hour", hour, columns=["event_id"])
    if cands is None or cands.height == 0:
        return AssetCheckResult(passed=True, metadata={"candidates": 0})
    no_reason = cands.filter(pl.col("reasons").list.len() == 0).height
    known = set() if turns is None else set(turns["event_id"].to_list())
    orphans = sum(1 for ids in cands["event_ids"].to_list() if not set(ids) <= known)
    return AssetCheckResult(
        passed=no_reason == 0 and orphans == 0,
        metadata={"candidates": cands.height, "without_reason": no_reason, "orphans": orphans},
    )
