"""Worker processes for the table-free part of a batch of hours (bronze and silver use them).

A backfill's per-hour work that reads and writes no table — validating landing lines, or
extracting, masking and dating events — runs in other processes while the caller keeps
everything that touches shared state, in hour order. The tables are therefore the ones a
single process writes.

Workers are started with ``spawn``: the caller has Delta's and polars' thread pools running,
and a forked child could inherit one of their locks held. A spawned child normally imports the
caller's ``__main__`` again; workers need nothing from it, and a script without the
``if __name__ == "__main__"`` guard would run itself again in every worker, so they are started
without it. A worker ends by itself once its caller is gone (killed with -9, say).

Inside a ``kept_workers`` scope (``kvarn run``, the benchmarks) one pool serves every call
instead of one per call: a worker's start (imports, the PII engine) is paid once, and its
caches carry over from bronze to silver and from one batch to the next.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from typing import Any, TypeVar

MAX_AUTO_WORKERS = 4
ORPHAN_POLL_S = 1.0

T = TypeVar("T")
K = TypeVar("K")


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(requested: int, expected: int, threshold: int) -> int:
    """Worker processes for a call expected to handle ``expected`` items.

    ``requested`` > 0 is taken as it is; 0 means: one per usable CPU (at most
    ``MAX_AUTO_WORKERS``) when ``expected`` reaches ``threshold`` and there is more than one
    CPU. A daemonic process (a Celery worker's child) may not start processes: always 1 there."""
    if multiprocessing.current_process().daemon:
        return 1
    if requested > 0:
        return requested
    cpus = usable_cpus()
    if cpus < 2 or expected < threshold:
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
    """End this worker once ``parent`` is gone: an orphaned worker would otherwise wait for work
    forever, holding its memory."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_S)
    os._exit(1)


def _start(caller: int, warm: Callable[[], Any] | None) -> None:
    """Watch the caller (its pid as it knows it: it may be gone before this worker has
    finished starting), then load what every task needs once, before the first arrives."""
    threading.Thread(target=_exit_with, args=(caller,), daemon=True).start()
    if warm is not None:
        warm()


def _executor(workers: int, warm: Callable[[], Any] | None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(os.getpid(), warm),
    )


def _warmed(warm: Callable[[], Any], fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` after ``warm()`` in a kept worker (which another kind of call may have
    started): warm functions are idempotent loaders, cheap once done."""
    warm()
    return fn(*args)


_KEEP = threading.Lock()
_kept: list[ProcessPoolExecutor] = []  # the scope's one pool, once a call has started it
_kept_sizes: list[int] = []
_keep_depth = 0


@contextmanager
def kept_workers() -> Iterator[None]:
    """Share one worker pool among every call made inside this scope; the outermost scope stops
    it when it ends. Nested scopes add nothing."""
    global _keep_depth
    with _KEEP:
        _keep_depth += 1
    try:
        yield
    finally:
        with _KEEP:
            _keep_depth -= 1
            ending = list(_kept) if _keep_depth == 0 else []
            if _keep_depth == 0:
                _kept.clear()
                _kept_sizes.clear()
        for executor in ending:
            _stop(executor)


def running_workers() -> int:
    """Workers of the scope's pool already running (0: none, or no ``kept_workers`` scope):
    work that is worth farming out only when the processes exist already asks this."""
    with _KEEP:
        usable = _kept and not getattr(_kept[0], "_broken", False)
        return _kept_sizes[0] if usable else 0


def _kept_executor(workers: int) -> ProcessPoolExecutor | None:
    """The scope's pool, grown to ``workers`` if it has fewer (None outside a scope). A pool
    whose worker died is replaced: the call that saw it die has failed already."""
    with _KEEP:
        if _keep_depth == 0:
            return None
        stale: ProcessPoolExecutor | None = None
        if _kept and (getattr(_kept[0], "_broken", False) or _kept_sizes[0] < workers):
            stale = _kept.pop()
            _kept_sizes.pop()
        if not _kept:
            _kept.append(_executor(workers, None))
            _kept_sizes.append(workers)
        executor = _kept[0]
    if stale is not None:
        _stop(stale)
    return executor


def _stop(executor: ProcessPoolExecutor) -> None:
    """Shut a pool down. A broken one (a worker died) is not waited for: its other workers are
    terminated and reaped here, since waiting on its manager thread can block for good."""
    if not getattr(executor, "_broken", False):
        executor.shutdown(wait=True, cancel_futures=True)
        return
    survivors = list((getattr(executor, "_processes", None) or {}).values())
    for process in survivors:
        process.terminate()
    for process in survivors:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    executor.shutdown(wait=False, cancel_futures=True)


class WorkerPool:
    """Spawned worker processes for one call; ``warm`` (a module-level function) runs once in
    each before its first task. Inside ``kept_workers`` the scope's pool is used (``workers``
    still bounds ``in_order``'s look-ahead) and outlives the call."""

    def __init__(self, workers: int, warm: Callable[[], Any] | None = None) -> None:
        self.workers = workers
        self._warm = warm
        self._mine: list[Future[Any]] = []
        with _without_main():  # growing a kept pool may start workers
            kept = _kept_executor(workers)
        self._kept = kept is not None
        self._pool = kept if kept is not None else _executor(workers, warm)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        with _without_main():  # a submit may start a worker
            if self._kept and self._warm is not None:
                future = self._pool.submit(_warmed, self._warm, fn, *args)
            else:
                future = self._pool.submit(fn, *args)
        if self._kept:
            self._mine = [f for f in self._mine if not f.done()]
            self._mine.append(future)
        return future

    def close(self) -> None:
        """Stop the workers, dropping tasks not started yet (some are left only when the caller
        failed). A kept pool stays: only this call's waiting tasks are dropped, and its running
        ones finished, so the next call starts on idle workers."""
        if not self._kept:
            _stop(self._pool)
            return
        for future in self._mine:
            future.cancel()
        wait_for(self._mine)
        self._mine = []


Task = tuple[K, Callable[..., T] | None, tuple[Any, ...]]


def in_order(
    tasks: Iterable[Task[K, T]], pool: WorkerPool | None
) -> Generator[tuple[K, T | None], None, None]:
    """``(key, fn(*args))`` for each task, in the tasks' order (``None`` for a task without a
    function): run here without a pool, else in it, with at most one task per worker and one
    more in flight ahead of the one yielded next, so memory stays bounded. The pool is closed
    when the tasks are done or the caller stops early."""
    ahead: deque[tuple[K, Future[T] | T | None]] = deque()

    def resolve(item: tuple[K, Future[T] | T | None]) -> tuple[K, T | None]:
        key, work = item
        return key, work.result() if isinstance(work, Future) else work

    try:
        for key, fn, args in tasks:
            if fn is None:
                ahead.append((key, None))
            elif pool is None:
                ahead.append((key, fn(*args)))
            else:
                ahead.append((key, pool.submit(fn, *args)))
            while ahead and (pool is None or len(ahead) > pool.workers + 1):
                yield resolve(ahead.popleft())
        while ahead:
            yield resolve(ahead.popleft())
    finally:
        if pool is not None:
            pool.close()
