"""One run report per finished ``hourly_pipeline`` run, success or failure.

Run-status sensors (running by default, so the daemon evaluates them) write
``data/runs/YYYYMMDD_HHMM/`` for each run the schedules, backfills or the UI launched. ``kvarn run``
writes one report for its whole range itself; its runs carry ``kvarn/source = kvarn run`` and are
skipped here, and a run that already has a report is never reported twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunStatusSensorContext,
    SkipReason,
    run_status_sensor,
)

from assets.reclaim import SOURCE_TAG
from assets.resources import KvarnResource
from pipelines.io.timestamps import dagster_key_to_hour
from pipelines.observe.after_run import finish_run
from pipelines.observe.run_report import report_for_run, runs_root
from pipelines.observe.snapshot import RunFacts

REPORTED_JOBS = ("hourly_pipeline",)  # the job the schedules launch (assets/definitions.py)
_PARTITION = "dagster/partition"
_RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def run_hours(tags: dict[str, str]) -> tuple[str, ...]:
    """The hours a run covered, from its partition (or backfill range) tags."""
    if tags.get(_PARTITION):
        return (dagster_key_to_hour(tags[_PARTITION]),)
    start, end = (tags.get(t) for t in _RANGE)
    if not start or not end:
        return ()
    first = datetime.strptime(dagster_key_to_hour(start), "%Y-%m-%dT%H")
    last = datetime.strptime(dagster_key_to_hour(end), "%Y-%m-%dT%H")
    n = int((last - first).total_seconds() // 3600) + 1
    return tuple((first + timedelta(hours=i)).strftime("%Y-%m-%dT%H") for i in range(n))


def report_finished_run(context: RunStatusSensorContext, kvarn: KvarnResource) -> SkipReason:
    """Write the report of the run behind ``context``; the reason says what happened."""
    run = context.dagster_run
    if run.job_name not in REPORTED_JOBS:
        return SkipReason(f"run {run.run_id} of {run.job_name} is not an hourly pipeline run")
    if run.tags.get(SOURCE_TAG) == "kvarn run":
        return SkipReason(f"run {run.run_id} is part of a `kvarn run`, which writes its own report")
    cfg = kvarn.lake()
    root = runs_root(cfg)
    if report_for_run(root, run.run_id) is not None:
        return SkipReason(f"run {run.run_id} already has a report")
    record = context.instance.get_run_record_by_id(run.run_id)
    now = datetime.now(UTC)
    started = now
    ended = now
    if record is not None:
        started = datetime.fromtimestamp(record.start_time, UTC) if record.start_time else now
        ended = datetime.fromtimestamp(record.end_time, UTC) if record.end_time else now
    hours = run_hours(dict(run.tags))
    failed = run.status == DagsterRunStatus.FAILURE
    facts = RunFacts(
        id=run.run_id,
        started=started,
        ended=ended,
        hours=hours,
        failed_hours=hours if failed else (),
        source="dagster",
        error="the Dagster run failed (see its page in `make ui`)" if failed else "",
    )
    done = finish_run(cfg, facts, root)
    context.log.info(f"run report written to {done.report}")
    if done.textfile is None:
        context.log.warning(f"metrics textfile not written: {done.textfile_error}")
    return SkipReason(f"report written to {done.report}")


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes data/runs/<start>/ (summary.md, metrics.csv, log.jsonl) per hourly run.",
)
def run_report_on_success(context: RunStatusSensorContext, kvarn: KvarnResource) -> SkipReason:
    return report_finished_run(context, kvarn)


@run_status_sensor(
    run_status=DagsterRunStatus.FAILURE,
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes the report of a failed hourly run (Overall Status: FAILED).",
)
def run_report_on_failure(context: RunStatusSensorContext, kvarn: KvarnResource) -> SkipReason:
    return report_finished_run(context, kvarn)


RUN_REPORT_SENSORS = [run_report_on_success, run_report_on_failure]
