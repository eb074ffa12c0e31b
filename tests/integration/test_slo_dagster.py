"""gold/slo_hourly through real Dagster runs of the hourly assets, read back with DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from dagster import DagsterInstance, materialize

from assets.definitions import ASSETS, hourly_pipeline
from assets.observe import SLO_HOURLY, slo_hourly
from assets.resources import KvarnResource
from pipelines.config import LakeConfig
from pipelines.io.duck import connect
from pipelines.io.timestamps import hour_to_dagster_key
from pipelines.observe.slo_targets import load_targets
from tests.integration.small_lake import generate_landing, run_hours

HOURS = ["2025-09-01T09", "2025-09-01T10"]


def _table(cfg: LakeConfig) -> pl.DataFrame:
    """The whole table as ``kvarn sql`` sees it (DuckDB over the Delta log)."""
    con = connect(cfg)
    try:
        return con.execute("select * from gold_slo_hourly order by all").pl()
    finally:
        con.close()


def _metadata(result: Any) -> dict[str, Any]:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.event_specific_data.materialization.metadata.items()}


def test_slo_hours_materialize_idempotent_in_any_order(tmp_path: Path) -> None:
    assert slo_hourly in ASSETS and SLO_HOURLY in hourly_pipeline.selection.resolve(ASSETS)
    cfg = generate_landing(tmp_path, seed=11, per_hour=30)
    run_hours(cfg, HOURS)
    first = _table(cfg)
    targets = load_targets()
    assert first.height == len(HOURS) * len(targets)
    assert sorted(first["hour"].unique().to_list()) == HOURS
    e2e = first.filter(pl.col("component") == "voice_e2e")
    assert (e2e["count"] > 0).all() and (e2e["p50"] <= e2e["p95"]).all()
    assert (e2e["p95"] <= e2e["p99"]).all() and e2e["compliant"].is_not_null().all()
    planner = first.filter((pl.col("component") == "llm_first_token") & (pl.col("route") != ""))
    assert set(planner["route"].to_list()) == {"micro", "planner", "deep"}
    assert first.filter(pl.col("count") == 0)["compliant"].is_null().all()

    # Rerun the SLO asset alone, hours in the opposite order: the same table, no extra rows.
    resources = {"kvarn": KvarnResource(data_dir=cfg.data_dir)}
    with DagsterInstance.ephemeral() as instance:
        for hour in reversed(HOURS):
            result = materialize([slo_hourly], partition_key=hour_to_dagster_key(hour),
                                 instance=instance, resources=resources)  # fmt: skip
            assert result.success
    assert _table(cfg).equals(first)

    meta = _metadata(result)  # the first hour's run, the last one above
    row = first.filter((pl.col("hour") == HOURS[0]) & (pl.col("component") == "voice_e2e"))
    assert meta["voice_e2e_p95_ms"] == row["actual"][0]
    assert "| voice_e2e |" in meta["compliance"] and "tool_success_ratio" in meta
    failing = first.filter((pl.col("hour") == HOURS[0]) & ~pl.col("compliant").fill_null(True))
    assert meta["components_failing"] == failing.height
