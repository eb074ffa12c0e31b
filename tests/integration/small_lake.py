"""A small generated lake materialized in-process through the Dagster definitions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import DagsterInstance

from assets.partitions import MAX_BATCH_HOURS
from assets.runner import materialize_hours
from pipelines.config import LakeConfig
from pipelines.generate.writer import generate

START = datetime(2025, 9, 1, tzinfo=UTC)


def generate_landing(root: Path, *, seed: int, per_hour: int) -> LakeConfig:
    """One day of telemetry from 2025-09-01 under ``root/landing``."""
    generate(root / "landing", days=1, events_per_hour=per_hour, seed=seed, start=START)
    return LakeConfig(data_dir=str(root))


TEST_KEY = "6b7661726e2d736d616c6c2d6c616b65"
"""Pseudonym key of these lakes: one key, so lakes built in different orders compare equal."""


def run_hours(
    cfg: LakeConfig,
    hours: Sequence[str],
    mask_mode: str = "placeholder",
    batch_hours: int = MAX_BATCH_HOURS,
) -> None:
    """Materialize ``hours`` in that order on a throwaway instance; every hour must succeed."""
    with pytest.MonkeyPatch.context() as env, DagsterInstance.ephemeral() as instance:
        env.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
        failed = materialize_hours(
            cfg, hours, mask_mode=mask_mode, demo=True, instance=instance, batch_hours=batch_hours
        )
    assert failed == [], failed
