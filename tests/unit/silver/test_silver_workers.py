"""When silver starts worker processes by itself, and when it never does."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.io import processes
from pipelines.io.processes import MAX_AUTO_WORKERS
from pipelines.silver.workers import PARALLEL_MIN_EVENTS, silver_workers


@pytest.fixture
def cpus(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [8]
    monkeypatch.setattr(processes, "usable_cpus", lambda: count[0])
    return count


def test_a_small_call_stays_in_one_process(cpus: list[int]) -> None:
    assert silver_workers(0, PARALLEL_MIN_EVENTS - 1) == 1
    assert silver_workers(0, 0) == 1


def test_a_large_call_takes_one_worker_per_cpu_up_to_the_cap(cpus: list[int]) -> None:
    assert silver_workers(0, PARALLEL_MIN_EVENTS) == MAX_AUTO_WORKERS
    cpus[0] = 2
    assert silver_workers(0, 10 * PARALLEL_MIN_EVENTS) == 2
    cpus[0] = 1
    assert silver_workers(0, 10 * PARALLEL_MIN_EVENTS) == 1  # nothing to run beside


def test_an_explicit_count_is_taken_as_given(cpus: list[int]) -> None:
    cpus[0] = 1
    assert silver_workers(3, 10) == 3
    assert silver_workers(1, 10 * PARALLEL_MIN_EVENTS) == 1


def test_a_daemonic_process_never_starts_workers(
    cpus: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Celery worker's child may not have children of its own: it prepares hours itself."""
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert silver_workers(2, 10 * PARALLEL_MIN_EVENTS) == 1
    assert silver_workers(0, 10 * PARALLEL_MIN_EVENTS) == 1


def test_workers_end_when_their_caller_is_killed(tmp_path: Path) -> None:
    """``kill -9`` of a run leaves no worker waiting for work (and holding its memory)."""
    script = tmp_path / "caller.py"
    script.write_text(
        "import multiprocessing, time\n"
        "import polars as pl\n"
        "from pipelines.silver.options import SilverOptions\n"
        "from pipelines.silver.prepare import prepare_hour\n"
        "from pipelines.silver.workers import HourPool\n"
        "if __name__ == '__main__':\n"
        "    pool = HourPool(2)\n"
        "    kept = pl.DataFrame(schema={'event_id': pl.Utf8, 'ts': pl.Datetime('us', 'UTC'),\n"
        "                                'raw': pl.Utf8})\n"
        "    work = [pool.submit(prepare_hour, kept, '2025-09-01T00', SilverOptions(),\n"
        "                        b'k' * 16) for _ in range(2)]\n"
        "    [w.result() for w in work]\n"
        "    print(' '.join(str(p.pid) for p in multiprocessing.active_children()), flush=True)\n"
        "    time.sleep(600)\n"
    )
    root = Path(__file__).resolve().parents[3]
    caller = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    try:
        assert caller.stdout is not None
        pids = [int(p) for p in caller.stdout.readline().split()]
        assert len(pids) == 2
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"
