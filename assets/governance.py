"""Governance jobs: retention (daily) and queued erasure requests (hourly).

Thin: each op calls the engine (which takes the lake's write lock) and reports what went, in
counts and bytes only — never an id, a pseudonym or a text.
"""

from dagster import (
    DefaultScheduleStatus,
    MetadataValue,
    OpExecutionContext,
    Output,
    ScheduleDefinition,
    job,
    op,
)

from assets.instance_dirs import dagster_instance_dirs
from assets.resources import KvarnResource
from pipelines.governance.forget import process_pending
from pipelines.governance.policy import load_policy
from pipelines.governance.retention import run_retention
from pipelines.pii import load_pseudonym_key


@op(description="Delete what the retention policy says has expired, and purge its history.")
def apply_retention_policy(context: OpExecutionContext, kvarn: KvarnResource) -> Output[int]:
    report = run_retention(kvarn.lake(), load_policy(kvarn.retention_policy or None))
    plan = report.plan
    table = "\n".join(
        f"| {name} | {n} | {rows} | {size} |" for name, (n, rows, size) in plan.summary().items()
    )
    context.log.info(f"retention: {len(plan.items)} partition(s), {plan.rows} row(s) expired")
    return Output(
        len(plan.items),
        metadata={
            "partitions_expired": len(plan.items),
            "rows_expired": plan.rows,
            "bytes_expired": plan.bytes,
            "horizons": MetadataValue.json(plan.cutoffs),
            "by_table": MetadataValue.md(
                "| table | partitions | rows | bytes |\n|---|---|---|---|\n" + table
                if table
                else "_nothing expired_"
            ),
        },
    )


@job(description="Retention: expired partitions deleted, history purged, landing days removed.")
def retention_job() -> None:
    apply_retention_policy()


retention_daily = ScheduleDefinition(
    job=retention_job,
    cron_schedule="15 1 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)


@op(description="Erase the subject of every queued request (kvarn forget --queue).")
def process_erasure_requests(context: OpExecutionContext, kvarn: KvarnResource) -> Output[int]:
    cfg = kvarn.lake()
    key = load_pseudonym_key(demo=kvarn.silver_options().demo,
                             key_file=f"{cfg.secrets}/pseudonym.key")  # fmt: skip
    receipts = process_pending(cfg, key, dagster_instance_dirs(cfg.data_dir))
    context.log.info(f"erasure: {len(receipts)} request(s) processed")
    return Output(
        len(receipts),
        metadata={
            "requests": len(receipts),
            "rows_erased": sum(sum(r.rows.values()) for r in receipts),
            "landing_lines_erased": sum(r.landing_lines for r in receipts),
            "export_versions_replaced": sum(len(r.export_versions_removed) for r in receipts),
            "receipts": MetadataValue.json([r.request_id for r in receipts]),
        },
    )


@job(description="Right to be forgotten: process queued erasure requests, with receipts.")
def erasure_job() -> None:
    process_erasure_requests()


erasure_hourly = ScheduleDefinition(
    job=erasure_job,
    cron_schedule="45 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)

GOVERNANCE_JOBS = [retention_job, erasure_job]
GOVERNANCE_SCHEDULES = [retention_daily, erasure_hourly]
