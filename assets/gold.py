"""Gold assets: review candidates (hourly), the review log, and the four training tables.

Partitioning, stated:

* ``gold/candidates`` is **hourly** like silver: partition H scores the turns of event hour H
  and syncs that hour's slice of one unpartitioned Delta table (merged by candidate id, so a
  rerun refreshes reasons but never a reviewer's decision).
* ``gold/reviews`` is **external**: people write it through ``kvarn review`` (terminal or Label
  Studio import), not Dagster; it is declared so the graph shows where decisions come from.
* ``gold/sft``, ``gold/dpo``, ``gold/rag``, ``gold/nlu`` are **unpartitioned**: each build
  rebuilds all four deterministically from pinned versions of silver and gold.candidates, keyed
  by ``example_id`` (unchanged rows are not rewritten). A daily schedule runs it, ``kvarn
  review`` runs it after a session, and it can be materialized on demand in the UI.
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    AssetSpec,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    asset_check,
    define_asset_job,
    multi_asset,
    multi_asset_check,
)

from assets.metadata import HourCheck, batch_check, batch_metadata, markdown_table
from assets.partitions import BATCHED, HOURLY, step_hours
from assets.resources import KvarnResource
from assets.silver import SILVER_KEYS
from pipelines.gold.candidates import CandidateReport, build_candidates_hours
from pipelines.gold.candidates_refresh import REBUILD_CHUNK, RefreshReport, refresh_candidates
from pipelines.io import delta

CANDIDATES = AssetKey(["gold", "candidates"])
REVIEWS = AssetKey(["gold", "reviews"])
TABLE_KINDS = ("sft", "dpo", "rag", "nlu")
TABLE_KEYS = {kind: AssetKey(["gold", kind]) for kind in TABLE_KINDS}
TABLE_GROUP = "gold_training"
TABLE_DESCRIPTIONS = {
    "sft": "Supervised fine-tuning conversations (reviewed and feedback-confirmed turns).",
    "dpo": "Preference pairs: reviewer corrections, preferred answers, failed→successful retries.",
    "rag": "Retrieval triplets: query, the right document, hard negatives from the other hits.",
    "nlu": "Intent and slot examples (corrected by reviewers or confirmed by users).",
}


@asset(
    key=CANDIDATES,
    deps=[SILVER_KEYS["turns"], SILVER_KEYS["feedback"], SILVER_KEYS["test_results"]],
    partitions_def=HOURLY,
    backfill_policy=BATCHED,
    group_name="gold",
    description="Turns worth a reviewer's time (consented only), with reasons, priority and "
    "score, within the hour's budget and diversity caps; one table merged by candidate id so "
    "review decisions survive reruns. Partitioned hourly by the turn's event hour.",
)
def candidates(context: AssetExecutionContext, kvarn: KvarnResource) -> MaterializeResult:
    hours = step_hours(context)
    cfg = kvarn.lake()
    with delta.table_cache():
        # The step's hours in one scoring pass and one commit per chunk: their silver is all
        # written, so each is scored exactly as on its own.
        reports: list[CandidateReport] = []
        for start in range(0, len(hours), REBUILD_CHUNK):
            reports += build_candidates_hours(cfg, hours[start : start + REBUILD_CHUNK])
        # Other hours whose inputs changed (near-dup relabels, sizes) are rebuilt once per
        # step; the step's own hours were built after every change so far.
        refreshed = refresh_candidates(cfg, hours) if kvarn.refresh_candidates else RefreshReport()
    meta = batch_metadata([(rep.hour, _candidates_metadata(rep)) for rep in reports])
    meta["other_hours_rebuilt"] = len(refreshed.rebuilt)
    meta["other_hours_sizes_updated"] = refreshed.sizes_updated
    return MaterializeResult(metadata=meta)


def _candidates_metadata(rep: CandidateReport) -> dict[str, Any]:
    reasons = "\n".join(f"- {k}: {v}" for k, v in rep.by_reason.items()) or "_none_"
    return {
        "turns_scored": rep.turns,
        "matched_rules": rep.matched,
        "candidates": rep.candidates,
        "by_reason": MetadataValue.md(reasons),
        "capped_by_cluster": rep.capped_by_cluster,
        "capped_by_intent": rep.capped_by_intent,
        "over_budget": rep.over_budget,
        "decided_kept": rep.decided_kept,
        "delta_version": rep.version or 0,
    }


@asset_check(
    asset=CANDIDATES,
    partitions_def=HOURLY,
    blocking=True,
    description="Every candidate of the hour has at least one reason and all its event "
    "ids exist in silver.",
)
def candidates_have_reasons(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> AssetCheckResult:
    from pipelines.gold.trace import check_candidate_hours

    checks = []
    with delta.table_cache():
        reports = check_candidate_hours(kvarn.lake(), step_hours(context))
    for hour, rep in reports.items():
        checks.append(HourCheck(hour, rep.passed, {
            "candidates": rep.rows,
            "without_reason": rep.without_reason,
            "untraced": rep.untraced_rows,
            "missing_event_ids": rep.missing_event_ids,
        }))  # fmt: skip
    return batch_check(checks)


reviews = AssetSpec(
    REVIEWS,
    deps=[CANDIDATES],
    group_name=TABLE_GROUP,
    description="Every review decision ever made (accept / edit / reject / skip), appended by "
    "`kvarn review` and `kvarn review import`; external to Dagster.",
)


@multi_asset(
    specs=[
        AssetSpec(
            key,
            description=TABLE_DESCRIPTIONS[kind] + " Unpartitioned; rebuilt as a whole.",
            deps=[
                CANDIDATES,
                REVIEWS,
                *(SILVER_KEYS[n] for n in ("turns", "tool_calls", "rag_pairs", "feedback")),
            ],
            group_name=TABLE_GROUP,
        )
        for kind, key in TABLE_KEYS.items()
    ],
)
def gold_tables(
    context: AssetExecutionContext, kvarn: KvarnResource
) -> Iterator[MaterializeResult]:
    """Rebuild gold sft/dpo/rag/nlu from review decisions and the automatic rules."""
    from pipelines.gold.build import build_gold
    from pipelines.io import delta

    cfg = kvarn.lake()
    rep = build_gold(cfg)
    context.log.info(f"gold rows: {rep.rows}")
    inputs = {k: v for k, v in rep.inputs.items() if v is not None}
    for kind, key in TABLE_KEYS.items():
        sources = "\n".join(f"- {k}: {v}" for k, v in rep.by_source[kind].items()) or "_none_"
        version = delta.table_version(cfg.table("gold", kind), cfg.storage_options)
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "rows": rep.rows[kind],
                "by_source": MetadataValue.md(sources),
                "changed": rep.written[kind] is not None,
                "delta_version": version or 0,
                "inputs_read": MetadataValue.json(inputs),
            },
        )


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            "traces_to_silver",
            asset=key,
            blocking=True,
            description="Every row's event ids exist in silver.",
        )
        for key in TABLE_KEYS.values()
    ],
)
def gold_rows_trace_to_silver(
    context: AssetCheckExecutionContext, kvarn: KvarnResource
) -> Iterator[AssetCheckResult]:
    from pipelines.gold.trace import check_gold_table

    cfg = kvarn.lake()
    for kind, key in TABLE_KEYS.items():
        rep = check_gold_table(cfg, kind)
        yield AssetCheckResult(
            asset_key=key,
            check_name="traces_to_silver",
            passed=rep.passed,
            metadata={
                "rows": rep.rows,
                "untraced": rep.untraced_rows,
                "missing_event_ids": rep.missing_event_ids,
            },
        )


PATTERN_KEYS = {
    "failure_patterns": AssetKey(["gold", "failure_patterns"]),
    "test_health": AssetKey(["gold", "test_health"]),
}
PATTERN_DESCRIPTIONS = {
    "failure_patterns": "Test failures grouped by root cause (exception type + application "
    "frames, or near-duplicate message): tests affected, count, first/last seen, status "
    "(new / recurring / resolved), flaky tests. Unpartitioned; rebuilt as a whole.",
    "test_health": "Per test: outcome history per test session, flaky (outcome flips), "
    "regression (failed after passing, or slower than its own history). Unpartitioned.",
}


@multi_asset(
    specs=[
        AssetSpec(key, description=PATTERN_DESCRIPTIONS[name], deps=[SILVER_KEYS["test_results"]],
                  group_name=TABLE_GROUP)
        for name, key in PATTERN_KEYS.items()
    ],
)  # fmt: skip
def failure_patterns(
    context: AssetExecutionContext, kvarn: KvarnResource
) -> Iterator[MaterializeResult]:
    """Rebuild the test flywheel's failure patterns and test health from silver test results."""
    from pipelines.gold.candidates import load_rules
    from pipelines.gold.flywheel import build_flywheel_tables

    rep = build_flywheel_tables(kvarn.lake(), load_rules().flywheel)
    for name, key in PATTERN_KEYS.items():
        metadata: dict[str, object] = {"rows": rep.rows[name], "changed": rep.written[name]}
        if name == "failure_patterns":
            metadata["by_status"] = MetadataValue.json(rep.by_status)
            metadata["top_patterns"] = markdown_table(rep.top_patterns)
        else:
            metadata["flaky_tests"] = len(rep.flaky_tests)
            metadata["regressions"] = len(rep.regressions)
        yield MaterializeResult(asset_key=key, metadata=metadata)  # type: ignore[arg-type]


gold_tables_job = define_asset_job(
    "rebuild_gold_tables",
    selection=AssetSelection.assets(*TABLE_KEYS.values(), *PATTERN_KEYS.values()),
    description="Rebuild the four gold training tables and the test flywheel's failure "
    "patterns and test health (unpartitioned), and check them.",
)
# After the late-data settle run (00:30 UTC) has re-materialized the day before yesterday.
gold_tables_daily = ScheduleDefinition(
    job=gold_tables_job,
    cron_schedule="30 2 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)

# Per-hour runs need only the hourly pair; the table assets (+ their check) are best run once
# after a batch of hours, not once per hour (each run rebuilds all four tables).
GOLD_HOURLY_ASSETS: list[AssetsDefinition] = [candidates]
GOLD_TABLE_ASSETS: list[AssetsDefinition] = [gold_tables, failure_patterns]
GOLD_ASSETS: list[AssetsDefinition | AssetSpec] = [
    candidates, reviews, gold_tables, failure_patterns
]  # fmt: skip
GOLD_HOURLY_CHECKS: list[AssetChecksDefinition] = [candidates_have_reasons]
GOLD_TABLE_CHECKS: list[AssetChecksDefinition] = [gold_rows_trace_to_silver]
GOLD_CHECKS: list[AssetChecksDefinition] = [*GOLD_HOURLY_CHECKS, *GOLD_TABLE_CHECKS]
GOLD_JOBS = [gold_tables_job]
GOLD_SCHEDULES = [gold_tables_daily]
