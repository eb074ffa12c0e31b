"""Does an hour get slower as the lake fills up? Per-hour cost of ``kvarn run``, first vs last.

Generates D days of telemetry into a temporary directory, materializes every hour through the
same Dagster definitions ``kvarn run`` uses (in-process, a fresh ephemeral instance), and prints
the mean wall time per block of 12 hours plus the ratio of the last block to the first (the
baseline, measured in the same run). A flat pipeline stays near 1.0×.

    .venv/bin/python benchmarks/bench_hours.py --days 3 --events-per-hour 200
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--events-per-hour", type=int, default=200)
    parser.add_argument("--block", type=int, default=12, help="hours per printed block")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_hours_") as tmp:
        data = Path(tmp) / "data"
        os.environ["KVARN_DATA"] = str(data)
        os.environ.pop("DAGSTER_HOME", None)  # an ephemeral instance: no sqlite run history
        from dagster import DagsterInstance

        from assets.runner import materialize_hours
        from pipelines.bronze.ingest import all_owner_hours
        from pipelines.config import LakeConfig
        from pipelines.generate import generate
        from pipelines.io.landing import day_dirs

        cfg = LakeConfig(data_dir=str(data))
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        start = now - timedelta(days=args.days + 1)
        generate(
            str(data / "landing"),
            days=args.days,
            events_per_hour=args.events_per_hour,
            seed=7,
            start=start,
        )
        hours = all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry))
        stamps = [time.perf_counter()]
        failed = materialize_hours(
            cfg,
            hours,
            demo=True,
            instance=DagsterInstance.ephemeral(),
            on_hour=lambda _h: stamps.append(time.perf_counter()),
        )
        if failed:
            raise SystemExit(f"{len(failed)} hour(s) failed: {failed[:3]}")
        per_hour = [b - a for a, b in itertools.pairwise(stamps)]
        blocks = [per_hour[i : i + args.block] for i in range(0, len(per_hour), args.block)]
        if len(blocks) > 2 and len(blocks[-1]) < args.block:  # a trailing partial block
            blocks[-2].extend(blocks.pop())
        for i, block in enumerate(blocks):
            first = i * args.block
            print(
                f"hours {first:4d}-{first + len(block) - 1:4d}: "
                f"mean {statistics.mean(block):.2f} s per hour"
            )
        ratio = statistics.mean(blocks[-1]) / statistics.mean(blocks[0])
        print(
            f"{len(hours)} hours of {args.events_per_hour} events in "
            f"{stamps[-1] - stamps[0]:.0f} s; last block / first block: {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
