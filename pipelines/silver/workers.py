"""Worker processes that prepare silver hours (extract, mask, date) for the calling process.

Preparing is most of an hour's CPU time and touches no table, so a backfill hands it to other
processes (``pipelines.io.processes``) and keeps only the steps on shared state in the caller,
in hour order: claims, near-duplicate assignment, writes. Starting one costs about two seconds
(imports and the PII engine), which pays off only for larger calls: ``silver_workers`` decides.
"""

from __future__ import annotations

from pipelines.io.processes import WorkerPool, auto_workers
from pipelines.pii import get_masker

PARALLEL_MIN_EVENTS = 20_000
"""Events a call must be expected to prepare before it starts workers by itself (two days of
the demo's 200 events/h stay in one process; a day at 1,000 events/h does not)."""


def silver_workers(requested: int, expected_events: int) -> int:
    """Worker processes for a call expected to prepare ``expected_events`` events
    (``auto_workers``: ``requested`` > 0 as given, 0 from the volume and the CPUs)."""
    return auto_workers(requested, expected_events, PARALLEL_MIN_EVENTS)


def _warm() -> None:
    """Build the PII engine once, before the first hour arrives."""
    get_masker()


class HourPool(WorkerPool):
    """A pool of preparing processes for one ``build_silver_hours`` call (``prepare_hour`` is
    what they run); each builds the PII engine as it starts."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers, _warm)
