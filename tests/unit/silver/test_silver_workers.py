"""When silver starts worker processes by itself, and when it never does."""

from __future__ import annotations

import multiprocessing

import pytest

from pipelines.silver import workers
from pipelines.silver.workers import MAX_AUTO_WORKERS, PARALLEL_MIN_EVENTS, silver_workers


@pytest.fixture
def cpus(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [8]
    monkeypatch.setattr(workers, "usable_cpus", lambda: count[0])
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
