"""The in-order look-ahead both bronze and silver workers run through, and the pool a
``kept_workers`` scope shares among its calls."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator

import pytest

from pipelines.io.processes import Task, WorkerPool, in_order, kept_workers, running_workers


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _tasks(n: int, skip: set[int], started: list[int]) -> Iterator[Task[int, tuple[int, int]]]:
    for i in range(n):
        started.append(i)
        yield (i, None, ()) if i in skip else (i, _square, (i,))


def test_without_a_pool_each_task_runs_here_in_order() -> None:
    started: list[int] = []
    got = list(in_order(_tasks(5, {2}, started), None))
    assert [k for k, _ in got] == [0, 1, 2, 3, 4]
    assert [r[0] if r else None for _, r in got] == [0, 1, None, 9, 16]
    assert {r[1] for _, r in got if r} == {os.getpid()}


def test_with_a_pool_results_come_in_order_from_other_processes_with_bounded_look_ahead() -> None:
    started: list[int] = []
    seen: list[int] = []
    for key, result in in_order(_tasks(8, {5}, started), WorkerPool(2)):
        # at most one task per worker and one more are taken ahead of the one yielded
        assert len(started) <= key + 1 + 2 + 1
        seen.append(key)
        if key == 5:
            assert result is None
        else:
            assert result is not None and result[0] == key * key
            assert result[1] != os.getpid()
    assert seen == list(range(8))
    assert not multiprocessing.active_children()  # the pool is closed at the end


def test_a_caller_that_stops_early_closes_the_pool() -> None:
    started: list[int] = []
    results = in_order(_tasks(50, set(), started), WorkerPool(2))
    assert next(results)[0] == 0
    results.close()
    assert not multiprocessing.active_children()
    assert len(started) < 50  # tasks are taken lazily, not all at once


def test_a_failing_task_raises_in_the_caller_and_stops_the_workers() -> None:
    def tasks() -> Iterator[Task[int, tuple[int, int]]]:
        yield 0, _square, (3,)
        yield 1, _square, ("x",)  # str * str: TypeError in the worker

    with pytest.raises(TypeError):
        list(in_order(tasks(), WorkerPool(2)))
    assert not multiprocessing.active_children()


_WARMED: list[int] = []


def _warm_here() -> None:
    _WARMED.append(os.getpid())


def _pid_and_warmed(n: int) -> tuple[int, int, bool]:
    return n, os.getpid(), os.getpid() in _WARMED


def _pids(n: int, warm: bool = False) -> set[int]:
    fn = _pid_and_warmed
    tasks: list[Task[int, tuple[int, int, bool]]] = [(i, fn, (i,)) for i in range(n)]
    pool = WorkerPool(2, _warm_here if warm else None)
    got = [r for _, r in in_order(tasks, pool) if r is not None]
    assert [r[0] for r in got] == list(range(n))
    if warm:
        assert all(r[2] for r in got)  # warm ran in each worker before its first task
    return {r[1] for r in got}


def test_inside_kept_workers_calls_share_one_pool_that_ends_with_the_outermost_scope() -> None:
    assert running_workers() == 0
    with kept_workers():
        assert running_workers() == 0  # nothing starts before a call wants workers
        first = _pids(6)
        assert running_workers() == 2
        assert len(multiprocessing.active_children()) == 2  # still there between calls
        with kept_workers():  # a Dagster run inside ``kvarn run``: adds nothing
            second = _pids(6, warm=True)  # a warm function still runs before this call's tasks
        assert len(multiprocessing.active_children()) == 2
        assert second <= first and os.getpid() not in first
    assert running_workers() == 0
    assert not multiprocessing.active_children()


def test_a_failing_call_leaves_a_kept_pool_idle_and_usable() -> None:
    def tasks() -> Iterator[Task[int, tuple[int, int]]]:
        yield 0, _square, (3,)
        yield 1, _square, ("x",)
        for i in range(2, 20):
            yield i, _square, (i,)

    with kept_workers():
        with pytest.raises(TypeError):
            list(in_order(tasks(), WorkerPool(2)))
        assert _pids(4)  # the next call runs on the same, idle workers
    assert not multiprocessing.active_children()


def test_a_kept_pool_whose_worker_died_is_replaced_for_the_next_call() -> None:
    with kept_workers():
        before = _pids(4)
        os.kill(next(iter(before)), signal.SIGKILL)
        for _ in range(100):  # the pool notices the death on its own thread
            if running_workers() == 0:
                break
            time.sleep(0.05)
        after = _pids(4)
        assert after and not after & before
    assert not multiprocessing.active_children()
