"""Which ``gold/dq_hourly`` rows become alerts, and what the alerts may say."""

from __future__ import annotations

import polars as pl

from pipelines.export.diff import MetricChange
from pipelines.observe.alerts import Severity
from pipelines.observe.alerts.channels import slack_payload
from pipelines.observe.alerts.sources import DqCursor, export_drop_alert, new_dq_breaches
from pipelines.observe.schemas import DQ_HOURLY


def frame(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """(hour, metric, status) rows with the other columns of the schema filled in."""
    return pl.DataFrame(
        {
            "hour": [r[0] for r in rows],
            "metric": [r[1] for r in rows],
            "value": [0.5] * len(rows),
            "unit": ["ratio"] * len(rows),
            "warn_at": [0.1] * len(rows),
            "error_at": [0.3] * len(rows),
            "comparison": [">"] * len(rows),
            "status": [r[2] for r in rows],
            "detail": [""] * len(rows),
        },
        schema=DQ_HOURLY,
    )


def test_breaches_alert_once_escalate_and_alert_again_after_recovery() -> None:
    hour = "2025-09-01T10"
    rows = frame((hour, "quarantine_rate", "warn"), (hour, "rows_bronze", "info"),
                 (hour, "consent_coverage", "ok"))  # fmt: skip
    first, cursor = new_dq_breaches(rows, DqCursor())
    assert [(a.key, a.severity) for a in first] == [("dq:quarantine_rate", Severity.WARNING)]
    same, cursor = new_dq_breaches(frame(("2025-09-01T10", "quarantine_rate", "warn")), cursor)
    assert same == []
    worse, cursor = new_dq_breaches(frame(("2025-09-01T10", "quarantine_rate", "error")), cursor)
    assert [a.severity for a in worse] == [Severity.ERROR]
    ok, cursor = new_dq_breaches(frame(("2025-09-01T10", "quarantine_rate", "ok")), cursor)
    assert ok == [] and cursor.seen == {}
    again, cursor = new_dq_breaches(frame(("2025-09-01T10", "quarantine_rate", "warn")), cursor)
    assert len(again) == 1
    assert DqCursor.parse(cursor.dumps()) == cursor


def test_hours_older_than_the_horizon_are_forgotten_and_ignored() -> None:
    _, cursor = new_dq_breaches(frame(("2025-08-01T10", "quarantine_rate", "warn")), DqCursor())
    assert cursor.seen == {"2025-08-01T10|quarantine_rate": "warn"}
    alerts, cursor = new_dq_breaches(
        frame(("2025-08-01T11", "quarantine_rate", "error"), ("2025-09-01T10", "dup", "warn")),
        cursor,
    )
    assert [a.labels["hour"] for a in alerts] == ["2025-09-01T10"]
    assert list(cursor.seen) == ["2025-09-01T10|dup"]


def test_export_drop_alert_names_dataset_metric_and_change() -> None:
    alert = export_drop_alert("sft", "v20250902_030001", "v20250902_030000",
                              [MetricChange("rows", 200, 110)], promoted=False)  # fmt: skip
    assert alert.severity is Severity.WARNING and alert.key == "export_quality_drop:sft"
    assert "Dataset sft" in alert.body and "rows 200 -> 110 (-45.0%)" in alert.body
    assert "latest stays at v20250902_030000" in alert.body
    assert slack_payload(alert)["text"].startswith(":warning: [WARNING] Export quality dropped")
