"""The export asset materializes in-process and loads next to the lead's definitions."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance, Definitions, materialize

from assets.definitions import ASSETS, CHECKS
from assets.export import EXPORT_ASSETS, EXPORT_JOBS, EXPORT_SCHEDULES, EXPORTS
from assets.resources import KvarnResource
from pipelines.export.writer import latest_name, read_metadata
from tests.unit.export.test_export_data import build_lake


def test_export_asset_writes_versions_with_metadata(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, sessions=12)
    result = materialize(
        EXPORT_ASSETS,
        instance=DagsterInstance.ephemeral(),
        resources={"kvarn": KvarnResource(data_dir=lake.cfg.data_dir)},
        run_config={"ops": {"exports__training": {"config": {"kinds": ["nlu", "rag"],
                                                              "min_rows": 5}}}},
    )  # fmt: skip
    assert result.success
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    version_dir = Path(meta["nlu_version"].value)
    assert version_dir.parent == tmp_path / "exports" / "nlu"
    assert latest_name(version_dir.parent) == version_dir.name
    assert meta["nlu_rows"].value == read_metadata(version_dir)["counts"]["total"] > 0
    assert meta["rag_rows"].value > 0 and "sft_rows" not in meta
    assert "| nlu |" in meta["summary"].value


def test_export_definitions_load_beside_the_pipeline() -> None:
    defs = Definitions(
        assets=[*ASSETS, *EXPORT_ASSETS],
        asset_checks=CHECKS,
        jobs=EXPORT_JOBS,
        schedules=EXPORT_SCHEDULES,
        resources={"kvarn": KvarnResource()},
    )
    Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("daily_export") is not None
    schedule = defs.resolve_schedule_def("daily_export_schedule")
    assert schedule.cron_schedule == "15 3 * * *"
    assert EXPORTS in defs.resolve_asset_graph().get_all_asset_keys()
