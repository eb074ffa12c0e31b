"""Governance jobs: retention, daily.

Thin: the op reads the policy the resource names, calls the engine (which takes the lake's
write lock) and reports what went, in counts and bytes only.
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

from assets.resources import KvarnResource
from pipelines.governance.policy import load_policy
from pipelines.governance.retention import run_retention


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

GOVERNANCE_JOBS = [retention_job]
GOVERNANCE_SCHEDULES = [retention_daily]
