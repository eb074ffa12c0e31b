"""The same engine on an object-store lake (an S3-API server, moto's, in its own process on
loopback).

DESIGN: the lake root may be ``s3://…`` with deltalake storage options, unchanged code. Landing
stays local (it is where the assistant writes); every Delta table lives in the bucket.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.config import LakeConfig
from pipelines.generate import generate
from pipelines.gold.candidates import build_candidates_hour
from pipelines.io import delta
from pipelines.quality.leakage import audit_partition
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.integration.loopback import ProcessGroup, start_s3

HOUR = "2025-09-01T10"


@pytest.fixture(scope="module")
def s3_options(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """moto's S3-API server as its own process on loopback (not an in-process mock)."""
    group = ProcessGroup(tmp_path_factory.mktemp("s3"))
    try:
        yield start_s3(group, Path(sys.executable).parent, "kvarn")
    finally:
        group.stop()


def test_bronze_silver_gold_on_s3(tmp_path: Path, s3_options: dict[str, str]) -> None:
    generate(tmp_path / "landing", days=1, events_per_hour=40, seed=4,
             start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    cfg = LakeConfig(
        data_dir=str(tmp_path), lake_override="s3://kvarn/lake", storage_options=s3_options
    )
    first = build_bronze_hour(cfg, HOUR)
    assert first.events > 0
    rerun = build_bronze_hour(cfg, HOUR)
    assert (rerun.events, rerun.quarantined) == (first.events, first.quarantined)
    report = build_silver_hour(cfg, HOUR, SilverOptions(demo=True))
    assert report.rows["turns"] > 0
    cands = build_candidates_hour(cfg, HOUR)
    turns = delta.read_partition(
        cfg.table("silver", "turns"), "hour", HOUR, storage_options=s3_options
    )
    assert turns is not None and turns.height == report.rows["turns"]
    assert turns["cluster_id"].null_count() == 0
    assert cands.version is not None
    assert not (tmp_path / "lake").exists()  # nothing fell back to local disk
    audit = audit_partition(
        [cfg.table("silver", "turns"), cfg.table("silver", "tool_calls")],
        HOUR,
        storage_options=s3_options,
    )
    assert audit.blocking == 0


def test_dagster_materializes_an_hour_on_s3(
    tmp_path: Path, s3_options: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Dagster layer reads the lake location from the environment, as a deployment would."""
    import json

    from dagster import DagsterInstance, materialize

    from assets.definitions import ASSETS, CHECKS
    from assets.quality import DQ_HOURLY
    from assets.resources import KvarnResource
    from pipelines.io.timestamps import hour_to_dagster_key

    generate(tmp_path / "landing", days=1, events_per_hour=30, seed=8,
             start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    monkeypatch.setenv("KVARN_LAKE", "s3://kvarn/dagster-lake")
    monkeypatch.setenv("KVARN_STORAGE_OPTIONS", json.dumps(s3_options))
    result = materialize(
        [*ASSETS, *CHECKS],
        partition_key=hour_to_dagster_key(HOUR),
        instance=DagsterInstance.ephemeral(),
        resources={"kvarn": KvarnResource(data_dir=str(tmp_path), demo=True)},
    )
    assert result.success
    # gold/dq_hourly's checks judge freshness and retention by the wall clock (2025 is stale)
    assert all(c.passed for c in result.get_asset_check_evaluations() if c.asset_key != DQ_HOURLY)
    cfg = LakeConfig.from_env(str(tmp_path))
    assert cfg.lake == "s3://kvarn/dagster-lake"
    assert delta.count_rows(cfg.table("silver", "turns"), cfg.storage_options) > 0
