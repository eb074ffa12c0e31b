"""gold/dq_hourly through real Dagster materializations: thresholds become asset checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagster import AssetCheckSeverity, DagsterInstance, materialize

from assets.definitions import ASSETS, CHECKS, defs
from assets.quality import DQ_HOURLY
from assets.resources import KvarnResource
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.timestamps import hour_to_dagster_key
from pipelines.observe.thresholds import THRESHOLDED
from tests.factories import line, turn, write_landing

BAD, GOOD = "2025-09-01T10", "2025-09-01T11"


def _landing(root: Path) -> None:
    for hour, broken in ((BAD, 2), (GOOD, 0)):
        ts = f"{hour}:20:00.000Z"
        lines = [line(turn(ts, f"tänd lampa {i}", turn_id=f"{hour}-{i}")) for i in range(4)]
        lines += [b"{broken" for _ in range(broken)]
        write_landing(root / "landing", hour[:10], f"orchestrator-{hour[-2:]}.jsonl", lines)


def _run(root: Path, hour: str, instance: DagsterInstance) -> dict[str, Any]:
    result = materialize(
        [*ASSETS, *CHECKS],
        partition_key=hour_to_dagster_key(hour),
        instance=instance,
        resources={"kvarn": KvarnResource(data_dir=str(root), demo=True)},
    )
    assert result.success  # dq checks never block: a bad hour still materializes
    return {
        e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key == DQ_HOURLY
    }


def test_quarantine_threshold_is_an_error_check_and_a_good_hour_passes(tmp_path: Path) -> None:
    _landing(tmp_path)
    instance = DagsterInstance.ephemeral()
    bad = _run(tmp_path, BAD, instance)
    assert set(bad) == set(THRESHOLDED)
    check = bad["quarantine_rate"]
    assert not check.passed and check.severity == AssetCheckSeverity.ERROR
    assert check.metadata["value"].value == 2 / 6
    assert check.metadata["error_at"].value == 0.10
    good = _run(tmp_path, GOOD, instance)
    assert good["quarantine_rate"].passed
    assert good["masking_residuals"].passed and good["consent_coverage"].passed

    cfg = LakeConfig(data_dir=str(tmp_path))
    before = delta.read_table(cfg.table("gold", "dq_hourly"))
    assert before is not None and set(before["hour"]) == {BAD, GOOD}
    rerun = _run(tmp_path, BAD, instance)
    assert rerun["quarantine_rate"].severity == AssetCheckSeverity.ERROR
    after = delta.read_table(cfg.table("gold", "dq_hourly"))
    assert after is not None and after.height == before.height
    stable = ["hour", "metric", "status"]  # freshness moves with the wall clock between runs
    assert before.select(stable).sort(stable).equals(after.select(stable).sort(stable))


def test_dq_asset_is_in_the_hourly_job() -> None:
    job = defs.resolve_job_def("hourly_pipeline")
    assert DQ_HOURLY in job.asset_layer.executable_asset_keys
