"""Sensors that turn what went wrong into alerts: failed runs, failed asset checks and breached
data-quality thresholds in ``gold/dq_hourly``.

Thin on purpose: each sensor reads what is new since its cursor, builds alerts with
``pipelines/observe/alerts/sources.py`` and fires them; de-duplication, cool-down and channel
failures are the engine's. The lead wires ``ALERT_SENSORS`` into the code location.
"""

import json
from collections.abc import Sequence
from datetime import datetime

from dagster import (
    AssetCheckEvaluation,
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from assets.resources import KvarnResource
from pipelines.observe.alerts import Alert, Delivery, load_config
from pipelines.observe.alerts.dispatch import fire_all
from pipelines.observe.alerts.sources import (
    DqCursor,
    check_alert,
    dq_breaches_since,
    run_failure_alert,
)

CHECK_BATCH = 200  # finished runs read per tick; the cursor carries on from the last one
CHECK_EVALUATION = DagsterEventType.ASSET_CHECK_EVALUATION
FINISHED = [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]


def deliver_alerts(alerts: Sequence[Alert], kvarn: KvarnResource) -> str:
    """Fire ``alerts``; a one-line account of what each channel did (failures retried later)."""
    if not alerts:
        return "nothing new"
    data_dir = kvarn.lake().data_dir
    deliveries: list[Delivery] = fire_all(alerts, data_dir, config=load_config(data_dir))
    counts: dict[str, int] = {}
    for d in deliveries:
        counts[f"{d.channel} {d.outcome}"] = counts.get(f"{d.channel} {d.outcome}", 0) + 1
    failed = sorted({d.error for d in deliveries if d.outcome == "failed"})
    summary = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items())) or "no channel wanted it"
    return f"{len(alerts)} alert(s); {summary}" + (f"; {'; '.join(failed)}" if failed else "")


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="An ERROR alert when a run of this code location fails.",
)
def alert_on_run_failure(context: RunFailureSensorContext, kvarn: KvarnResource) -> None:
    run = context.dagster_run
    steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    context.log.info(deliver_alerts([run_failure_alert(run.job_name, run.run_id, steps)], kvarn))


@sensor(
    name="alert_on_failed_checks",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="An alert per failed asset-check evaluation since the cursor (WARN → WARNING, "
    "ERROR → ERROR).",
)
def alert_on_failed_checks(context: SensorEvaluationContext, kvarn: KvarnResource) -> SkipReason:
    # Runs, not event ids: the default SQLite event log is sharded per run and has no global
    # event cursor. The cursor is the last finished run's update time and the runs read at it.
    cursor = json.loads(context.cursor) if context.cursor else {}
    after = datetime.fromisoformat(cursor["after"]) if "after" in cursor else None
    runs = context.instance.get_run_records(
        RunsFilter(statuses=FINISHED, updated_after=after),
        limit=CHECK_BATCH,
        order_by="update_timestamp",
        ascending=True,
    )
    alerts = []
    for record in runs:
        run_id = record.dagster_run.run_id
        if run_id in cursor.get("runs", []):
            continue
        for entry in context.instance.all_logs(run_id, of_type=CHECK_EVALUATION):
            event = entry.dagster_event
            evaluation = event.event_specific_data if event is not None else None
            if isinstance(evaluation, AssetCheckEvaluation) and not evaluation.passed:
                alerts.append(check_alert(
                    evaluation.asset_key.to_user_string(), evaluation.check_name,
                    evaluation.severity.value, run_id, evaluation.partition,
                ))  # fmt: skip
    message = deliver_alerts(alerts, kvarn)
    if runs:
        last = runs[-1].update_timestamp
        at_last = [r.dagster_run.run_id for r in runs if r.update_timestamp == last]
        context.update_cursor(json.dumps({"after": last.isoformat(), "runs": at_last}))
    return SkipReason(message)


@sensor(
    name="alert_on_dq_thresholds",
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description="An alert per data-quality threshold breached in gold/dq_hourly since the "
    "cursor (warn → WARNING, error → ERROR).",
)
def alert_on_dq_thresholds(context: SensorEvaluationContext, kvarn: KvarnResource) -> SkipReason:
    alerts, cursor = dq_breaches_since(kvarn.lake(), DqCursor.parse(context.cursor))
    message = deliver_alerts(alerts, kvarn)
    context.update_cursor(cursor.dumps())
    return SkipReason(message)


ALERT_SENSORS = [alert_on_run_failure, alert_on_failed_checks, alert_on_dq_thresholds]
