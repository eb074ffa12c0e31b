"""Scaling: the per-hour cost of Dagster before and after batching, and a day on the distributed
profile with one and with two Celery workers.

(1) **Batching** — one generated day (``kvarn generate``, seed 7) and, each as its own process on a
fresh data directory holding a hard-linked copy of it: kvarn's engine alone (bronze + silver,
``benchmarks/engine_hours.py``), then ``kvarn run --demo`` on a SQLite Dagster instance (what
``make`` gives a user) with ``--batch-hours 1`` (one Dagster run per hour, as before batching)
and with ``--batch-hours 24`` (one run for the day). Prints wall and CPU seconds per hour and the
ratio. Both ``kvarn run`` sides do the same work (every hourly asset and check, the gold tables,
the run report); what differs is the number of Dagster runs.

(2) **Workers** — the distributed profile on loopback (PostgreSQL, Redis, moto's S3 server and N
Celery workers; ``tests/integration/loopback.py``; ``make system-deps`` installs the servers): the
same day backfilled through ``run_hours_distributed`` with one worker, then with two, on a fresh
cluster each. Prints events per second and the speed-up.

    .venv/bin/python benchmarks/bench_scaling.py                        # both, 200 events/h
    .venv/bin/python benchmarks/bench_scaling.py --part batching --per-hour 500
    .venv/bin/python benchmarks/bench_scaling.py --part workers --batch-hours 6
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from pipelines.generate import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START = datetime(2025, 9, 1, tzinfo=UTC)
HOURS = [f"2025-09-01T{h:02d}" for h in range(24)]
KEY = "6b7661726e2d7363616c696e672d6b31"
"""Pseudonym key of every side (the demo would write one per data directory)."""

SQLITE_INSTANCE = """telemetry:
  enabled: false
storage:
  sqlite:
    base_dir: {base}/storage
local_artifact_storage:
  module: dagster._core.storage.root
  class: LocalArtifactStorage
  config:
    base_dir: {base}/artifacts
"""


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float


def make_day(landing: Path, per_hour: int) -> int:
    """One generated day of telemetry from 2025-09-01; returns its landing lines."""
    return int(generate(landing, days=1, events_per_hour=per_hour, seed=7, start=START).lines)


def fresh(landing: Path, data: Path) -> Path:
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    shutil.copytree(landing, data / "landing", copy_function=os.link)
    return data


def run_child(cmd: list[str], env: dict[str, str], log: Path) -> Sample:
    """Run ``cmd``; wall time and the child's CPU time (user + system, ``wait4``)."""
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{tail}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime)


def _env(home: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_HOME"))}
    env["PYTHONPATH"] = str(ROOT)
    env["KVARN_PSEUDONYM_KEY"] = KEY
    if home is not None:
        env["DAGSTER_HOME"] = str(home)
    return env


def batching(per_hour: int, scratch: Path, console: Console) -> None:
    landing = scratch / "landing"
    lines = make_day(landing, per_hour)
    py = sys.executable
    results: dict[str, Sample] = {}
    for side, batch in (("engine, bronze + silver", 0), ("kvarn run, 24 runs", 1),
                        ("kvarn run, 1 run", 24)):  # fmt: skip
        data = fresh(landing, scratch / "run")
        log = scratch / f"batch-{batch}.log"
        if batch == 0:
            cmd = [py, str(HERE / "engine_hours.py"), "--data", str(data)]
            results[side] = run_child(cmd, _env(None), log)
        else:
            home = data / ".dagster"
            home.mkdir()
            (home / "dagster.yaml").write_text(SQLITE_INSTANCE.format(base=home))
            cmd = [py, "-c", "from kvarn.app import main; main()", "run", "--demo",
                   "--batch-hours", str(batch), "--data", str(data)]  # fmt: skip
            results[side] = run_child(cmd, _env(home), log)
        console.print(f"{side}: {results[side].seconds:.1f} s")
    table = Table(title=f"one day, {per_hour} events/h ({lines:,} landing lines), 24 hours")
    for col in ("side", "wall s", "CPU s", "wall s/hour", "CPU s/hour"):
        table.add_column(col, justify="left" if col == "side" else "right")
    for side, s in results.items():
        table.add_row(side, f"{s.seconds:.1f}", f"{s.cpu_seconds:.1f}",
                      f"{s.seconds / 24:.2f}", f"{s.cpu_seconds / 24:.2f}")  # fmt: skip
    console.print(table)
    per_run = results["kvarn run, 24 runs"]
    batched = results["kvarn run, 1 run"]
    engine = results["engine, bronze + silver"]
    console.print(
        f"batching saves {(per_run.seconds - batched.seconds) / 23:.2f} s wall "
        f"({(per_run.cpu_seconds - batched.cpu_seconds) / 23:.2f} s CPU) per Dagster run left "
        f"out; kvarn run over the engine: {(per_run.seconds - engine.seconds) / 24:.2f} s/hour "
        f"one run per hour, {(batched.seconds - engine.seconds) / 24:.2f} s/hour batched "
        f"(gold, checks and Dagster); speed-up {per_run.seconds / batched.seconds:.2f}x"
    )


def workers(per_hour: int, batch_hours: int, scratch: Path, console: Console) -> None:
    from assets.distributed import run_hours_distributed
    from tests.integration.loopback import distributed_cluster

    landing = scratch / "landing"
    lines = make_day(landing, per_hour)
    bin_dir = Path(sys.executable).parent
    speed: dict[int, float] = {}
    for n in (1, 2):
        work = scratch / f"cluster-{n}"
        work.mkdir(parents=True)
        data = fresh(landing, scratch / f"workers-{n}")
        with distributed_cluster(work, bin_dir, workers=n, pseudonym_key=KEY) as cluster:
            t0 = time.perf_counter()
            failed = run_hours_distributed(
                cluster.instance, str(data), HOURS, demo=True, batch_hours=batch_hours
            )
            seconds = time.perf_counter() - t0
        if failed:
            raise RuntimeError(f"{n} worker(s): hours failed: {failed}")
        speed[n] = lines / seconds
        console.print(f"{n} worker(s): {seconds:.1f} s, {speed[n]:.1f} events/s")
    console.print(
        f"distributed profile, {lines:,} landing lines, {batch_hours} hours per run: "
        f"1 worker {speed[1]:.1f} events/s, 2 workers {speed[2]:.1f} events/s, "
        f"speed-up {speed[2] / speed[1]:.2f}x"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("batching", "workers", "both"), default="both")
    ap.add_argument("--per-hour", type=int, default=200, help="events per hour (one day)")
    ap.add_argument("--batch-hours", type=int, default=6,
                    help="hours per run on the distributed profile")  # fmt: skip
    args = ap.parse_args()
    if args.per_hour < 1 or not 1 <= args.batch_hours <= 24:
        ap.error("--per-hour must be positive and --batch-hours from 1 to 24")
    console = Console()
    with tempfile.TemporaryDirectory(prefix="kvarn-scaling-") as tmp:
        scratch = Path(tmp)
        if args.part in ("batching", "both"):
            batching(args.per_hour, scratch / "batching", console)
        if args.part in ("workers", "both"):
            workers(args.per_hour, args.batch_hours, scratch / "workers", console)


if __name__ == "__main__":
    main()
