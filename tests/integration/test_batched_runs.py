"""A backfill as one Dagster run per batch of hours: one run, every hour's checks evaluated, the
same tables as runs of one hour each (tests/e2e/test_order_independence.py compares those), and
a failing hour named while the rest of its batch still lands."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from dagster import AssetCheckEvaluation, DagsterEventType, DagsterInstance, RunsFilter

import assets.silver
from assets.partitions import RANGE_END_TAG, RANGE_START_TAG, consecutive_batches
from assets.runner import materialize_hours
from pipelines.config import LakeConfig
from pipelines.io import delta, processes
from pipelines.io.processes import kept_workers, running_workers
from pipelines.silver.build import SilverOptions, SilverReport
from tests.integration.small_lake import TEST_KEY, generate_landing

HOURS = [f"2025-09-01T{h:02d}" for h in range(8, 12)]


def test_consecutive_hours_batch_and_a_gap_or_the_size_cuts() -> None:
    hours = ["2025-09-01T22", "2025-09-01T23", "2025-09-02T00", "2025-09-02T02", "2025-09-02T03"]
    assert consecutive_batches(hours, 24) == [hours[:3], hours[3:]]
    assert consecutive_batches(hours, 2) == [hours[:2], hours[2:3], hours[3:]]
    assert consecutive_batches(hours[::-1], 24) == [[h] for h in hours[::-1]]  # order is kept
    assert consecutive_batches([], 24) == []


def test_a_batch_is_one_run_with_every_check_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = generate_landing(tmp_path, seed=5, per_hour=30)
    monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
    with DagsterInstance.ephemeral() as instance:
        assert materialize_hours(cfg, HOURS, demo=True, instance=instance) == []
        runs = instance.get_runs(RunsFilter())
        assert len(runs) == 1
        tags = runs[0].tags
        assert (tags[RANGE_START_TAG], tags[RANGE_END_TAG]) == ("2025-09-01-08:00",
                                                                "2025-09-01-11:00")  # fmt: skip
        logs = instance.all_logs(runs[0].run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        evaluations = [e.dagster_event.event_specific_data for e in logs if e.dagster_event]
        by_name = {ev.check_name: ev for ev in evaluations if isinstance(ev, AssetCheckEvaluation)}
        for name in ("bronze_conservation", "silver_no_pii", "candidates_have_reasons"):
            assert by_name[name].passed, by_name[name].metadata
            assert by_name[name].metadata["hours"].value == len(HOURS)
            assert by_name[name].metadata["failed_hours"].value == "none"
        # Every hour of the batch is a materialized partition of every hourly asset.
        silver = instance.get_materialized_partitions(assets.silver.TURNS)
        assert {"2025-09-01-08:00", "2025-09-01-11:00"} <= silver
    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None
    assert sorted(turns["hour"].unique().to_list()) == HOURS


def test_a_failing_hour_is_named_and_the_rest_of_its_batch_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = generate_landing(tmp_path, seed=5, per_hour=30)
    monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
    real = assets.silver.build_silver_hours
    broken = "2025-09-01T10"

    def build(lake: LakeConfig, hours: list[str], options: SilverOptions) -> list[SilverReport]:
        if broken in hours:
            raise RuntimeError("disk full")
        return real(lake, hours, options)

    monkeypatch.setattr(assets.silver, "build_silver_hours", build)
    with DagsterInstance.ephemeral() as instance:
        assert materialize_hours(cfg, HOURS, demo=True, instance=instance) == [broken]
        # The batch failed as a whole, then each hour ran alone.
        assert len(instance.get_runs(RunsFilter())) == 1 + len(HOURS)
    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None
    assert sorted(turns["hour"].unique().to_list()) == [h for h in HOURS if h != broken]


def test_one_worker_pool_serves_every_batch_of_a_backfill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``kept_workers`` (``kvarn run`` holds it over all its batches) bronze, silver and
    the leak audit of every batch run on one pool, started once; without it (a run the daemon
    launches), each stage of each run starts its own and the audit starts none."""
    cfg = generate_landing(tmp_path, seed=5, per_hour=30)
    monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
    started: list[int] = []
    real = processes._executor

    def counted(workers: int, warm: Callable[[], object] | None) -> ProcessPoolExecutor:
        started.append(workers)
        return real(workers, warm)

    monkeypatch.setattr(processes, "_executor", counted)
    with DagsterInstance.ephemeral() as instance:
        with kept_workers():
            failed = materialize_hours(cfg, HOURS, demo=True, instance=instance, batch_hours=2,
                                       workers=2)  # fmt: skip
            assert failed == [] and started == [2] and running_workers() == 2
        assert running_workers() == 0 and not multiprocessing.active_children()
        started.clear()
        failed = materialize_hours(cfg, HOURS, demo=True, instance=instance, batch_hours=2,
                                   workers=2)  # fmt: skip
        assert failed == [] and started == [2, 2, 2, 2]  # bronze and silver of both runs
        assert not multiprocessing.active_children()
        assert len(instance.get_runs(RunsFilter())) == 4
