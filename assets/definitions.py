"""The Dagster code location: assets, checks, the hourly job and its schedules."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    RunRequest,
    ScheduleEvaluationContext,
    build_schedule_from_partitioned_job,
    define_asset_job,
    schedule,
)

from assets.bronze import bronze, bronze_conservation
from assets.gold import candidates, candidates_have_reasons
from assets.partitions import HOURLY
from assets.resources import KvarnResource
from assets.silver import silver, silver_no_pii, silver_turns_expectations

hourly_pipeline = define_asset_job(
    "hourly_pipeline",
    selection=AssetSelection.groups("bronze", "silver", "gold"),
    partitions_def=HOURLY,
    description="Bronze → silver → gold for one event-time hour.",
)

hourly_schedule = build_schedule_from_partitioned_job(hourly_pipeline, minute_of_hour=5)


@schedule(job=hourly_pipeline, cron_schedule="30 0 * * *", execution_timezone="UTC")
def late_data_settle(context: ScheduleEvaluationContext) -> list[RunRequest]:
    """Late-data policy: an hour is provisional until its late-arrival window (the next UTC day)
    has closed; then every hour of that day is re-materialized once (idempotent overwrite)."""
    from datetime import timedelta

    day = (context.scheduled_execution_time - timedelta(days=2)).date()
    keys = [f"{day.isoformat()}-{h:02d}:00" for h in range(24)]
    return [RunRequest(run_key=f"settle-{k}", partition_key=k) for k in keys]


ASSETS = [bronze, silver, candidates]
CHECKS = [bronze_conservation, silver_no_pii, silver_turns_expectations, candidates_have_reasons]

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[hourly_pipeline],
    schedules=[hourly_schedule, late_data_settle],
    resources={"kvarn": KvarnResource()},
)
