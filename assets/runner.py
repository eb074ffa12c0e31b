"""In-process materialization of hourly partitions, for users without the Dagster daemon.

Uses the very definitions the UI and schedules use. Runs are recorded in the project's Dagster
instance when ``DAGSTER_HOME`` is set (``make`` sets it), so they show up in ``make ui``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from dagster import DagsterInstance, materialize

from assets.definitions import ASSETS, CHECKS, TABLE_ASSETS, TABLE_CHECKS
from assets.reclaim import OWNER_TAG, SOURCE_TAG, owner, reclaim_dead_runs
from assets.resources import KvarnResource
from pipelines.config import LakeConfig
from pipelines.io.timestamps import hour_to_dagster_key


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
) -> list[str]:
    """Materialize bronze → silver → gold (with checks) hour by hour; returns failed hours."""
    inst = instance or _instance()
    reclaim_dead_runs(inst)
    failed: list[str] = []
    for i, hour in enumerate(hours):
        # Candidates of other hours are refreshed once, after the range's last hour.
        resource = KvarnResource(
            data_dir=cfg.data_dir,
            mask_mode=mask_mode,
            demo=demo,
            refresh_candidates=i == len(hours) - 1,
        )
        result = materialize(
            [*ASSETS, *CHECKS],
            partition_key=hour_to_dagster_key(hour),
            instance=inst,
            resources={"kvarn": resource},
            raise_on_error=False,
            tags={SOURCE_TAG: "kvarn run", OWNER_TAG: owner()},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        if not result.success:
            failed.append(hour)
        if on_hour:
            on_hour(hour)
    return failed


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
