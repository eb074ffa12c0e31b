"""Alerts reach a real Slack-compatible webhook, a real SMTP server and the alert log, once per
cool-down, and survive a receiver that is down."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.observe.alerts import AlertConfigError, Severity, fire, load_config
from pipelines.observe.alerts.sources import DqCursor, check_alert, dq_alert, dq_breaches_since
from pipelines.observe.alerts.state import DeliveryState, state_path
from pipelines.observe.schemas import DQ_HOURLY
from tests.integration.alert_receivers import (
    file_lines,
    free_port,
    slack_server,
    smtp_server,
    write_config,
)

T0 = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def dq_rows(hour: str, quarantine: float, status: str) -> pl.DataFrame:
    """Rows of gold/dq_hourly as its schema has them: one breached, one fine."""
    return pl.DataFrame(
        {
            "hour": [hour, hour],
            "metric": ["quarantine_rate", "consent_coverage"],
            "value": [quarantine, 0.97],
            "unit": ["ratio", "ratio"],
            "warn_at": [0.02, 0.9],
            "error_at": [0.05, 0.8],
            "comparison": [">", "<"],
            "status": [status, "ok"],
            "detail": ["top reasons: schema_invalid=41, bad_json=3", ""],
        },
        schema=DQ_HOURLY,
    )


def write_dq(cfg: LakeConfig, frame: pl.DataFrame) -> None:
    delta.overwrite_partition(cfg.table("gold", "dq_hourly"), frame, "hour", frame["hour"][0])


def test_a_breached_threshold_fires_once_per_channel_within_the_cooldown(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    with slack_server() as slack, smtp_server() as mail:
        write_config(tmp_path, slack.port, mail.port, cooldown=30)
        write_dq(cfg, dq_rows("2025-09-01T11", 0.04, "warn"))
        alerts, cursor = dq_breaches_since(cfg, DqCursor())
        assert [a.key for a in alerts] == ["dq:quarantine_rate"]
        for minute in range(0, 25, 5):  # the same breach, fired five times in 25 minutes
            fire(alerts[0], tmp_path, now=T0 + timedelta(minutes=minute))
        # ... and seen once more by the asset-check sensor, as the failed WARN check it also is
        fire(check_alert("gold/dq_hourly", "quarantine_rate", "WARN", "run-1", "2025-09-01-11:00"),
             tmp_path, now=T0 + timedelta(minutes=26))  # fmt: skip
        assert len(slack.posts) == 1 and len(mail.messages) == 1 and len(file_lines(tmp_path)) == 1
        post = slack.posts[0]
        assert "quarantine_rate = 0.04 ratio in hour 2025-09-01T11" in post["text"]
        assert post["blocks"][0]["type"] == "section"
        assert mail.messages[0]["Subject"] == "[kvarn WARNING] Data quality warn: quarantine_rate"
        assert mail.recipients == [["oncall@example.org"]]
        assert file_lines(tmp_path)[0]["labels"] == {
            "hour": "2025-09-01T11", "metric": "quarantine_rate", "status": "warn"
        }  # fmt: skip

        # Nothing new in the table: the cursor keeps the sensor quiet.
        assert dq_breaches_since(cfg, cursor)[0] == []
        # The cool-down over (simulated clock): exactly one more per channel.
        fire(alerts[0], tmp_path, now=T0 + timedelta(minutes=31))
        fire(alerts[0], tmp_path, now=T0 + timedelta(minutes=32))
        assert len(slack.posts) == 2 and len(mail.messages) == 2 and len(file_lines(tmp_path)) == 2

        # The next hour escalates to error within the cool-down: delivered at once.
        write_dq(cfg, dq_rows("2025-09-01T12", 0.09, "error"))
        worse, cursor = dq_breaches_since(cfg, cursor)
        assert [(a.key, a.severity) for a in worse] == [("dq:quarantine_rate", Severity.ERROR)]
        fire(worse[0], tmp_path, now=T0 + timedelta(minutes=33))
        fire(alerts[0], tmp_path, now=T0 + timedelta(minutes=34))  # a lower repeat stays quiet
        assert len(slack.posts) == 3 and len(mail.messages) == 3
        assert "[ERROR]" in slack.posts[-1]["text"]
        # Re-materializing an hour with the same status is not a new breach.
        write_dq(cfg, dq_rows("2025-09-01T12", 0.09, "error"))
        assert dq_breaches_since(cfg, cursor)[0] == []


def test_a_receiver_that_is_down_does_not_crash_and_gets_it_on_the_next_firing(
    tmp_path: Path,
) -> None:
    slack_port, smtp_port = free_port(), free_port()
    write_config(tmp_path, slack_port, smtp_port, cooldown=30)
    alert = dq_alert(dq_rows("2025-09-01T11", 0.09, "error").row(0, named=True))
    first = fire(alert, tmp_path, now=T0)  # nobody listens on either port
    assert {(d.channel, d.outcome) for d in first} == {
        ("file", "sent"), ("slack", "failed"), ("email", "failed")
    }  # fmt: skip
    assert all("unreachable" in d.error for d in first if d.outcome == "failed")
    pending = DeliveryState(state_path(tmp_path)).pending()
    assert {(p.channel, p.key, p.attempts) for p in pending} == {
        ("slack", alert.key, 1), ("email", alert.key, 1)
    }  # fmt: skip
    with slack_server(slack_port) as slack, smtp_server(smtp_port) as mail:
        # Another alert fires a minute later: the pending one goes out first, then the new one.
        other = dq_alert(dq_rows("2025-09-01T11", 0.97, "warn").row(1, named=True) | {
            "status": "warn"})  # fmt: skip
        second = fire(other, tmp_path, now=T0 + timedelta(minutes=1))
        assert {(d.channel, d.key, d.outcome) for d in second} == {
            ("file", other.key, "sent"),
            ("slack", alert.key, "retried"), ("slack", other.key, "sent"),
            ("email", alert.key, "retried"), ("email", other.key, "sent"),
        }  # fmt: skip
        # The failed alert itself, fired again, is now within its cool-down everywhere.
        third = fire(alert, tmp_path, now=T0 + timedelta(minutes=2))
        assert {d.outcome for d in third} == {"suppressed"}
    assert len(slack.posts) == 2 and len(mail.messages) == 2
    assert len(file_lines(tmp_path)) == 2
    assert DeliveryState(state_path(tmp_path)).pending() == []


def _fire_in_process(data_dir: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    alert = dq_alert(dq_rows("2025-09-01T11", 0.09, "error").row(0, named=True))
    barrier.wait()
    fire(alert, data_dir, now=T0)


def test_two_processes_firing_at_once_deliver_once(tmp_path: Path) -> None:
    with slack_server() as slack, smtp_server() as mail:
        write_config(tmp_path, slack.port, mail.port)
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(3)
        procs = [ctx.Process(target=_fire_in_process, args=(str(tmp_path), barrier))
                 for _ in range(3)]  # fmt: skip
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        assert len(slack.posts) == 1 and len(mail.messages) == 1 and len(file_lines(tmp_path)) == 1


def test_config_errors_are_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config(tmp_path).channels["file"].enabled  # the packaged default
    bad = tmp_path / "alerts.yaml"
    monkeypatch.setenv("KVARN_ALERTS_CONFIG", str(bad))
    cases = {
        "channels:\n  pager: {enabled: true}\n": "unknown channel 'pager'",
        "channels:\n  slack: {enabled: true, min_severity: LOUD}\n": "unknown severity 'LOUD'",
        "cooldown_minutes: -1\n": "cooldown_minutes must be a number >= 0",
        "channels:\n  email: {enabled: true, host: h, from: f, to: [a@b], password: x}\n":
            "no password in the file; use password_env",
        "channels: [\n": "is not valid YAML",
    }  # fmt: skip
    for text, message in cases.items():
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(AlertConfigError, match=message) as info:
            load_config(tmp_path)
        assert "\n" not in str(info.value) and str(bad) in str(info.value)
