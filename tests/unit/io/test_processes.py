"""The in-order look-ahead both bronze and silver workers run through."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator

import pytest

from pipelines.io.processes import Task, WorkerPool, in_order


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
