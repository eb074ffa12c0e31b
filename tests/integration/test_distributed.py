"""The distributed profile for real, on loopback: PostgreSQL instance storage, a Redis broker, two
Celery worker processes and the lake on an S3-API server (moto's standalone server, its own
process). A day of generated telemetry is backfilled through it — one run per hour, every step
executed by a worker — and every table equals the embedded single-process run of the same
landing files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from assets.runner import materialize_gold_tables
from pipelines.config import LakeConfig
from pipelines.io import delta
from tests.integration.loopback import (
    ProcessGroup,
    start_postgres,
    start_redis,
    start_s3,
    wait_for,
)
from tests.integration.small_lake import TEST_KEY, generate_landing, run_hours

pytestmark = [pytest.mark.slow, pytest.mark.distributed]

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "deploy" / "distributed"
BIN = Path(sys.executable).parent
HOURS = [f"2025-09-01T{h:02d}" for h in range(24)]
PER_HOUR = 4
# Written from the wall clock, not a function of the landing data.
VOLATILE = {"ingested_at", "created_at", "built_at", "claimed_at"}


@dataclass
class Cluster:
    env: dict[str, str]
    instance: DagsterInstance
    storage_options: dict[str, str]
    group: ProcessGroup


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp_path = tmp_path_factory.mktemp("cluster")
    group = ProcessGroup(tmp_path)
    monkeypatch = pytest.MonkeyPatch()
    try:
        pg_url = start_postgres(group)
        redis = start_redis(group)
        s3 = start_s3(group, BIN, "kvarn")
        home = tmp_path / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text((PROFILE / "dagster.yaml").read_text())
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "KVARN_PG_URL": pg_url,
            "KVARN_CELERY_BROKER": f"{redis}/0",
            "KVARN_CELERY_BACKEND": f"{redis}/1",
            "KVARN_LAKE": "s3://kvarn/lake",
            "KVARN_STORAGE_OPTIONS": json.dumps(s3),
            "KVARN_PSEUDONYM_KEY": TEST_KEY,
            "PYTHONPATH": str(ROOT),
        }
        for key in ("DAGSTER_HOME", "KVARN_PG_URL", "KVARN_CELERY_BROKER",
                    "KVARN_CELERY_BACKEND", "KVARN_LAKE", "KVARN_STORAGE_OPTIONS",
                    "KVARN_PSEUDONYM_KEY"):  # fmt: skip
            monkeypatch.setenv(key, env[key])
        workers = [
            group.start(
                f"worker{n}",
                [
                    str(BIN / "dagster-celery"),
                    "worker",
                    "start",
                    "-A",
                    "dagster_celery.app",
                    "-y",
                    str(PROFILE / "celery.yaml"),
                    "--name",
                    f"kvarn{n}",
                    "--loglevel",
                    "WARNING",
                    "--",
                    "--pool",
                    "solo",
                    "--concurrency",
                    "1",
                ],
                env={**env, "PATH": f"{BIN}:{env.get('PATH', '')}"},
                cwd=str(ROOT),
            )
            for n in (1, 2)
        ]
        wait_for(lambda: _workers(env["KVARN_CELERY_BROKER"]) >= {"kvarn1", "kvarn2"},
                 "two Celery workers answering over Redis", timeout=90)  # fmt: skip
        instance = DagsterInstance.from_config(str(home))
        try:
            yield Cluster(env, instance, s3, group)
        finally:
            instance.dispose()
        assert all(w.poll() is None for w in workers), group.log("worker1") + group.log("worker2")
    finally:
        monkeypatch.undo()
        group.stop()


def _workers(broker: str) -> set[str]:
    """Names of the Celery workers that answer a ping over ``broker``."""
    from celery import Celery

    replies = Celery(broker=broker).control.ping(timeout=1.0) or []
    return {name.split("@")[0] for reply in replies for name in reply}


def _tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for view, path in cfg.all_tables().items():
        frame = delta.read_table(path, storage_options=cfg.storage_options)
        if frame is None:
            continue
        keep = sorted(c for c in frame.columns if c not in VOLATILE)
        frame = frame.select(keep)
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
        run_hours(embedded_cfg, HOURS)
        with DagsterInstance.ephemeral() as inst:
            assert materialize_gold_tables(embedded_cfg, demo=True, instance=inst)

    failed = run_hours_distributed(cluster.instance, str(landing_root), HOURS, demo=True)
    assert failed == []

    runs = cluster.instance.get_run_records(RunsFilter())
    assert len(runs) == len(HOURS) + 1
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
