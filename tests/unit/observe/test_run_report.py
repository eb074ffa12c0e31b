"""Run reports: figures read from real Delta tables, summary layout, csv/jsonl shape, latest."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.writer import update_latest
from pipelines.io import delta
from pipelines.observe.catalogue import CATALOGUE
from pipelines.observe.run_report import (
    CSV_HEADER,
    latest_report,
    overall_status,
    render_summary,
    report_for_run,
    write_report,
)
from pipelines.observe.schemas import DQ_HOURLY, SLO_HOURLY
from pipelines.observe.snapshot import RunFacts, collect

START = datetime(2025, 9, 1, 10, 0, 5, tzinfo=UTC)
HOURS = ("2025-09-01T08", "2025-09-01T09")


def _slo(hour: str, component: str, actual: float, target: float, **kw: Any) -> dict[str, Any]:
    row = {"hour": hour, "component": component, "route": "", "unit": "ms", "count": 40,
           "p50": actual / 2, "p95": actual, "p99": actual * 1.2, "actual": actual,
           "target": target, "comparison": "<", "compliant": actual < target}  # fmt: skip
    return {**row, **kw}


def _dq(hour: str, metric: str, value: float, **kw: Any) -> dict[str, Any]:
    row = {"hour": hour, "metric": metric, "value": value, "unit": "count", "warn_at": None,
           "error_at": None, "comparison": ">", "status": "info", "detail": ""}  # fmt: skip
    return {**row, **kw}


def write_slo(cfg: LakeConfig, rows: list[dict[str, Any]]) -> None:
    delta.replace_table(cfg.table("gold", "slo_hourly"), pl.DataFrame(rows, schema=SLO_HOURLY))


def write_dq(cfg: LakeConfig, rows: list[dict[str, Any]]) -> None:
    delta.replace_table(cfg.table("gold", "dq_hourly"), pl.DataFrame(rows, schema=DQ_HOURLY))


def run_facts(failed: tuple[str, ...] = (), run_id: str = "kvarn-test1") -> RunFacts:
    return RunFacts(run_id, START, START + timedelta(minutes=2, seconds=3), HOURS, failed)


def lake_with_figures(tmp_path: Path) -> LakeConfig:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_slo(cfg, [
        _slo("2025-09-01T08", "voice_e2e", 1500, 2000),
        _slo("2025-09-01T09", "voice_e2e", 2400, 2000),  # the latest hour violates
        _slo("2025-09-01T09", "guardian_response", 120, 150),
        _slo("2025-09-01T09", "tool_success", 0.97, 0.95, unit="ratio", comparison=">=",
             p50=None, p95=None, p99=None, compliant=True),
        _slo("2025-09-01T07", "asr_final", 9000, 1000),  # not one of the run's hours
        _slo("2025-09-01T09", "ram_peak", 12800, 15000, unit="mb", comparison="<"),
    ])  # fmt: skip
    write_dq(cfg, [
        _dq("2025-09-01T08", "rows_input", 100), _dq("2025-09-01T09", "rows_input", 100),
        _dq("2025-09-01T08", "rows_quarantine", 4), _dq("2025-09-01T09", "rows_quarantine", 26),
        _dq("2025-09-01T08", "quarantine_rate", 0.04, unit="ratio", warn_at=0.05, error_at=0.1,
            status="ok", detail="invalid JSON:3, missing_field:1"),
        _dq("2025-09-01T09", "quarantine_rate", 0.26, unit="ratio", warn_at=0.05, error_at=0.1,
            status="error", detail="invalid JSON:20, bad_timestamp:6"),
        _dq("2025-09-01T08", "pii_entities_masked", 10,
            detail="PERSON:7, PHONE:3, anna@example.se:1"),
        _dq("2025-09-01T09", "pii_entities_masked", 5, detail="PERSON:5"),
        _dq("2025-09-01T09", "consent_coverage", 0.9, unit="ratio", comparison="<",
            warn_at=0.8, error_at=0.5, status="ok"),
    ])  # fmt: skip
    return cfg


def test_collect_reads_the_runs_hours_through_the_schemas(tmp_path: Path) -> None:
    cfg = lake_with_figures(tmp_path)
    metrics = collect(cfg, HOURS, run_facts())
    assert {m.name for m in metrics} <= set(CATALOGUE)
    actual = {m.label("component"): m for m in metrics if m.name == "slo_actual"}
    assert set(actual) == {"voice_e2e", "guardian_response", "tool_success", "ram_peak"}
    assert actual["voice_e2e"].value == 2400 and actual["voice_e2e"].status == "error"
    assert actual["voice_e2e"].scope == "hour:2025-09-01T09"
    rate = next(m for m in metrics if m.name == "quarantine_ratio")
    assert rate.value == 30 / 200 and rate.status == "error"  # recomputed, worst status kept
    assert rate.detail.startswith("invalid JSON:23")
    pii = {m.label("entity"): m.value for m in metrics if m.name == "run_pii_entities_masked"}
    assert pii == {"PERSON": 12, "PHONE": 3}
    reasons = {m.label("reason"): m.value for m in metrics if m.name == "run_quarantined_lines"}
    assert reasons == {"invalid JSON": 23, "missing_field": 1, "bad_timestamp": 6}
    check = {m.label("check"): m for m in metrics if m.name == "dq_check_status"}
    assert check["quarantine_rate"].value == 2 and check["consent_coverage"].value == 0


def test_summary_is_laid_out_like_the_seed(tmp_path: Path) -> None:
    cfg = lake_with_figures(tmp_path)
    run = run_facts()
    metrics = collect(cfg, HOURS, run)
    text = render_summary(run, metrics)
    assert "**Overall Status**: ⚠️ DEGRADED (1 SLO violation, 1 threshold breach)" in text
    assert "**Duration**: 2 minutes 3 seconds" in text
    assert "| Metric | Target | Actual | Status |" in text
    assert "| Voice E2E P95 | <2000ms | 2400ms | ❌ FAIL |" in text
    assert "| Tool success rate | >=95.0% | 97.0% | ✅ PASS |" in text
    order = [text.index(h) for h in ("## SLO Compliance", "## Issues Identified",
                                     "## Data Quality", "## Resource Usage")]  # fmt: skip
    assert order == sorted(order)
    assert "1. **SLO violation, Voice E2E P95**: 2400ms vs target <2000ms" in text
    assert (
        "**Threshold ERROR, quarantine_rate**: 26.0% in hour 2025-09-01T09, 1 of 2 hour(s) "
        "breached; the run's hours together 15.0% (warn >5.0%, error >10.0%)"
    ) in text
    assert "- **Quarantine rate**: 15.0% ❌ — top reasons: invalid JSON:23" in text
    assert "- **PII entities masked**: 15 (PERSON 12, PHONE 3)" in text
    assert "- **Peak RAM**: 12.5GB (target <14.6GB) ✅" in text


def test_status_is_pass_or_failed(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_slo(cfg, [_slo("2025-09-01T09", "voice_e2e", 1500, 2000)])
    assert overall_status(run_facts(), collect(cfg, HOURS, run_facts())) == "✅ PASS"
    failed = run_facts(failed=("2025-09-01T09",))
    metrics = collect(cfg, HOURS, failed)
    assert overall_status(failed, metrics) == "❌ FAILED"
    text = render_summary(failed, metrics)
    assert "**1 hour(s) failed**: 2025-09-01T09" in text


def test_absent_tables_are_named_not_fatal(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    run = run_facts()
    folder = write_report(cfg, run, collect(cfg, HOURS, run))
    text = (folder / "summary.md").read_text(encoding="utf-8")
    assert "gold/slo_hourly is missing" in text and "gold/dq_hourly is missing" in text
    assert "**Overall Status**: ✅ PASS" in text


def test_csv_and_jsonl_shape(tmp_path: Path) -> None:
    cfg = lake_with_figures(tmp_path)
    run = run_facts(failed=("2025-09-01T08",))
    folder = write_report(cfg, run, collect(cfg, HOURS, run))
    assert folder.name == "20250901_1000"
    with (folder / "metrics.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == CSV_HEADER
    assert all(len(r) == 6 and r[5] in ("ok", "warn", "error", "info") for r in rows[1:])
    by_key = {r[2]: r for r in rows[1:]}
    assert by_key["slo_actual{component=voice_e2e}"][3:] == ["2400", "ms", "error"]
    assert by_key["run_success"][3] == "0"
    events = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    assert all(e["run_id"] == "kvarn-test1" and e["timestamp"] for e in events)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert kinds.count("hour_failed") == 1 and kinds.count("hour_done") == 1
    assert kinds.count("slo_violation") == 1 and kinds.count("threshold_breach") == 1
    assert events[-1]["status"] == "FAILED"
    written = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert "anna" not in written  # a detail that is not an id never reaches the report


def test_latest_moves_and_same_minute_runs_get_their_own_folder(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    first, second = run_facts(run_id="a"), run_facts(run_id="b")
    one = write_report(cfg, first, collect(cfg, HOURS, first))
    two = write_report(cfg, second, collect(cfg, HOURS, second))
    assert (one.name, two.name) == ("20250901_1000", "20250901_1000_2")
    root = tmp_path / "runs"
    link = root / "latest"
    assert link.is_symlink() and not Path(link.readlink()).is_absolute()
    assert (link / "summary.md").is_file() and link.resolve() == two
    assert (root / "LATEST").read_text().strip() == two.name
    link.unlink()  # a file system without symlinks: LATEST alone still answers
    assert latest_report(root) == two
    assert report_for_run(root, "a") == one and report_for_run(root, "c") is None
    assert not [p for p in root.iterdir() if p.name.startswith(".staging")]


def test_export_rows_and_a_quality_drop_between_versions(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    kind_dir = Path(cfg.exports) / "sft"
    for name, rows in (("v20250901_100000", 100), ("v20250902_100000", 80)):
        (kind_dir / name).mkdir(parents=True)
        meta = {"counts": {"total": rows, "splits": {"train": rows}}, "mean_trust": 0.9}
        (kind_dir / name / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    update_latest(kind_dir, "v20250902_100000")
    run = run_facts()
    metrics = collect(cfg, HOURS, run)
    rows = [m for m in metrics if m.name == "export_rows"]
    assert [(m.label("dataset"), m.value) for m in rows] == [("sft", 80)]
    drop = next(m for m in metrics if m.name == "export_quality_change_ratio"
                and m.label("metric") == "rows")  # fmt: skip
    assert drop.value == -0.2 and drop.status == "warn"
    text = render_summary(run, metrics)
    assert "**Quality drop, sft rows**: -20.0% against v20250901_100000" in text
    assert "- **Latest exports**: sft 80 (v20250902_100000)" in text


def test_prometheus_counters_cover_every_hour_and_run_gauges_only_the_run(tmp_path: Path) -> None:
    cfg = lake_with_figures(tmp_path)
    earlier = ("2025-08-31T23",)
    with_older = [
        _dq(earlier[0], "rows_input", 50), _dq(earlier[0], "rows_quarantine", 2),
        _dq(earlier[0], "quarantine_rate", 0.04, unit="ratio", detail="invalid JSON:2"),
        _dq(earlier[0], "pii_entities_masked", 4, detail="PERSON:4"),
    ]  # fmt: skip
    current = delta.read_table(cfg.table("gold", "dq_hourly"))
    assert current is not None
    write_dq(cfg, [*current.to_dicts(), *with_older])
    metrics = collect(cfg, HOURS, run_facts())
    one = {(m.name, m.labels): m.value for m in metrics}
    assert one[("run_input_lines", ())] == 200  # the run's two hours
    assert one[("input_lines_total", ())] == 250  # every hour the lake holds
    reasons = {m.label("reason"): m.value for m in metrics if m.name == "quarantined_lines_total"}
    assert reasons == {"invalid JSON": 25, "missing_field": 1, "bad_timestamp": 6}
    pii = {m.label("entity"): m.value for m in metrics if m.name == "pii_entities_masked_total"}
    assert pii == {"PERSON": 16, "PHONE": 3}
    assert collect(cfg, HOURS, run_facts()) == metrics  # rereading changes nothing
