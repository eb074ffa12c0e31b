"""kvarn's engine without Dagster: bronze, then silver, for every hour of a landing zone.

The loop ``bench_pipeline.py``, ``bench_vs_peer.py`` and ``profile_silver.py`` time, kept in one
place so all three measure the same work. As a script it runs over one data directory (its
``landing/`` as ``kvarn generate`` writes it) and prints the times:

    .venv/bin/python benchmarks/engine_hours.py --data DIR
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.bronze.build import build_bronze_hours
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import LakeConfig
from pipelines.generate import generate
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.io.processes import kept_workers
from pipelines.silver.build import SilverOptions, build_silver_hours


@dataclass(frozen=True)
class EngineTimes:
    hours: int
    bronze_s: float
    silver_s: float


def make_landing(
    landing: Path,
    events: int,
    days: int = 2,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """``kvarn generate`` into ``landing``: about ``events`` events over ``days`` days from
    2025-09-01 (the producers' format, broken lines and re-deliveries included); returns lines."""
    per_hour = max(1, events // (24 * days))
    start = datetime(2025, 9, 1, tzinfo=UTC)
    stats = generate(landing, days=days, events_per_hour=per_hour, seed=seed, start=start,
                     progress=progress)  # fmt: skip
    return int(stats.lines)


def landing_hours(cfg: LakeConfig) -> list[str]:
    """Every hour some landing line belongs to, in order."""
    return list(all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry)))


SILVER_BATCH_HOURS = 24
"""Hours built per ``build_silver_hours`` call: a batched Dagster run's default (``kvarn run
--batch-hours``)."""


def batches(hours: list[str], size: int = SILVER_BATCH_HOURS) -> list[list[str]]:
    """``hours`` in consecutive groups of at most ``size``."""
    return [hours[i : i + size] for i in range(0, len(hours), size)]


def run_bronze_silver(
    cfg: LakeConfig, on_hour: Callable[[str, str], None] | None = None, workers: int = 1
) -> EngineTimes:
    """Bronze for all hours, then silver for all hours (demo pseudonym key), each in batches of a
    day of hours, timed apart, each with its tables kept open as a batched Dagster step keeps them.

    ``on_hour(stage, hour)`` reports progress (after each batch, its last hour). ``workers``:
    bronze's validating and silver's preparing processes (1: all in this one, issue #18's
    single-process engine)."""
    hours = landing_hours(cfg)
    with kept_workers():  # one pool for both stages and every batch, as in ``kvarn run``
        t0 = time.perf_counter()
        with delta.table_cache():  # as a Dagster step keeps them (assets/)
            for batch in batches(hours):
                build_bronze_hours(cfg, batch, workers=workers)
                if on_hour:
                    on_hour("bronze", batch[-1])
        t_bronze = time.perf_counter() - t0
        opts = SilverOptions(demo=True, workers=workers)
        t0 = time.perf_counter()
        with delta.table_cache():
            for batch in batches(hours):
                build_silver_hours(cfg, batch, opts)
                if on_hour:
                    on_hour("silver", batch[-1])
        t_silver = time.perf_counter() - t0
    return EngineTimes(len(hours), t_bronze, t_silver)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="data dir holding landing/")
    ap.add_argument("--workers", type=int, default=1,
                    help="bronze's validating and silver's preparing processes (default 1: a "
                    "single process)")  # fmt: skip
    args = ap.parse_args()
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    if not (args.data / "landing" / "telemetry").is_dir():
        ap.error(
            f"{args.data}/landing/telemetry is missing (hint: kvarn generate --out DIR/landing)"
        )
    times = run_bronze_silver(LakeConfig(data_dir=str(args.data.resolve())), workers=args.workers)
    print(
        f"engine: {times.hours} hours, bronze {times.bronze_s:.1f} s, silver {times.silver_s:.1f} s"
    )


if __name__ == "__main__":
    main()
