"""Schedules request the partitions the late-data policy says they should."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import DefaultScheduleStatus, build_schedule_context

from assets.definitions import defs, hourly_schedule, late_data_settle


def test_hourly_schedule_requests_the_hour_that_just_ended() -> None:
    assert hourly_schedule.cron_schedule == "5 * * * *"
    ctx = build_schedule_context(
        scheduled_execution_time=datetime(2025, 9, 2, 10, 5, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    data = hourly_schedule.evaluate_tick(ctx)
    keys = [r.partition_key for r in data.run_requests or []]
    assert keys == ["2025-09-02-09:00"]


def test_settle_reruns_every_hour_of_the_day_whose_window_closed() -> None:
    ctx = build_schedule_context(
        scheduled_execution_time=datetime(2025, 9, 3, 0, 30, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    # Evaluated as the daemon does: one run over the day's hours, not 24 runs.
    (request,) = late_data_settle.evaluate_tick(ctx).run_requests or []
    assert request.partition_key_range is not None
    assert request.partition_key_range.start == "2025-09-01-00:00"
    assert request.partition_key_range.end == "2025-09-01-23:00"
    assert request.run_key == "settle-2025-09-01"


def test_code_location_has_jobs_and_schedules() -> None:
    names = {s.name for s in defs.schedules or []}
    assert {"hourly_pipeline_schedule", "late_data_settle"} <= names
    assert defs.resolve_job_def("hourly_pipeline") is not None


def test_daily_schedules_run_in_dependency_order_and_are_on() -> None:
    """The export reads the gold tables, so the gold rebuild runs first; both run by default
    once a daemon is up (README: daily)."""
    by_name = {s.name: s for s in defs.schedules or []}
    gold, export = by_name["rebuild_gold_tables_schedule"], by_name["daily_export_schedule"]
    assert gold.default_status == export.default_status == DefaultScheduleStatus.RUNNING
    minutes = [int(s.cron_schedule.split()[1]) * 60 + int(s.cron_schedule.split()[0])
               for s in (gold, export)]  # fmt: skip
    assert minutes[0] < minutes[1]
