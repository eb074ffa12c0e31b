"""Pipeline throughput: landing JSONL → bronze → silver, against polars.read_ndjson.

Generates N events (two days of traffic), then runs the engine (no Dagster overhead) hour by hour
and prints events/s for bronze, silver and both, next to the time polars needs just to parse the
same valid lines (the floor for any reader), measured in the same run.

    .venv/bin/python benchmarks/bench_pipeline.py --events 200000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.bronze.build import build_bronze_hours
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import LakeConfig
from pipelines.generate import generate
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.silver.build import SilverOptions, build_silver_hours

# The core columns bronze extracts. Nested fields vary by intent (slots, args), which polars
# cannot unify into one struct type, so the baseline parses the flat core only — a floor.
BASELINE_SCHEMA = {
    "v": pl.Int64,
    "event": pl.Utf8,
    "env": pl.Utf8,
    "session_id": pl.Utf8,
    "turn_id": pl.Utf8,
    "user_id": pl.Utf8,
    "lang": pl.Utf8,
    "hash": pl.Utf8,
}


def polars_baseline(telemetry: Path, scratch: Path) -> tuple[float, int]:
    """Seconds for polars.read_ndjson over the valid lines of every landing file."""
    import json

    clean = scratch / "clean"
    clean.mkdir()
    for i, path in enumerate(sorted(telemetry.rglob("*.jsonl"))):
        keep = []
        for raw in path.read_bytes().split(b"\n"):
            try:
                if isinstance(json.loads(raw), dict):
                    keep.append(raw)
            except ValueError:
                continue
        (clean / f"{i}.jsonl").write_bytes(b"\n".join(keep) + b"\n")
    t0 = time.perf_counter()
    rows = 0
    for path in sorted(clean.glob("*.jsonl")):
        # ignore_errors: a producer's mistyped value ("v": "1", which bronze quarantines) must
        # not end the baseline; polars reads it as null
        rows += pl.read_ndjson(path, schema=BASELINE_SCHEMA, ignore_errors=True).height
    return time.perf_counter() - t0, rows


def _rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="kvarn-bench-"))
    try:
        per_hour = max(1, args.events // (24 * args.days))
        t0 = time.perf_counter()
        stats = generate(scratch / "landing", days=args.days, events_per_hour=per_hour,
                         seed=args.seed, start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
        t_gen = time.perf_counter() - t0
        rss_gen = _rss_mb()
        cfg = LakeConfig(data_dir=str(scratch))
        hours = all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry))

        t0 = time.perf_counter()
        ordered = list(hours)
        with delta.table_cache():  # each stage keeps its tables open, as a Dagster step does
            for i in range(0, len(ordered), 24):  # a day of hours per call, as kvarn run
                build_bronze_hours(cfg, ordered[i : i + 24])
        t_bronze = time.perf_counter() - t0
        rss_bronze = _rss_mb()
        print(f"bronze done            {t_bronze:>12.1f} s   (peak RSS {rss_bronze:,.0f} MB)",
              flush=True)  # fmt: skip

        opts = SilverOptions(demo=True)
        t0 = time.perf_counter()
        with delta.table_cache():
            for i in range(0, len(ordered), 24):
                build_silver_hours(cfg, ordered[i : i + 24], opts)
        t_silver = time.perf_counter() - t0
        rss_silver = _rss_mb()
        print(f"silver done            {t_silver:>12.1f} s   (peak RSS {rss_silver:,.0f} MB)",
              flush=True)  # fmt: skip

        t_polars, polars_rows = polars_baseline(Path(cfg.telemetry), scratch)
        events = delta.count_rows(cfg.table("bronze", "events"))
        turns = delta.count_rows(cfg.table("silver", "turns"))
        rss_mb = _rss_mb()
        total = t_bronze + t_silver
        print(f"lines generated        {stats.lines:>12,}   ({t_gen:.1f} s)")
        print(f"hours                  {len(hours):>12,}")
        print(f"bronze events          {events:>12,}")
        print(f"silver turns           {turns:>12,}")
        print(f"bronze  events/s       {stats.lines / t_bronze:>12,.0f}   ({t_bronze:.1f} s)")
        print(f"silver  events/s       {events / t_silver:>12,.0f}   ({t_silver:.1f} s)")
        print(f"end-to-end events/s    {stats.lines / total:>12,.0f}   ({total:.1f} s)")
        print(f"polars.read_ndjson/s   {polars_rows / t_polars:>12,.0f}   ({t_polars:.2f} s)")
        print(f"ratio kvarn/polars     {total / t_polars:>12.1f}x slower (parse-only baseline)")
        print(f"peak RSS               {rss_mb:>12,.0f} MB   (after generate {rss_gen:,.0f}, "
              f"bronze {rss_bronze:,.0f}, silver {rss_silver:,.0f})")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
