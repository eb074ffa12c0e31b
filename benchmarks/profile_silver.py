"""Where kvarn's bronze + silver time goes: timers around each engine step, exclusive times.

Generates N events (``kvarn generate``, two days), runs bronze for every hour, then silver for
every hour with timers wrapped around the steps (near-dup assignment and its parts, PII
analysis, rendering, dates, Delta I/O, frame building, extraction, exact dedupe). Each step's
time is *exclusive*: a Delta read inside the near-dup step counts once, under the near-dup
store's I/O. Also counts texts per PII call vs distinct over the run, date calls, and how the
near-dup step per hour grows from day 1 to day 2 (history). Timers add a few µs per call.

    .venv/bin/python benchmarks/profile_silver.py --events 50000
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import pipelines.dates.api as dates_api
import pipelines.io.delta as delta_mod
import pipelines.silver.build as silver_build
import pipelines.silver.prepare as silver_prepare
import pipelines.silver.privacy as privacy
from benchmarks.engine_hours import batches, landing_hours, make_landing
from pipelines.bronze.build import build_bronze_hours
from pipelines.config import LakeConfig
from pipelines.dedupe import store as store_mod
from pipelines.pii.engine import PiiAnalyzer
from pipelines.pii.masking import PiiMasker
from pipelines.silver.build import SilverOptions

DELTA_CALLS = (
    "overwrite_partition", "overwrite_partitions", "merge_rows", "append_rows", "read_table",
    "read_partition", "count_rows", "replace_table", "compact_partition", "open_table",
    "table_version",
)  # fmt: skip
# (owner, attribute, step). Owners are the modules/classes whose attribute the caller looks up
# at call time, so wrapping them is seen by the engine unchanged.
STEPS: list[tuple[Any, str, str]] = [
    (silver_build, "build_silver_hours", "silver: loop, json.loads, sorting (rest)"),
    (silver_build, "_finish_hour", "silver: loop, json.loads, sorting (rest)"),
    (silver_build, "prepare_hour", "silver: loop, json.loads, sorting (rest)"),
    (silver_build, "_write_built", "silver: loop, json.loads, sorting (rest)"),
    (silver_build, "_assign_clusters", "near-dup: batch frame, labels (rest)"),
    (store_mod.NearDupStore, "_assign_new", "near-dup: sketches, LSH, components"),
    (store_mod, "probe_matches", "near-dup: probe_matches (history)"),
    (store_mod.NearDupStore, "_open", "near-dup: store Delta I/O"),
    (store_mod.NearDupStore, "_scan", "near-dup: store Delta I/O"),
    (store_mod.NearDupStore, "_write", "near-dup: store Delta I/O"),
    (store_mod.NearDupStore, "_known_refs", "near-dup: store Delta I/O"),
    (store_mod.NearDupStore, "_labels", "near-dup: store Delta I/O"),
    (store_mod.NearDupStore, "compact", "near-dup: store Delta I/O"),
    (silver_build, "refresh_cluster_labels", "near-dup: relabel earlier hours (rest)"),
    (PiiAnalyzer, "analyze_many", "PII analysis"),
    (PiiAnalyzer, "analyze", "PII analysis"),
    (privacy, "render", "rendering (placeholders, surrogates)"),
    (PiiMasker, "render_json", "rendering (placeholders, surrogates)"),
    (PiiMasker, "render_json_both", "rendering (placeholders, surrogates)"),
    (privacy.RecordMasker, "mask_records", "masking: loops, pseudonyms (rest)"),
    (silver_prepare, "normalize_turn_dates", "dates"),
    (silver_prepare, "extract_event", "extraction (per-row dicts)"),
    (silver_prepare, "frame", "frame building (polars)"),
    (silver_build, "claim_hashes", "exact dedupe (seen hashes)"),
    (silver_build, "drop_erased", "erasure filter"),
    (silver_build, "record_changes", "change log"),
    *[(delta_mod, name, f"Delta I/O: {name}") for name in DELTA_CALLS],
]
# Steps whose inclusive CPU time is also kept per hour (history growth).
PER_HOUR = {"_assign_clusters", "refresh_cluster_labels", "analyze_many", "normalize_turn_dates"}


class StepTimers:
    """Exclusive time and calls per step; inclusive time per hour for a few functions."""

    def __init__(self) -> None:
        self.exclusive: defaultdict[str, float] = defaultdict(float)
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.per_hour: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.hour = ""
        self._stack: list[list[float]] = []  # [wall, cpu] of the children of each frame
        self._active: Counter[str] = Counter()

    def wrap(self, owner: Any, name: str, step: str) -> None:
        fn = getattr(owner, name, None)
        if fn is None:
            print(f"warning: {getattr(owner, '__name__', owner)}.{name} is gone; not timed")
            return
        timers = self

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            timers._stack.append([0.0, 0.0])
            timers._active[name] += 1
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                cpu = time.process_time() - c0
                timers._active[name] -= 1
                child_wall, child_cpu = timers._stack.pop()
                timers.exclusive[step] += elapsed - child_wall
                timers.cpu[step] += cpu - child_cpu
                timers.calls[step] += 1
                if timers._stack:
                    timers._stack[-1][0] += elapsed
                    timers._stack[-1][1] += cpu
                if name in PER_HOUR and not timers._active[name]:
                    timers.per_hour[(name, timers.hour)] += cpu

        setattr(owner, name, timed)


class TextCounts:
    """Texts handed to the PII analyzer and to date normalization: per call vs per run."""

    def __init__(self) -> None:
        self.pii_texts = 0
        self.pii_distinct_per_call = 0
        self.pii_calls = 0
        self.pii_run: set[str] = set()
        self.date_calls = 0
        self.date_run: set[str] = set()
        self.slot_calls = 0

    def install(self) -> None:
        counts = self
        analyze_many = PiiAnalyzer.analyze_many

        def counted(self_: PiiAnalyzer, texts: Iterable[str | None]) -> list[Any]:
            texts = list(texts)
            present = [t for t in texts if t]
            counts.pii_calls += 1
            counts.pii_texts += len(present)
            counts.pii_distinct_per_call += len(set(present))
            counts.pii_run.update(present)
            return analyze_many(self_, texts)

        PiiAnalyzer.analyze_many = counted  # type: ignore[method-assign,assignment]
        normalize_text = silver_prepare.normalize_text

        def counted_text(text: str, *args: Any, **kwargs: Any) -> Any:
            counts.date_calls += 1
            counts.date_run.add(text)
            return normalize_text(text, *args, **kwargs)

        silver_prepare.normalize_text = counted_text
        slot_value = dates_api.normalize_slot_value

        def counted_slot(*args: Any, **kwargs: Any) -> str:
            counts.slot_calls += 1
            return slot_value(*args, **kwargs)

        dates_api.normalize_slot_value = counted_slot


def profile(cfg: LakeConfig, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Bronze (timed whole) then silver with step timers; returns the figures."""
    hours = landing_hours(cfg)
    t0 = time.perf_counter()
    with delta_mod.table_cache():  # as engine_hours.py and a batched Dagster step run
        for batch in batches(hours):
            build_bronze_hours(cfg, batch)
            progress("bronze", hours.index(batch[-1]) + 1, len(hours))
    t_bronze = time.perf_counter() - t0
    counts = TextCounts()
    counts.install()  # inside the timers: the counting is charged to the step it counts
    timers = StepTimers()
    for owner, name, step in STEPS:
        timers.wrap(owner, name, step)
    opts = SilverOptions(demo=True, workers=1)  # timers see this process only
    silver_hour: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    prepare, finish = silver_build.prepare_hour, silver_build._finish_hour  # timers' wrappers

    def per_hour(fn: Callable[..., Any], hour_at: int) -> Callable[..., Any]:
        def hour_timed(*args: Any, **kwargs: Any) -> Any:
            hour = args[hour_at]
            timers.hour = hour
            t_hour = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                silver_hour[hour] = silver_hour.get(hour, 0.0) + time.process_time() - t_hour
                progress("silver", len(silver_hour), len(hours))

        return hour_timed

    silver_build.prepare_hour = per_hour(prepare, 1)  # (kept, hour, opts, key)
    silver_build._finish_hour = per_hour(finish, 1)  # (cfg, hour, loaded, prepared, opts)
    with delta_mod.table_cache():
        for batch in batches(hours):  # as engine_hours.py: a day of hours per call
            silver_build.build_silver_hours(cfg, batch, opts)
    t_silver = time.perf_counter() - t0
    cpu_silver = time.process_time() - c0
    return {"hours": hours, "bronze": t_bronze, "silver": t_silver, "cpu_silver": cpu_silver,
            "timers": timers, "counts": counts, "silver_hour": silver_hour}  # fmt: skip


def print_profile(figures: dict[str, Any], console: Console) -> None:
    timers: StepTimers = figures["timers"]
    counts: TextCounts = figures["counts"]
    silver = figures["silver"]
    title = (f"silver {silver:.1f} s wall, {figures['cpu_silver']:.1f} s CPU over "
             f"{len(figures['hours'])} hours (bronze {figures['bronze']:.1f} s wall)")  # fmt: skip
    table = Table(title=title)
    table.add_column("step (exclusive time)")
    table.add_column("s", justify="right")
    table.add_column("% of silver", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("% of silver CPU", justify="right")
    table.add_column("calls", justify="right")
    cpu_total = figures["cpu_silver"]
    for step, secs in sorted(timers.cpu.items(), key=lambda kv: -kv[1]):
        wall = timers.exclusive[step]
        table.add_row(step, f"{wall:.1f}", f"{100 * wall / silver:.0f}", f"{secs:.1f}",
                      f"{100 * secs / cpu_total:.0f}", f"{timers.calls[step]:,}")  # fmt: skip
    rest = silver - sum(timers.exclusive.values())
    cpu_rest = cpu_total - sum(timers.cpu.values())
    table.add_row("untimed", f"{rest:.1f}", f"{100 * rest / silver:.0f}", f"{cpu_rest:.1f}",
                  f"{100 * cpu_rest / cpu_total:.0f}", "")  # fmt: skip
    console.print(table)
    distinct_run = len(counts.pii_run)
    texts = max(counts.pii_texts, 1)
    console.print(
        f"PII texts: {counts.pii_texts:,} in {counts.pii_calls:,} calls; distinct per call "
        f"{counts.pii_distinct_per_call:,} ({100 * counts.pii_distinct_per_call / texts:.1f} %), "
        f"distinct over the run {distinct_run:,} ({100 * distinct_run / texts:.1f} %)"
    )
    console.print(
        f"dates: {counts.date_calls:,} normalize_text calls ({len(counts.date_run):,} distinct "
        f"texts), {counts.slot_calls:,} slot-value calls"
    )
    days = sorted({h[:10] for h in figures["hours"]})
    by_day = Table(title="per day (inclusive CPU s, summed over the day's hours)")
    for col in ("day", "silver", "near-dup", "of it relabel", "PII", "dates"):
        by_day.add_column(col, justify="right")
    for day in days:

        def total(name: str, day: str = day) -> float:
            return sum(s for (n, h), s in timers.per_hour.items() if n == name and h[:10] == day)

        silver_day = sum(s for h, s in figures["silver_hour"].items() if h[:10] == day)
        near = total("_assign_clusters") + total("refresh_cluster_labels")
        by_day.add_row(day, f"{silver_day:.1f}", f"{near:.1f}",
                       f"{total('refresh_cluster_labels'):.1f}", f"{total('analyze_many'):.1f}",
                       f"{total('normalize_turn_dates'):.1f}")  # fmt: skip
    console.print(by_day)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=50_000, help="events to generate (2 days)")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.events < 48 or args.days < 1:
        ap.error("--events must be ≥ 48 and --days ≥ 1 (hint: --events 50000)")
    console = Console(stderr=True)
    scratch = Path(tempfile.mkdtemp(prefix="kvarn-profile-"))
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("generating", total=None)
            make_landing(scratch / "landing", args.events, args.days, args.seed,
                         progress=lambda d, t: bar.update(task, completed=d, total=t))  # fmt: skip

            def tick(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            figures = profile(LakeConfig(data_dir=str(scratch)), tick)
        print_profile(figures, Console(width=120))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
