"""In-process materialization of hourly partitions, for users without the Dagster daemon.

Uses the very definitions the UI and schedules use. Runs are recorded in the project's Dagster
instance when ``DAGSTER_HOME`` is set (``make`` sets it), so they show up in ``make ui``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from dagster import DagsterInstance, materialize

from assets.definitions import ASSETS, CHECKS, TABLE_ASSETS, TABLE_CHECKS
from assets.partitions import MAX_BATCH_HOURS, batch_tags, run_in_batches
from assets.reclaim import OWNER_TAG, SOURCE_TAG, owner, reclaim_dead_runs
from assets.resources import KvarnResource
from pipelines.config import LakeConfig


def _instance() -> DagsterInstance:
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


def materialize_hours(
    cfg: LakeConfig,
    hours: Sequence[str],
    *,
    mask_mode: str = "placeholder",
    demo: bool = False,
    on_hour: Callable[[str], None] | None = None,
    instance: DagsterInstance | None = None,
    batch_hours: int = MAX_BATCH_HOURS,
    workers: int = 0,
) -> list[str]:
    """Materialize bronze → silver → gold (with checks) for ``hours``; returns failed hours.

    Consecutive hours go up to ``batch_hours`` per Dagster run, worked through in order inside
    each step: a run's fixed cost is paid once per batch. A batch that fails is run again hour
    by hour (reruns are idempotent), so the failed hours are named and the others still land.
    ``workers``: bronze's validating and silver's preparing processes per run (0: decided by
    each batch's volume).
    """
    inst = instance or _instance()
    reclaim_dead_runs(inst)

    def run(batch: list[str], refresh: bool) -> bool:
        return _materialize(inst, cfg, batch, mask_mode, demo, refresh=refresh, workers=workers)

    return run_in_batches(hours, batch_hours, run, on_hour)


def _materialize(
    inst: DagsterInstance,
    cfg: LakeConfig,
    hours: list[str],
    mask_mode: str,
    demo: bool,
    *,
    refresh: bool,
    workers: int = 0,
) -> bool:
    """One Dagster run over ``hours`` (consecutive); whether it succeeded."""
    resource = KvarnResource(
        data_dir=cfg.data_dir,
        mask_mode=mask_mode,
        demo=demo,
        refresh_candidates=refresh,
        silver_workers=workers,
        bronze_workers=workers,
    )
    result = materialize(
        [*ASSETS, *CHECKS],
        instance=inst,
        resources={"kvarn": resource},
        raise_on_error=False,
        tags={SOURCE_TAG: "kvarn run", OWNER_TAG: owner(), **batch_tags(hours)},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    return bool(result.success)


def materialize_gold_tables(
    cfg: LakeConfig, *, demo: bool = False, instance: DagsterInstance | None = None
) -> bool:
    """Rebuild the unpartitioned gold training tables once (after the hours are in)."""
    inst = instance or _instance()
    reclaim_dead_runs(inst)
    result = materialize(
        [*TABLE_ASSETS, *TABLE_CHECKS],
        instance=inst,
        resources={"kvarn": KvarnResource(data_dir=cfg.data_dir, demo=demo)},
        raise_on_error=False,
        tags={SOURCE_TAG: "kvarn run", OWNER_TAG: owner()},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    return bool(result.success)
