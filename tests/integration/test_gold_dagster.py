"""Gold assets in real Dagster runs over crafted silver tables, then queried through DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance, Definitions, materialize

from assets.gold import (
    GOLD_ASSETS,
    GOLD_CHECKS,
    GOLD_JOBS,
    GOLD_SCHEDULES,
    candidates,
    candidates_have_reasons,
    gold_rows_trace_to_silver,
    gold_tables,
)
from assets.resources import KvarnResource
from pipelines.config import LakeConfig
from pipelines.gold.review import Decision, apply_decisions
from pipelines.io.duck import connect
from pipelines.io.timestamps import hour_to_dagster_key
from tests.unit.gold import test_gold_fixtures as fixtures
from tests.unit.gold.test_gold_fixtures import HOUR, feedback, rag_hit, tool_call, turn, write_lake


@pytest.fixture()
def lake(tmp_path: Path) -> LakeConfig:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_lake(
        cfg,
        turns=[
            turn("ok", minute=0, rag_hit_count=2, output_text=fixtures.PANT_ANSWER),
            turn("unsure", minute=1, confidence=0.4),
            turn("broken", minute=2, tool_call_count=1, tool_fail_count=1),
        ],
        tool_calls=[tool_call("broken", ok=False)],
        rag_pairs=[rag_hit("ok", "doc-1", 1), rag_hit("ok", "doc-2", 2)],
        feedback=[feedback("f1", "ok", 1, minute=3)],
    )
    fixtures.write_docs(cfg)
    return cfg


def _metadata(result: Any) -> dict[str, dict[str, Any]]:
    """Asset key → the metadata values of its materialization in ``result``."""
    out = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        out[mat.asset_key.to_user_string()] = {k: v.value for k, v in mat.metadata.items()}
    return out


def _checks_passed(result: Any) -> dict[str, bool]:
    evaluations = result.get_asset_check_evaluations()
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed for e in evaluations}


def test_gold_assets_materialize_check_and_query(lake: LakeConfig) -> None:
    instance = DagsterInstance.ephemeral()
    resources = {"kvarn": KvarnResource(data_dir=lake.data_dir)}
    hourly = materialize(
        [candidates, candidates_have_reasons],
        partition_key=hour_to_dagster_key(HOUR),
        instance=instance,
        resources=resources,
    )
    assert hourly.success
    assert _checks_passed(hourly) == {"gold/candidates:candidates_have_reasons": True}
    assert _metadata(hourly)["gold/candidates"]["candidates"] == 2

    apply_decisions(
        lake, [Decision("unsure", "accept", "ann"), Decision("broken", "reject", "ann")]
    )
    tables = materialize(
        [gold_tables, gold_rows_trace_to_silver], instance=instance, resources=resources
    )
    assert tables.success
    assert set(_checks_passed(tables).values()) == {True}
    assert len(_checks_passed(tables)) == 4
    rows = {key: meta["rows"] for key, meta in _metadata(tables).items()}
    assert rows == {"gold/sft": 2, "gold/dpo": 0, "gold/rag": 1, "gold/nlu": 2}

    con = connect(lake)
    got = con.sql(
        "SELECT source, trust, count(*) AS n FROM gold_sft GROUP BY ALL ORDER BY source"
    ).fetchall()
    assert got == [("feedback_positive", "auto", 1), ("review", "reviewed", 1)]
    pending = con.sql("SELECT count(*) FROM gold_candidates WHERE status = 'pending'").fetchone()
    assert pending == (0,)


def test_gold_definitions_load_in_a_code_location() -> None:
    defs = Definitions(
        assets=GOLD_ASSETS,
        asset_checks=GOLD_CHECKS,
        jobs=GOLD_JOBS,
        schedules=GOLD_SCHEDULES,
        resources={"kvarn": KvarnResource()},
    )
    Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {
        "gold/candidates",
        "gold/reviews",
        "gold/sft",
        "gold/dpo",
        "gold/rag",
        "gold/nlu",
    } <= keys
    assert defs.resolve_job_def("rebuild_gold_tables") is not None
