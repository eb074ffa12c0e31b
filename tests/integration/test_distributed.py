"""The distributed profile for real, on loopback: PostgreSQL instance storage, a Redis broker, two
Celery worker processes and the lake on an S3-API server (moto's standalone server, its own
process). A day of generated telemetry is backfilled through it — one run per six hours, every step
executed by a worker — and every table equals the embedded single-process run of the same
landing files.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from assets.runner import materialize_gold_tables
from pipelines.config import LakeConfig
from pipelines.io import delta
from tests.integration.loopback import Cluster, distributed_cluster
from tests.integration.small_lake import TEST_KEY, generate_landing, run_hours

pytestmark = [pytest.mark.slow, pytest.mark.distributed]

BIN = Path(sys.executable).parent
HOURS = [f"2025-09-01T{h:02d}" for h in range(24)]
PER_HOUR = 4
BATCH_HOURS = 6
"""Four hourly runs of six hours: enough steps that both workers take some."""
# Written from the wall clock, not a function of the landing data.
VOLATILE = {"ingested_at", "created_at", "built_at", "claimed_at"}
WALL_CLOCK_FIGURES = {"retention_compliance"}
"""gold/dq_hourly figures judged against the lake as the clock finds it when the hour is judged
(docs/operations.md, Data-quality thresholds): they depend on what else is in the lake then."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("cluster")
    with distributed_cluster(work, BIN, workers=2, pseudonym_key=TEST_KEY) as running:
        yield running
        alive = all(w.poll() is None for w in running.workers)
        assert alive, running.group.log("kvarn1") + running.group.log("kvarn2")


def _tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for view, path in cfg.all_tables().items():
        frame = delta.read_table(path, storage_options=cfg.storage_options)
        if frame is None:
            continue
        keep = sorted(c for c in frame.columns if c not in VOLATILE)
        frame = frame.select(keep)
        if view == "gold_dq_hourly":
            frame = frame.filter(~pl.col("metric").is_in(WALL_CLOCK_FIGURES))
        sortable = [c for c in keep if not isinstance(frame.schema[c], (pl.List, pl.Struct))]
        out[view] = frame.sort(sortable)
    return out


def _differing_columns(a: pl.DataFrame, b: pl.DataFrame) -> list[str]:
    if a.height != b.height:
        return [f"rows {a.height} != {b.height}"]
    return [c for c in b.columns if c not in a.columns or not a[c].equals(b[c])]


def test_a_day_on_the_distributed_profile_equals_the_embedded_run(
    tmp_path: Path, cluster: Cluster
) -> None:
    from assets.distributed import run_hours_distributed

    embedded_cfg = generate_landing(tmp_path / "embedded", seed=18, per_hour=PER_HOUR)
    landing_root = tmp_path / "distributed"
    shutil.copytree(tmp_path / "embedded" / "landing", landing_root / "landing")
    # The embedded single-process run of the same landing files, on local disk.
    with pytest.MonkeyPatch.context() as env:
        env.delenv("KVARN_LAKE")
        env.delenv("KVARN_STORAGE_OPTIONS")
        # Batched alike: a batch writes each table once, so the silver versions gold rows
        # record as provenance follow the batches.
        run_hours(embedded_cfg, HOURS, batch_hours=BATCH_HOURS)
        with DagsterInstance.ephemeral() as inst:
            assert materialize_gold_tables(embedded_cfg, demo=True, instance=inst)

    failed = run_hours_distributed(
        cluster.instance, str(landing_root), HOURS, demo=True, batch_hours=BATCH_HOURS
    )
    assert failed == []

    runs = cluster.instance.get_run_records(RunsFilter())
    assert len(runs) == len(HOURS) // BATCH_HOURS + 1
    assert {r.dagster_run.status for r in runs} == {DagsterRunStatus.SUCCESS}
    # Every step was delegated to a Celery worker, and both workers took some.
    hosts: set[str] = set()
    for record in runs:
        run_id = record.dagster_run.run_id
        for entry in cluster.instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
            meta = entry.dagster_event.engine_event_data.metadata if entry.dagster_event else {}
            if "Celery worker" in meta:
                hosts.add(str(meta["Celery worker"].value).split("@")[0])
    assert hosts == {"kvarn1", "kvarn2"}, hosts

    s3_cfg = LakeConfig.from_env(str(landing_root))
    assert s3_cfg.lake == "s3://kvarn/lake"
    assert not (landing_root / "lake").exists()  # every table went to the bucket
    got, want = _tables(s3_cfg), _tables(embedded_cfg)
    assert set(got) == set(want)
    assert want["silver_turns"].height > 24
    assert want["gold_slo_hourly"]["hour"].n_unique() == len(HOURS)
    for view, frame in want.items():
        assert got[view].equals(frame), (view, _differing_columns(got[view], frame))
