"""Silver with the per-process text caches off and on, on the same bronze, in one process.

Generates N events (two days), builds bronze once, then builds silver for every hour on a fresh
copy of that lake, alternating caches off (``run_caches(False)``: every text analysed and
date-parsed on every call) and on, ``--runs`` times each. Each run starts with empty caches
(the analysis cache, the date parse cache and the person detector's own small cache), so "on"
is one run's worth of reuse, not a warm process. Prints each run's silver time with its steps
(timers wrapped around silver's functions from here; the engine is not instrumented) in this
process's CPU seconds (robust on a shared machine; wall clock is printed for the totals), the
medians, the ratio off/on, and whether both lakes' silver tables are identical.

    .venv/bin/python benchmarks/bench_silver_caches.py --events 50000 --runs 3
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

import pipelines.io.delta as delta_module
import pipelines.silver.build as silver_build
import pipelines.silver.prepare as silver_prepare
from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.dates.parsed import parse_cache
from pipelines.generate import generate
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.io.text_cache import run_caches
from pipelines.pii import get_masker
from pipelines.silver.privacy import RecordMasker

STEPS: dict[str, float] = defaultdict(float)
WALL_CLOCK = {"ingested_at", "created_at"}


def _timed(step: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            STEPS[step] += time.process_time() - t0

    return wrapper


def _instrument() -> None:
    """Timers around silver's steps (module attributes build.py calls through)."""
    for name, step in (
        ("_load_kept_events", "load + exact dedupe"),
        ("extract_event", "extract"),
        ("normalize_turn_dates", "dates"),
        ("_assign_clusters", "near-dup"),
        ("frame", "frames"),
        ("refresh_cluster_labels", "cluster refresh"),
    ):
        owner = silver_prepare if hasattr(silver_prepare, name) else silver_build
        setattr(owner, name, _timed(step, getattr(owner, name)))
    RecordMasker.mask_records = _timed("pii (analyse + render)", RecordMasker.mask_records)  # type: ignore[method-assign]
    delta_module.overwrite_partition = _timed("delta writes", delta_module.overwrite_partition)


def _reset_caches() -> None:
    masker = get_masker()
    masker.analysis_cache.clear()
    parse_cache().clear()
    for recognizers in masker._by_entity.values():
        for recognizer in recognizers:
            detector = getattr(recognizer, "detector", None)
            if detector is not None:
                detector._cache.clear()


def _silver_tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out = {}
    for name in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", name))
        assert frame is not None
        keep = sorted(c for c in frame.columns if c not in WALL_CLOCK)
        out[name] = frame.select(keep).sort(keep)
    return out


def _run(bronze_lake: Path, scratch: Path, label: str, hours: list[str]) -> tuple[float, dict]:
    """CPU seconds of silver over every hour, with its steps, wall clock and tables."""
    lake = scratch / label
    shutil.copytree(bronze_lake, lake)
    cfg = LakeConfig(data_dir=str(lake))
    _reset_caches()
    STEPS.clear()
    t0, w0 = time.process_time(), time.perf_counter()
    for hour in hours:
        silver_build.build_silver_hour(cfg, hour, silver_build.SilverOptions(demo=True, workers=1))
    seconds, wall = time.process_time() - t0, time.perf_counter() - w0
    steps = dict(STEPS)
    tables = _silver_tables(cfg)
    shutil.rmtree(lake)
    return seconds, {"steps": steps, "tables": tables, "wall": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    # One pseudonym key for every copy (demo mode would make one per lake): tables compare.
    os.environ.setdefault("KVARN_PSEUDONYM_KEY", "6b7661726e2d62656e63682d6361636865")
    scratch = Path(tempfile.mkdtemp(prefix="kvarn-bench-caches-"))
    try:
        per_hour = max(1, args.events // (24 * args.days))
        generate(scratch / "base" / "landing", days=args.days, events_per_hour=per_hour,
                 seed=args.seed, start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
        base = LakeConfig(data_dir=str(scratch / "base"))
        hours = all_owner_hours(base.telemetry, day_dirs(base.telemetry))
        for hour in hours:
            build_bronze_hour(base, hour)
        events = delta.count_rows(base.table("bronze", "events"))
        get_masker().analyze_many(["ring Erik Svensson", "ring Anna"])  # load the model
        _instrument()

        times: dict[str, list[float]] = {"off": [], "on": []}
        steps: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
        walls_by: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
        reference: dict[str, pl.DataFrame] | None = None
        differ: set[str] = set()
        for i in range(args.runs):
            for label in ("off", "on"):
                with run_caches(label == "on"):
                    seconds, out = _run(scratch / "base", scratch, f"{label}{i}", hours)
                times[label].append(seconds)
                steps[label].append(out["steps"])
                walls_by[label].append({"wall": out["wall"]})
                if reference is None:
                    reference = out["tables"]
                else:
                    differ |= {t for t in reference if not out["tables"][t].equals(reference[t])}
                cache = get_masker().analysis_cache
                hits = f"analysis cache hits {cache.hits:,} / misses {cache.misses:,}"
                cache.hits = cache.misses = 0
                print(f"run {i + 1} caches {label:<3}  silver {seconds:7.1f} s CPU, "
                      f"{out['wall']:7.1f} s wall ({events / seconds:,.0f} events/CPU-s); "
                      f"pii {out['steps'].get('pii (analyse + render)', 0):.1f} s, "
                      f"dates {out['steps'].get('dates', 0):.1f} s; {hits}",
                      flush=True)  # fmt: skip

        print(f"\nbronze events {events:,} in {len(hours)} hours; medians of {args.runs} runs, "
              "CPU seconds")  # fmt: skip
        print(f"{'step':<26}{'caches off':>12}{'caches on':>12}{'off/on':>9}")
        names = sorted({s for run in steps["off"] for s in run}, key=lambda s: -steps["off"][0][s])
        for name in names:
            off = statistics.median(run.get(name, 0.0) for run in steps["off"])
            on = statistics.median(run.get(name, 0.0) for run in steps["on"])
            print(f"{name:<26}{off:>11.1f}s{on:>11.1f}s{off / on if on else 0:>8.2f}x")
        off, on = statistics.median(times["off"]), statistics.median(times["on"])
        print(f"{'silver total':<26}{off:>11.1f}s{on:>11.1f}s{off / on:>8.2f}x")
        walls = {k: statistics.median(r["wall"] for r in v) for k, v in walls_by.items()}
        print(f"{'silver total, wall clock':<26}{walls['off']:>11.1f}s{walls['on']:>11.1f}s"
              f"{walls['off'] / walls['on']:>8.2f}x")  # fmt: skip
        print(f"silver tables identical in every run: {not differ} {sorted(differ) or ''}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:,.0f} MB; analysis cache {len(get_masker().analysis_cache):,} "
              f"texts, {get_masker().analysis_cache.bytes / 2**20:.1f} MB (estimate)")  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
