"""The Dagster code location: assets, checks, jobs and schedules.

Hourly partitioned: bronze → silver → gold/candidates (job ``hourly_pipeline``). Unpartitioned and
rebuilt deterministically: the gold training tables (``rebuild_gold_tables``, daily) and the
training exports (``daily_export``). Governance: ``retention_job`` (daily).
"""

from datetime import UTC, timedelta

from dagster import (
    AssetSelection,
    Definitions,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from assets.alerts import ALERT_SENSORS
from assets.bronze import bronze, bronze_conservation
from assets.export import EXPORT_ASSETS, EXPORT_JOBS, EXPORT_SCHEDULES
from assets.gold import (
    GOLD_ASSETS,
    GOLD_HOURLY_ASSETS,
    GOLD_HOURLY_CHECKS,
    GOLD_JOBS,
    GOLD_SCHEDULES,
    GOLD_TABLE_ASSETS,
    GOLD_TABLE_CHECKS,
)
from assets.governance import GOVERNANCE_JOBS, GOVERNANCE_SCHEDULES
from assets.observe import OBSERVE_HOURLY_ASSETS
from assets.partitions import HOURLY, batch_tags
from assets.quality import dq_hourly
from assets.resources import KvarnResource
from assets.run_reports import RUN_REPORT_SENSORS
from assets.silver import silver, silver_no_pii, silver_turns_expectations

hourly_pipeline = define_asset_job(
    "hourly_pipeline",
    selection=AssetSelection.assets(
        bronze, silver, *GOLD_HOURLY_ASSETS, *OBSERVE_HOURLY_ASSETS, dq_hourly
    ),
    partitions_def=HOURLY,
    description="Bronze → silver → gold candidates for one event-time hour.",
)


@schedule(
    job=hourly_pipeline,
    cron_schedule="5 * * * *",
    execution_timezone="UTC",
    name="hourly_pipeline_schedule",
)
def hourly_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """At minute 5, the hour that just ended (the hour in progress is a partition as well, for
    on-demand runs, but a schedule waits until it is over)."""
    ended = context.scheduled_execution_time.astimezone(UTC) - timedelta(hours=1)
    key = ended.strftime("%Y-%m-%d-%H:00")
    return RunRequest(run_key=f"hourly-{key}", partition_key=key)


@schedule(job=hourly_pipeline, cron_schedule="30 0 * * *", execution_timezone="UTC")
def late_data_settle(context: ScheduleEvaluationContext) -> RunRequest:
    """Late-data policy: an hour is provisional until its late-arrival window (the next UTC day)
    has closed; then every hour of that day is re-materialized once (idempotent overwrite), as
    one run over the day's 24 hours."""
    day = (context.scheduled_execution_time - timedelta(days=2)).date()
    hours = [f"{day.isoformat()}T{h:02d}" for h in range(24)]
    return RunRequest(run_key=f"settle-{day.isoformat()}", tags=batch_tags(hours))


# What `kvarn run` materializes per hour, and once after all hours.
ASSETS = [bronze, silver, *GOLD_HOURLY_ASSETS, *OBSERVE_HOURLY_ASSETS, dq_hourly]
CHECKS = [bronze_conservation, silver_no_pii, silver_turns_expectations, *GOLD_HOURLY_CHECKS]
TABLE_ASSETS = [*GOLD_TABLE_ASSETS]
TABLE_CHECKS = [*GOLD_TABLE_CHECKS]

defs = Definitions(
    assets=[bronze, silver, *GOLD_ASSETS, *EXPORT_ASSETS, *OBSERVE_HOURLY_ASSETS, dq_hourly],
    asset_checks=[*CHECKS, *TABLE_CHECKS],
    jobs=[hourly_pipeline, *GOLD_JOBS, *EXPORT_JOBS, *GOVERNANCE_JOBS],
    schedules=[
        hourly_schedule,
        late_data_settle,
        *GOLD_SCHEDULES,
        *EXPORT_SCHEDULES,
        *GOVERNANCE_SCHEDULES,
    ],
    sensors=[*RUN_REPORT_SENSORS, *ALERT_SENSORS],
    resources={"kvarn": KvarnResource()},
)
