"""``kvarn report``: the trends of the last N days as one self-contained HTML page."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out, parse_hour

MAX_DAYS = 366


def default_out(data_dir: str, now: datetime) -> Path:
    """``<data>/reports/kvarn-report-YYYYMMDD.html`` for the day the report is made."""
    if "://" in data_dir:
        raise KvarnError("the data directory is not local; say where to write with --out PATH")
    return Path(data_dir) / "reports" / f"kvarn-report-{now:%Y%m%d}.html"


def check_out(path: Path) -> Path:
    """A writable HTML file path, or one clear error before anything is read or written."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise KvarnError(f"--out {path} must end in .html (hint: --out reports/trends.html)")
    if path.is_dir():
        raise KvarnError(f"--out {path} is a directory (hint: name a file inside it)")
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK):
        raise KvarnError(f"cannot write {path}: {parent} is not a writable directory")
    return path


def report(
    days: int = typer.Option(7, "--days", help=f"Days to show, 1–{MAX_DAYS}."),
    out_path: Path | None = typer.Option(
        None, "--out", help="HTML file to write (default: data/reports/kvarn-report-YYYYMMDD.html)."
    ),
    until: str | None = typer.Option(
        None, help="Last hour shown (YYYY-MM-DDTHH, UTC); default: the newest hour in the lake."
    ),
    data: Path | None = DataOpt,
) -> None:
    """Write one self-contained HTML page of trends: SLO P95 against targets, quarantine and
    duplicate rates, PII entities masked, gold candidates per rule and rows per export version."""
    if not 1 <= days <= MAX_DAYS:
        raise KvarnError(f"--days must be between 1 and {MAX_DAYS}, got {days}")
    end = parse_hour(until) if until else None
    cfg = lake_config(data)
    now = datetime.now(UTC)
    target = check_out(out_path or default_out(cfg.data_dir, now))

    from pipelines.observe.report_data import load_report_data
    from pipelines.observe.report_html import render_report

    with err.status("reading gold_slo_hourly, gold_dq_hourly, gold_candidates and exports"):
        report_data = load_report_data(cfg, days, end)
    with err.status("drawing the charts"):
        page = render_report(report_data, now)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    w = report_data.window
    err.print(f"report of {w.start} – {w.end} ({days} d)", highlight=False)
    out.print(str(target), highlight=False, soft_wrap=True)
