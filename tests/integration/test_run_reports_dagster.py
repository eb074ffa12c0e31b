"""The run-report sensors on a real Dagster instance: one report per finished hourly run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance, SkipReason, build_run_status_sensor_context

from assets.definitions import defs
from assets.reclaim import SOURCE_TAG
from assets.resources import KvarnResource
from assets.run_reports import run_report_on_failure, run_report_on_success
from pipelines.observe.run_report import latest_report
from tests.integration.small_lake import TEST_KEY, generate_landing


def _reports(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name[0].isdigit())


def test_sensors_write_one_report_per_finished_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = generate_landing(tmp_path / "lake", seed=7, per_hour=12)
    resources = {"kvarn": KvarnResource(data_dir=cfg.data_dir, demo=True)}
    job = defs.resolve_job_def("hourly_pipeline")
    with DagsterInstance.ephemeral() as instance:
        monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
        ok = job.execute_in_process(partition_key="2025-09-01-10:00", instance=instance,
                                    resources=resources)  # fmt: skip
        assert ok.success

        def evaluate(
            sensor_name: str, run_id: str, event: object, res: dict[str, Any] = resources
        ) -> SkipReason:
            run = instance.get_run_by_id(run_id)
            assert run is not None
            sensor = {"run_report_on_success": run_report_on_success,
                      "run_report_on_failure": run_report_on_failure}[sensor_name]  # fmt: skip
            context = build_run_status_sensor_context(
                sensor_name=sensor_name, dagster_event=event, dagster_instance=instance,  # type: ignore[arg-type]
                dagster_run=run, resources=res,
            )  # fmt: skip
            result = sensor(context)
            assert isinstance(result, SkipReason)
            return result

        event = ok.get_run_success_event()
        written = evaluate("run_report_on_success", ok.run_id, event)
        root = tmp_path / "lake" / "runs"
        assert "report written" in (written.skip_message or "")
        assert len(_reports(root)) == 1
        # evaluated again (a daemon restart, a reset cursor): still one report
        again = evaluate("run_report_on_success", ok.run_id, event)
        assert "already has a report" in (again.skip_message or "")
        # a run `kvarn run` started is left to `kvarn run`
        instance.add_run_tags(ok.run_id, {SOURCE_TAG: "kvarn run"})
        skipped = evaluate("run_report_on_success", ok.run_id, event)
        assert "kvarn run" in (skipped.skip_message or "")
        assert len(_reports(root)) == 1
        report = latest_report(root)
        assert report is not None
        summary = (report / "summary.md").read_text(encoding="utf-8")
        assert "**Overall Status**: " in summary and "FAILED" not in summary
        assert f"`{ok.run_id}` (dagster), 1 hour(s) 2025-09-01T10" in summary
        assert "- **Rows of the run's hours**" in summary or "gold/dq_hourly" in summary
        assert (report / "log.jsonl").read_text().count(ok.run_id) >= 3

        # a failed run (no pseudonym key: silver refuses) gets a FAILED report
        monkeypatch.delenv("KVARN_PSEUDONYM_KEY")
        bare = generate_landing(tmp_path / "bare", seed=7, per_hour=12)
        failing = {"kvarn": KvarnResource(data_dir=bare.data_dir)}
        bad = job.execute_in_process(partition_key="2025-09-01-10:00", instance=instance,
                                     resources=failing, raise_on_error=False)  # fmt: skip
        assert not bad.success
        evaluate("run_report_on_failure", bad.run_id, bad.get_run_failure_event(), failing)
        failed = _reports(tmp_path / "bare" / "runs")
        assert len(failed) == 1
        text = (failed[0] / "summary.md").read_text(encoding="utf-8")
        assert "**Overall Status**: ❌ FAILED" in text and "2025-09-01T10" in text
