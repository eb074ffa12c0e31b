"""The code location of the distributed profile: kvarn's definitions with the Celery executor.

Every step of a run becomes a Celery task that a worker process (any machine that can reach the
broker, the PostgreSQL instance and the lake) executes; the run process only orchestrates. The
assets are the embedded ones unchanged — they hold no process state and find the lake from the
environment (``KVARN_LAKE``/``KVARN_STORAGE_OPTIONS``), so a worker needs nothing but the same code
and environment. ``deploy/distributed/`` holds the instance, workspace and Celery settings.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from dagster import DagsterInstance, Definitions, execute_job
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster_celery import celery_executor, core_execution_loop

# The module, not its ``defs``: a code location may hold one Definitions object at module scope.
from assets import definitions as embedded
from assets.gold import gold_tables_job
from assets.partitions import MAX_BATCH_HOURS, batch_tags, run_in_batches
from assets.reclaim import OWNER_TAG, SOURCE_TAG, owner, reclaim_dead_runs

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "kvarn distributed"
"""``kvarn/source`` of these runs: the run-report sensor reports each; reclaim finds them."""
CELERY_YAML = ROOT / "deploy" / "distributed" / "celery.yaml"
"""The executor block shared by runs and workers (broker/backend URLs from the environment)."""

# The run process polls its Celery tasks once per tick (1 s upstream), and every hop from a step
# to the ones after it waits for a tick: ~6 hops per hour-run. A tenth of a second costs one
# Redis round trip per pending task and takes seconds off every run.
core_execution_loop.TICK_SECONDS = 0.1  # type: ignore[assignment]  # upstream: int 1

# dagster-celery builds a Celery app per run and registers its task again each time; Celery
# warns on every run after the first that the name is taken (by the same task).
warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")


def celery_config(path: Path = CELERY_YAML) -> dict[str, Any]:
    """The ``execution.config`` block of ``celery.yaml`` (what ``dagster-celery worker start
    -y`` reads too, so runs and workers agree on the broker)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(doc["execution"]["config"])


# The executor carries its settings (broker and backend from the environment), so runs the
# daemon launches — UI, schedules, sensors, `dagster job backfill` — need no run config.
defs = Definitions.merge(
    embedded.defs, Definitions(executor=celery_executor.configured(celery_config()))
)


def _run_config(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "resources": {"kvarn": {"config": dict(resource)}},
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
    }


def run_hours_distributed(
    instance: DagsterInstance,
    data_dir: str,
    hours: Sequence[str],
    *,
    demo: bool = False,
    mask_mode: str = "placeholder",
    on_hour: Callable[[str], None] | None = None,
    batch_hours: int = MAX_BATCH_HOURS,
) -> list[str]:
    """One ``hourly_pipeline`` run per batch of consecutive hours, in order, each step executed
    by a Celery worker; then one ``rebuild_gold_tables`` run. Returns the hours (or
    ``"gold tables"``) that failed; a failed batch is run again hour by hour to name them.

    Runs are recorded in ``instance`` (PostgreSQL in this profile). Candidates of other hours are
    refreshed once, by the range's last run, exactly as ``kvarn run`` does in one process.
    """
    repo = ReconstructableRepository.for_module(
        "assets.distributed", "defs", working_directory=str(ROOT)
    )
    # A run process killed mid-run leaves its run STARTED and silver's pool slot claimed.
    reclaim_dead_runs(instance, SOURCE)
    tags = {SOURCE_TAG: SOURCE, OWNER_TAG: owner()}
    base = {"data_dir": data_dir, "demo": demo, "mask_mode": mask_mode}

    def run(batch: list[str], refresh: bool) -> bool:
        resource = {**base, "refresh_candidates": refresh}
        with execute_job(
            repo.get_reconstructable_job(embedded.hourly_pipeline.name),
            instance=instance,
            run_config=_run_config(resource),
            tags={**tags, **batch_tags(batch)},
            raise_on_error=False,
        ) as result:
            return bool(result.success)

    failed = run_in_batches(hours, batch_hours, run, on_hour)
    with execute_job(
        repo.get_reconstructable_job(gold_tables_job.name),
        instance=instance,
        run_config=_run_config({"data_dir": data_dir, "demo": demo}),
        tags=tags,
        raise_on_error=False,
    ) as result:
        if not result.success:
            failed.append("gold tables")
    return failed
