"""kvarn against the naive peer, whole process against whole process, on the same landing data.

For each size, generates two days of telemetry once (``kvarn generate``: the producers' format,
broken lines, re-deliveries, legacy dialect), then runs, each as its own process on a fresh
data directory holding a hard-linked copy of that landing zone:

(a) the peer — ``benchmarks/naive_peer.py`` (presidio with kvarn's recognizers, dedupe, Parquet);
(b) kvarn's engine — bronze + silver for every hour, no Dagster (``benchmarks/engine_hours.py``);
(c) ``kvarn run --demo`` — Dagster in-process (ephemeral instance), gold and checks included,
    bronze's and silver's worker processes as ``kvarn run`` decides them (``--workers 0``);
(d) with ``--workers N`` (N > 1): the engine again, bronze judging lines and silver preparing
    hours in N processes (no target: issue #18's 3× is for one process; this shows what the
    CPUs add).

Runs are interleaved (a, b, c, a, b, c, ...) so load drifts hit every side alike; the medians
of wall time and each process's peak RSS are printed with the ratios peer/kvarn, judged
against issue #18's targets (≥ 3× for (b), ≥ 2× for (c)).

    .venv/bin/python benchmarks/bench_vs_peer.py                       # 50k events, 3 runs
    .venv/bin/python benchmarks/bench_vs_peer.py --events 50000,200000 --no-kvarn-run
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks.engine_hours import make_landing

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGETS = {"engine": 3.0, "kvarn run": 2.0}


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system of the child (all its threads): steadier under load
    peak_rss_mb: float


def side_commands(data: Path, workers: int = 1) -> dict[str, list[str]]:
    """The command of each side, run over ``data`` (which holds ``landing/``)."""
    py = sys.executable
    return {
        f"engine, {workers} workers": [py, str(HERE / "engine_hours.py"), "--data", str(data),
                                       "--workers", str(workers)],
        "peer": [py, str(HERE / "naive_peer.py"), "--landing", str(data / "landing"),
                 "--out", str(data / "peer" / "events.parquet")],
        "engine": [py, str(HERE / "engine_hours.py"), "--data", str(data)],
        "kvarn run": [py, "-c", "from kvarn.app import main; main()", "run", "--demo",
                      "--data", str(data)],
    }  # fmt: skip


def child_env() -> dict[str, str]:
    """This checkout first on the path; no DAGSTER_HOME (``kvarn run``'s default ephemeral
    instance) and no KVARN_* settings that would point a side at another lake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_HOME"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def run_side(cmd: list[str], log: Path) -> Sample:
    """Run ``cmd`` to completion; wall time, the child's CPU time and peak RSS (``wait4``)."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=child_env(),
                                cwd=ROOT)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise RuntimeError(f"{cmd[1]} exited {proc.returncode}; last lines:\n" + "\n".join(tail))
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def fresh_data_dir(landing: Path, data: Path) -> Path:
    """A data directory with a hard-linked copy of ``landing`` (nothing shared with a
    previous run but the bytes of the input files)."""
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    shutil.copytree(landing, data / "landing", copy_function=os.link)
    return data


def bench_size(
    events: int, sides: list[str], args: argparse.Namespace, scratch: Path, console: Console
) -> dict[str, list[Sample]]:
    """Generate one landing zone of ``events`` and time each side ``args.runs`` times."""
    landing = scratch / f"landing-{events}"
    samples: dict[str, list[Sample]] = {side: [] for side in sides}
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"{events:,} events: generating", total=None)

        def generated(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        lines = make_landing(landing, events, args.days, args.seed, progress=generated)
        bar.update(task, completed=0, total=args.runs * len(sides))
        for run in range(args.runs):
            for side in sides:
                bar.update(task, description=f"{events:,} events: run {run + 1} {side}")
                data = fresh_data_dir(landing, scratch / "run")
                log = scratch / f"{side.replace(' ', '-')}-{events}-{run}.log"
                command = side_commands(data, args.workers)[side]
                samples[side].append(run_side(command, log))
                bar.advance(task)
    shutil.rmtree(scratch / "run", ignore_errors=True)
    if not args.keep:
        shutil.rmtree(landing, ignore_errors=True)
    console.print(f"{events:,} events requested, {lines:,} landing lines")
    return samples


def report(events: int, samples: dict[str, list[Sample]], console: Console) -> list[str]:
    """Print the table for one size; returns the ratio lines."""
    table = Table(title=f"{events:,} events, median of {len(samples['peer'])} run(s) each")
    for col in ("side", "median s", "runs s", "events/s", "median CPU s", "peak RSS MB"):
        table.add_column(col, justify="right" if col != "side" else "left")
    med = {side: statistics.median(s.seconds for s in runs) for side, runs in samples.items()}
    cpu = {side: statistics.median(s.cpu_seconds for s in runs) for side, runs in samples.items()}
    for side, runs in samples.items():
        table.add_row(side, f"{med[side]:.1f}", " ".join(f"{s.seconds:.1f}" for s in runs),
                      f"{events / med[side]:,.0f}", f"{cpu[side]:.1f}",
                      f"{statistics.median(s.peak_rss_mb for s in runs):,.0f}")  # fmt: skip
    console.print(table)
    lines = []
    for side, target in TARGETS.items():
        if side not in med:
            continue
        ratio = med["peer"] / med[side]
        verdict = "PASS" if ratio >= target else "MISS"
        lines.append(f"ratio peer/{side} {events:,} events: {ratio:.2f}x "
                     f"(target >= {target:g}x) {verdict}; "
                     f"by CPU time {cpu['peer'] / cpu[side]:.2f}x")  # fmt: skip
    for side in med:
        if side not in TARGETS and side != "peer":
            lines.append(f"ratio peer/{side} {events:,} events: {med['peer'] / med[side]:.2f}x "
                         f"(no target); by CPU time {cpu['peer'] / cpu[side]:.2f}x")  # fmt: skip
    for line in lines:
        console.print(line, highlight=False)
    return lines


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 48:
        raise ValueError
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", default="50000",
                    help="comma-separated sizes, e.g. 50000,200000,1000000")  # fmt: skip
    ap.add_argument("--runs", type=int, default=3, help="runs per side (interleaved)")
    ap.add_argument("--days", type=int, default=2, help="days of traffic the events span")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-kvarn-run", action="store_true", help="skip (c), the whole kvarn run")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir (logs, landing)")
    ap.add_argument("--workers", type=int, default=1,
                    help="N > 1 adds (d): the engine with N bronze and silver workers")  # fmt: skip
    args = ap.parse_args()
    try:
        sizes = parse_sizes(args.events)
    except ValueError:
        ap.error(f"--events {args.events!r}: comma-separated integers ≥ 48 (hint: 50000,200000)")
    if args.runs < 1 or args.days < 1 or args.workers < 1:
        ap.error("--runs, --days and --workers must be ≥ 1 (hint: --runs 3)")
    sides = ["peer", "engine"]
    sides += [f"engine, {args.workers} workers"] if args.workers > 1 else []
    sides += [] if args.no_kvarn_run else ["kvarn run"]
    console = Console()
    scratch = Path(tempfile.mkdtemp(prefix="kvarn-vs-peer-"))
    try:
        for events in sizes:
            report(events, bench_size(events, sides, args, scratch, console), console)
    except RuntimeError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise SystemExit(1) from None
    finally:
        if args.keep:
            console.print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
