"""Worker processes that prepare silver hours (extract, mask, date) for the calling process.

Preparing is most of an hour's CPU time and touches no table, so a backfill hands it to other
processes and keeps only the steps on shared state in the caller, in hour order: claims,
near-duplicate assignment, writes. The tables are therefore the ones a single process writes.

Workers are started with ``spawn``: the caller has Delta's and polars' thread pools running,
and a forked child could inherit one of their locks held. A spawned child normally imports the
caller's ``__main__`` again; workers need nothing from it, and a script without the
``if __name__ == "__main__"`` guard would run itself again in every worker, so they are started
without it. Starting one costs about two seconds (imports and the PII engine), which pays off
only for larger calls: ``silver_workers`` decides.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

import polars as pl

from pipelines.pii import get_masker
from pipelines.silver.options import SilverOptions
from pipelines.silver.prepare import Prepared, prepare_hour

MAX_AUTO_WORKERS = 4
ORPHAN_POLL_S = 1.0
PARALLEL_MIN_EVENTS = 20_000
"""Events a call must be expected to prepare before it starts workers by itself (two days of
the demo's 200 events/h stay in one process; a day at 1,000 events/h does not)."""


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def silver_workers(requested: int, expected_events: int) -> int:
    """Worker processes for a call expected to prepare ``expected_events`` events.

    ``requested`` > 0 is taken as it is; 0 means: one per usable CPU (at most
    ``MAX_AUTO_WORKERS``) when the call is large enough and there is more than one CPU.
    A daemonic process (a Celery worker's child) may not start processes: always 1 there."""
    if multiprocessing.current_process().daemon:
        return 1
    if requested > 0:
        return requested
    cpus = usable_cpus()
    if cpus < 2 or expected_events < PARALLEL_MIN_EVENTS:
        return 1
    return min(cpus, MAX_AUTO_WORKERS)


_MAIN_SWAP = threading.Lock()


@contextmanager
def _without_main() -> Iterator[None]:
    """``__main__`` replaced by an empty module while workers start (see the module's doc)."""
    with _MAIN_SWAP:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _exit_with(parent: int) -> None:
    """End this worker once ``parent`` is gone (killed with -9, say): an orphaned worker would
    otherwise wait for work forever, holding its memory."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_S)
    os._exit(1)


def _warm(caller: int) -> None:
    """Watch the caller (its pid as it knows it: it may be gone before this worker has
    finished starting), then build the PII engine once, before the first hour arrives."""
    threading.Thread(target=_exit_with, args=(caller,), daemon=True).start()
    get_masker()


class HourPool:
    """A pool of preparing processes for one ``build_silver_hours`` call."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm,
            initargs=(os.getpid(),),
        )

    def submit(
        self, kept: pl.DataFrame, hour: str, opts: SilverOptions, key: bytes
    ) -> Future[Prepared]:
        with _without_main():  # a submit may start a worker
            return self._pool.submit(prepare_hour, kept, hour, opts, key)

    def close(self) -> None:
        """Stop the workers, dropping hours not started yet (some are left only when the caller
        failed)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
