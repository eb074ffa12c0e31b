"""`kvarn run` writes the run report of its range and points runs/latest at it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pipelines.observe.run_report import CSV_HEADER
from tests.e2e.test_cli import kvarn
from tests.unit.observe.promtool import run_promtool


def test_kvarn_run_writes_a_report(tmp_path: Path) -> None:
    gen = kvarn("generate", "--out", str(tmp_path / "landing"), "--days", "1",
                "--events-per-hour", "15", "--seed", "3", "--start", "2025-09-01")  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    run = kvarn("run", "--from", "2025-09-01T08", "--to", "2025-09-01T09", "--demo", data=tmp_path)
    assert run.returncode == 0, run.stderr
    latest = tmp_path / "runs" / "latest"
    assert f"run report: {latest.resolve() / 'summary.md'}" in run.stdout
    summary = (latest / "summary.md").read_text(encoding="utf-8")
    assert "**Overall Status**: " in summary and "FAILED" not in summary
    assert "(kvarn run), 2 hour(s) 2025-09-01T08 → 2025-09-01T09, 0 failed" in summary
    for heading in ("## SLO Compliance", "## Issues Identified", "## Data Quality",
                    "## Resource Usage"):  # fmt: skip
        assert heading in summary
    assert "- **Candidates per rule**: " in summary and "silver_turns" in summary
    assert "- **Guardian State**: " in summary and "no turns" not in summary
    # the SLO and data-quality tables the hourly job built are in the report
    assert "| Voice E2E P95 |" in summary and "gold/slo_hourly is missing" not in summary
    assert "- **Quarantine rate**: " in summary and "- **Consent coverage**: " in summary
    # ... and the same figures went to the Prometheus textfile, which promtool accepts
    textfile = tmp_path / "metrics" / "kvarn.prom"
    assert f"metrics: {textfile}" in run.stdout
    exposition = textfile.read_text(encoding="utf-8")
    assert 'kvarn_slo_compliant{component="voice_e2e",route=""}' in exposition
    assert "kvarn_input_lines_total " in exposition and "kvarn_run_success 1" in exposition
    lint = run_promtool("check", "metrics", stdin=exposition)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    with (latest / "metrics.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) > 10
    events = [json.loads(x) for x in (latest / "log.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events if e["event"].startswith("hour_")] == ["hour_done"] * 2
    assert len({e["run_id"] for e in events}) == 1 and events[-1]["event"] == "run_end"
    # a second run is a second report; latest follows it
    again = kvarn("run", "--from", "2025-09-01T10", "--to", "2025-09-01T10", data=tmp_path)
    assert again.returncode == 0, again.stderr
    reports = [p for p in (tmp_path / "runs").iterdir() if p.name[0].isdigit()]
    assert len(reports) == 2
    assert "1 hour(s) 2025-09-01T10" in (latest / "summary.md").read_text(encoding="utf-8")
