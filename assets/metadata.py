"""Metadata helpers: what a user wants to see on a materialization in the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue


def markdown_table(rows: list[dict[str, Any]], max_len: int = 80) -> MetadataValue:
    """A small markdown table; rows must already be masked."""
    if not rows:
        return MetadataValue.md("_no rows_")
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        cells = []
        for c in cols:
            text = "" if row.get(c) is None else str(row[c])
            text = text.replace("|", "\\|").replace("\n", " ")
            cells.append(text[:max_len] + ("…" if len(text) > max_len else ""))
        lines.append("| " + " | ".join(cells) + " |")
    return MetadataValue.md("\n".join(lines))


def _scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str))


def batch_metadata(per_hour: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The metadata of a step over ``per_hour`` (hour, that hour's metadata), oldest first.

    One hour: its own metadata. A batch: what adds up over hours (row counts) summed, the last
    Delta version, and a table with every hour's plain figures; per-hour rich values (previews,
    per-type lists) and ratios are in that table or left to single-hour runs, since Dagster
    attaches a batch's metadata to each of its partitions alike.
    """
    if len(per_hour) == 1:
        return per_hour[0][1]
    keys = list(dict.fromkeys(k for _, m in per_hour for k, v in m.items() if _scalar(v)))
    meta: dict[str, Any] = {
        "hours": len(per_hour),
        "first_hour": per_hour[0][0],
        "last_hour": per_hour[-1][0],
    }
    for key in keys:
        values = [m[key] for _, m in per_hour if key in m]
        if key == "delta_version":
            meta[key] = max((int(v) for v in values if isinstance(v, int)), default=0)
        elif key.startswith("expired") or all(isinstance(v, bool) for v in values):
            meta[f"hours_{key}"] = sum(bool(v) for v in values)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            meta[key] = sum(int(v) for v in values if isinstance(v, int))
    rows = [{"hour": hour, **{k: m.get(k) for k in keys if k != "delta_version"}}
            for hour, m in per_hour]  # fmt: skip
    meta["per_hour"] = markdown_table(rows, max_len=40)
    return meta


@dataclass(frozen=True)
class HourCheck:
    """One hour's verdict of an asset check, before it becomes (part of) a check result."""

    hour: str
    passed: bool
    metadata: dict[str, Any]
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR


def batch_check(per_hour: list[HourCheck], check_name: str | None = None) -> AssetCheckResult:
    """One check result for a step's hours: passed when every hour passed, as severe as the
    worst failing hour, with the failing hours named (a batch has one evaluation, not one per
    hour)."""
    failing = [c for c in per_hour if not c.passed]
    severity = per_hour[0].severity
    if failing:
        worst = any(c.severity == AssetCheckSeverity.ERROR for c in failing)
        severity = AssetCheckSeverity.ERROR if worst else AssetCheckSeverity.WARN
    if len(per_hour) == 1:
        meta = per_hour[0].metadata
    else:
        meta = batch_metadata([(c.hour, {"passed": c.passed, **c.metadata}) for c in per_hour])
        meta.pop("hours_passed", None)
        meta["failed_hours"] = ", ".join(c.hour for c in failing) or "none"
    return AssetCheckResult(
        check_name=check_name, passed=not failing, severity=severity, metadata=meta
    )
