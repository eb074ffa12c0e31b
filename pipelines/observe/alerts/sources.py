"""The alerts kvarn raises, built from what went wrong: a breached data-quality threshold, a
failed asset check, a failed run and an export whose quality dropped.

Keys name the condition (``dq:quarantine_rate``), so repeats within the cool-down collapse into one
delivery; bodies carry ids, figures and hours, never text from the data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.build import ExportResult
from pipelines.export.diff import MetricChange
from pipelines.io import delta
from pipelines.observe.alerts.model import Alert, Severity

DQ_SEVERITY = {"warn": Severity.WARNING, "error": Severity.ERROR}
CHECK_SEVERITY = {"WARN": Severity.WARNING, "ERROR": Severity.ERROR}
DQ_ASSET = "gold/dq_hourly"  # its checks are the breaches dq_alert reports from the table
# Hours older than this behind the newest dq_hourly hour are neither alerted nor remembered.
DQ_HORIZON = timedelta(days=7)


def _num(value: object) -> str:
    if value is None:
        return "-"
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else f"{number:.4g}"


def dq_alert(row: dict[str, object]) -> Alert:
    """A ``gold/dq_hourly`` row whose status is warn or error, as an alert."""
    metric, status, hour = str(row["metric"]), str(row["status"]), str(row["hour"])
    cmp = str(row.get("comparison") or ">")
    unit = str(row.get("unit") or "")
    limits = f"warn {cmp} {_num(row.get('warn_at'))}, error {cmp} {_num(row.get('error_at'))}"
    detail = str(row.get("detail") or "")
    return Alert(
        key=f"dq:{metric}",
        severity=DQ_SEVERITY[status],
        title=f"Data quality {status}: {metric}",
        body=f"{metric} = {_num(row.get('value'))} {unit} in hour {hour} ({limits})."
        + (f" {detail}" if detail else ""),
        source="gold/dq_hourly",
        labels={"metric": metric, "hour": hour, "status": status},
    )


@dataclass
class DqCursor:
    """Where the data-quality sensor stands: the table version it read and the breach status
    it already alerted per ``hour|metric`` (an hour rebuilt with the same status stays quiet)."""

    version: int = -1
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> DqCursor:
        if not text:
            return cls()
        raw = json.loads(text)
        return cls(int(raw.get("version", -1)), {str(k): str(v) for k, v in raw["seen"].items()})

    def dumps(self) -> str:
        return json.dumps({"version": self.version, "seen": dict(sorted(self.seen.items()))})


def new_dq_breaches(frame: pl.DataFrame, cursor: DqCursor) -> tuple[list[Alert], DqCursor]:
    """Alerts for rows breached since ``cursor`` (new, or worse than alerted), oldest first."""
    if frame.is_empty():
        return [], cursor
    newest = datetime.strptime(str(frame["hour"].max()), "%Y-%m-%dT%H")
    horizon = (newest - DQ_HORIZON).strftime("%Y-%m-%dT%H")
    seen = {k: v for k, v in cursor.seen.items() if k.split("|", 1)[0] >= horizon}
    alerts = []
    for row in frame.filter(pl.col("hour") >= horizon).sort("hour", "metric").iter_rows(named=True):
        slot = f"{row['hour']}|{row['metric']}"
        status = str(row["status"])
        if status not in DQ_SEVERITY:
            seen.pop(slot, None)  # recovered: a later breach of this hour alerts again
            continue
        before = seen.get(slot)
        if before is None or DQ_SEVERITY[status] > DQ_SEVERITY[before]:
            alerts.append(dq_alert(row))
        seen[slot] = status
    return alerts, DqCursor(cursor.version, seen)


def dq_breaches_since(cfg: LakeConfig, cursor: DqCursor) -> tuple[list[Alert], DqCursor]:
    """Read ``gold/dq_hourly`` if it moved since ``cursor`` and return its new breaches."""
    path = cfg.table("gold", "dq_hourly")
    version = delta.table_version(path, cfg.storage_options)
    if version is None or version == cursor.version:
        return [], cursor
    frame = delta.read_table(
        path,
        columns=["hour", "metric", "value", "unit", "warn_at", "error_at", "comparison",
                 "status", "detail"],
        storage_options=cfg.storage_options,
    )  # fmt: skip
    alerts, moved = new_dq_breaches(frame if frame is not None else pl.DataFrame(), cursor)
    moved.version = version
    return alerts, moved


def check_alert(
    asset: str, check: str, severity: str, run_id: str, partition: str | None = None
) -> Alert:
    """A failed asset-check evaluation: Dagster's WARN → WARNING, ERROR → ERROR.

    A ``gold/dq_hourly`` check is the same breach the data-quality sensor reads from the table,
    so it shares that alert's key: one breach, one alert per channel, whichever sensor is first.
    """
    where = f" (partition {partition})" if partition else ""
    return Alert(
        key=f"dq:{check}" if asset == DQ_ASSET else f"check:{asset}:{check}",
        severity=CHECK_SEVERITY.get(severity.upper(), Severity.ERROR),
        title=f"Asset check failed: {asset} {check}",
        body=f"The {severity.upper()} check `{check}` on `{asset}` failed{where} in run "
        f"{run_id}. Its metadata in the Dagster UI says why.",
        source="dagster asset check",
        labels={"asset": asset, "check": check, "run_id": run_id}
        | ({"partition": partition} if partition else {}),
    )


def run_failure_alert(job: str, run_id: str, steps: Sequence[str] = ()) -> Alert:
    """A Dagster run that failed; the error itself stays in the Dagster UI (it may quote data)."""
    failed = f" Failed steps: {', '.join(sorted(steps))}." if steps else ""
    return Alert(
        key=f"run_failure:{job}",
        severity=Severity.ERROR,
        title=f"Run failed: {job}",
        body=f"Run {run_id} of job `{job}` failed.{failed} The run's logs in the Dagster UI "
        "hold the error.",
        source="dagster run",
        labels={"job": job, "run_id": run_id},
    )


def export_drop_alert(
    kind: str, version: str, previous: str | None, drops: Sequence[MetricChange], promoted: bool
) -> Alert:
    """An export version whose quality fell more than 10% against the previous ``latest``."""
    changes = "; ".join(
        f"{c.name} {_num(c.before)} -> {_num(c.after)} ({(c.change or 0.0):+.1%})" for c in drops
    )
    fate = "now latest" if promoted else f"not promoted, latest stays at {previous}"
    return Alert(
        key=f"export_quality_drop:{kind}",
        severity=Severity.WARNING,
        title=f"Export quality dropped: {kind} {version}",
        body=f"Dataset {kind}, version {version} against {previous}: {changes}. "
        f"The new version is {fate}.",
        source="kvarn export",
        labels={"dataset": kind, "version": version, "metrics": ",".join(c.name for c in drops)},
    )


def export_drop_alerts(results: Sequence[ExportResult]) -> list[Alert]:
    """One alert per exported kind whose quality dropped against the previous ``latest``."""
    return [
        export_drop_alert(r.kind, r.path.name, r.previous, r.quality_drops, r.promoted)
        for r in results
        if r.quality_drops and r.path is not None
    ]
