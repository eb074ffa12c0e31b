"""Retention on a simulated clock: what the policy says goes, for real; nothing else moves.

Three days of telemetry, two hours of each materialized through the Dagster definitions, a gold
rebuild; then the policy is applied "on" 2025-09-04 with bronze kept one day and silver two.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from pipelines.bronze.build import build_bronze_hour
from pipelines.config import GOLD_TABLES, SILVER_TABLES, LakeConfig
from pipelines.generate.writer import generate
from pipelines.gold.build import build_gold
from pipelines.gold.candidates import build_candidates_hours
from pipelines.governance.policy import PolicyError, RetentionPolicy, load_policy
from pipelines.governance.retention import plan_retention, run_retention
from pipelines.io import delta
from pipelines.quality.canary_scan import Canary, scan_paths
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.integration.small_lake import START, TEST_KEY, run_hours

HOURS = [f"2025-09-0{d}T{h}" for d in (1, 2, 3) for h in ("10", "11")]
NOW = datetime(2025, 9, 4, 0, tzinfo=UTC)
POLICY = RetentionPolicy(landing_days=1, bronze_days=1, silver_days=2, seen_hashes_days=1,
                         neardup_days=2, changes_days=2)  # fmt: skip
LABELS = ["cluster_id", "cluster_size", "is_representative"]


def _tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out = {}
    for layer, names in (("bronze", ("events", "quarantine")), ("silver", SILVER_TABLES),
                         ("gold", (*GOLD_TABLES,))):  # fmt: skip
        for name in names:
            frame = delta.read_table(cfg.table(layer, name))
            if frame is not None:
                drop = [c for c in ("ingested_at", "created_at", "built_at") if c in frame.columns]
                out[f"{layer}.{name}"] = frame.drop(drop)
    return out


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    keys = [c for c, t in frame.schema.items() if t.is_numeric() or t == pl.Utf8]
    return frame.sort(keys, nulls_last=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("retention")
    generate(root / "landing", days=3, events_per_hour=6, seed=21, start=START)
    cfg = LakeConfig(data_dir=str(root))
    run_hours(cfg, HOURS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
        build_gold(cfg)
    return root


@pytest.fixture
def lake(built: Path, tmp_path: Path) -> tuple[LakeConfig, dict[str, pl.DataFrame]]:
    """A private copy of the built lake (Delta paths are relative: a copy is a lake)."""
    root = tmp_path / "lake-copy"
    shutil.copytree(built, root)
    cfg = LakeConfig(data_dir=str(root))
    return cfg, _tables(cfg)


def test_dry_run_lists_exactly_the_expired_partitions_and_changes_nothing(
    lake: tuple[LakeConfig, dict[str, pl.DataFrame]],
) -> None:
    cfg, before = lake
    report = run_retention(cfg, POLICY, NOW, dry_run=True)
    parts = {(i.table, i.partition) for i in report.plan.items}
    assert {p for t, p in parts if t == "bronze.events"} == set(HOURS[:4])
    assert {p for t, p in parts if t == "silver.turns"} == set(HOURS[:2])
    assert {p for t, p in parts if t == "landing"} == {"2025-09-01"}
    assert all(i.bytes > 0 for i in report.plan.items if i.table != "state.silver_changes")
    after = _tables(cfg)
    assert after.keys() == before.keys()
    for name, frame in before.items():
        assert _sorted(after[name]).equals(_sorted(frame)), name


def test_apply_removes_what_the_policy_says_and_nothing_else(
    lake: tuple[LakeConfig, dict[str, pl.DataFrame]],
) -> None:
    cfg, before = lake
    expired_turn = before["bronze.events"].filter(pl.col("hour") == HOURS[0])["turn_id"]
    marker = next(t for t in expired_turn.to_list() if t)
    old_version = DeltaTable(cfg.table("silver", "turns")).version()
    run_retention(cfg, POLICY, NOW)
    after = _tables(cfg)
    assert set(after["bronze.events"]["hour"].unique()) == set(HOURS[4:])
    assert set(after["silver.turns"]["hour"].unique()) == set(HOURS[2:])
    for name in ("silver.turns", "silver.tool_calls", "silver.feedback", "bronze.events"):
        kept_before = before[name].filter(pl.col("hour") >= ("2025-09-03" if "bronze" in name
                                                             else "2025-09-02"))  # fmt: skip
        cols = [c for c in kept_before.columns if c not in LABELS]
        assert _sorted(after[name].select(cols)).equals(_sorted(kept_before.select(cols))), name
    for name in GOLD_TABLES:  # gold stays until a person removes it
        if f"gold.{name}" in before:
            assert after[f"gold.{name}"].height == before[f"gold.{name}"].height, name
    landing = Path(cfg.telemetry)
    assert sorted(p.name for p in landing.iterdir()) == ["2025-09-02", "2025-09-03"]
    # Time travel cannot reach the deleted rows, and no file under the lake still holds them.
    with pytest.raises(Exception):  # noqa: B017 - deltalake raises its own not-found types
        DeltaTable(cfg.table("silver", "turns"), version=old_version - 1)
    hits = scan_paths([Path(cfg.lake)], [Canary("expired-turn", marker)]).hits
    assert hits == [], hits[:3]
    # Applying again finds nothing more to do.
    assert plan_retention(cfg, POLICY, NOW).items == []


def test_rerunning_expired_hours_changes_nothing(
    lake: tuple[LakeConfig, dict[str, pl.DataFrame]],
) -> None:
    cfg, _ = lake
    run_retention(cfg, POLICY, NOW)
    settled = _tables(cfg)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
        for hour in HOURS[:4]:  # silver-expired and bronze-expired-but-silver-kept hours
            assert build_bronze_hour(cfg, hour).expired
            assert build_silver_hour(cfg, hour, SilverOptions(demo=True)).expired
        build_candidates_hours(cfg, HOURS)
        build_gold(cfg)
    again = _tables(cfg)
    for name, frame in settled.items():
        assert _sorted(again[name]).equals(_sorted(frame)), name


def test_policy_files_are_validated(tmp_path: Path) -> None:
    assert load_policy().silver_days == 30 and load_policy().bronze_days == 7
    bad = tmp_path / "p.yaml"
    for text, message in (("silver_dayz: 3\n", "unknown setting"),
                          ("silver_days: 0\n", "at least 1 day"),
                          ("silver_days: soon\n", "whole number")):  # fmt: skip
        bad.write_text(text)
        with pytest.raises(PolicyError, match=message):
            load_policy(bad)
    bad.write_text("silver_days: null\n")
    assert load_policy(bad).silver_days is None


def test_the_daily_dagster_job_applies_the_policy(
    lake: tuple[LakeConfig, dict[str, pl.DataFrame]], tmp_path: Path
) -> None:
    from assets.definitions import defs
    from assets.governance import retention_daily, retention_job
    from assets.resources import KvarnResource

    cfg, before = lake
    assert defs.get_job_def("retention_job") is not None
    assert retention_daily.cron_schedule == "15 1 * * *"
    policy = tmp_path / "policy.yaml"
    policy.write_text("bronze_days: 7\nsilver_days: 30\nlanding_days: 7\n")
    result = retention_job.execute_in_process(
        resources={"kvarn": KvarnResource(data_dir=cfg.data_dir, retention_policy=str(policy))}
    )
    assert result.success
    # at least every hour of bronze events and silver turns, and the three landing days
    assert result.output_for_node("apply_retention_policy") >= len(HOURS) * 2 + 3
    after = _tables(cfg)  # today is long after September 2025: every hour has expired
    assert after["bronze.events"].height == 0 and after["silver.turns"].height == 0
    assert after["gold.candidates"].height == before["gold.candidates"].height
    assert not any(Path(cfg.telemetry).iterdir())
