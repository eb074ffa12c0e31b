"""The alert sensors against a real Dagster instance: a failed run, failed asset checks and
breached thresholds in ``gold/dq_hourly`` reach the Slack and SMTP receivers once."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.alerts import alert_on_dq_thresholds, alert_on_failed_checks, alert_on_run_failure
from assets.resources import KvarnResource
from pipelines.config import LakeConfig
from tests.integration.alert_receivers import file_lines, slack_server, smtp_server, write_config
from tests.integration.test_alerts_delivery import dq_rows, write_dq


@dg.asset(check_specs=[
    dg.AssetCheckSpec("rows_present", asset="probe", description="warns"),
    dg.AssetCheckSpec("no_residue", asset="probe", description="errors"),
    dg.AssetCheckSpec("schema_ok", asset="probe", description="passes"),
])  # fmt: skip
def probe() -> dg.Output[int]:
    """An asset whose checks fail the way kvarn's do: one WARN, one ERROR, one passing."""
    yield dg.Output(1)
    yield dg.AssetCheckResult(check_name="rows_present", passed=False,
                              severity=dg.AssetCheckSeverity.WARN)  # fmt: skip
    yield dg.AssetCheckResult(check_name="no_residue", passed=False,
                              severity=dg.AssetCheckSeverity.ERROR)  # fmt: skip
    yield dg.AssetCheckResult(check_name="schema_ok", passed=True)


@dg.asset
def broken() -> None:
    raise RuntimeError("boom")


def _tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    kvarn: KvarnResource,
    cursor: str | None = None,
) -> str | None:
    """One evaluation of ``sensor``; returns the cursor it left."""
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"kvarn": kvarn}
    ) as context:
        sensor(context)
        return context.cursor


def test_sensors_alert_on_checks_thresholds_and_run_failures(tmp_path: Path) -> None:
    kvarn = KvarnResource(data_dir=str(tmp_path))
    with slack_server() as slack, smtp_server() as mail, dg.instance_for_test() as instance:
        write_config(tmp_path, slack.port, mail.port)

        # Failed asset checks: WARN -> WARNING, ERROR -> ERROR, the passing one stays quiet.
        assert dg.materialize([probe], instance=instance).success
        cursor = _tick(alert_on_failed_checks, instance, kvarn)
        subjects = sorted(m["Subject"] for m in mail.messages)
        assert subjects == ["[kvarn ERROR] Asset check failed: probe no_residue",
                            "[kvarn WARNING] Asset check failed: probe rows_present"]  # fmt: skip
        _tick(alert_on_failed_checks, instance, kvarn, cursor)  # nothing new since the cursor
        assert len(mail.messages) == 2 and len(slack.posts) == 2

        # A breached threshold in gold/dq_hourly, then a tick with nothing new.
        write_dq(LakeConfig(data_dir=str(tmp_path)), dq_rows("2025-09-01T11", 0.09, "error"))
        _tick(
            alert_on_dq_thresholds, instance, kvarn, _tick(alert_on_dq_thresholds, instance, kvarn)
        )
        assert len(slack.posts) == 3 and "quarantine_rate = 0.09" in slack.posts[-1]["text"]

        # A failed run.
        result = dg.materialize([broken], instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        run_ctx = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure", dagster_event=failure, dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id), resources={"kvarn": kvarn},
        ).for_run_failure()  # fmt: skip
        alert_on_run_failure(run_ctx)
        assert len(slack.posts) == 4 and len(mail.messages) == 4
        last = file_lines(tmp_path)[-1]
        assert last["severity"] == "ERROR" and last["labels"]["run_id"] == result.run_id
        assert "broken" in last["body"] and "boom" not in last["body"]
