"""Event-time hours in UTC: the partitioning of every bronze and silver table.

The hour in progress is a partition too (``end_offset=1``): a test run's telemetry, written a
minute ago, can be run right away. Such an hour is provisional like any hour inside its
late-arrival window; the hourly schedule requests only hours that have ended, and
``late_data_settle`` reruns every hour once its window has closed.

A run may cover one hour or a batch of consecutive hours (a partition range): a backfill from
the UI runs up to a day per run (``BATCHED``), and ``kvarn run`` batches its range the same way.
Every hourly asset and check works through its run's hours in order, so a batch writes exactly
what the same hours run one by one write, at one run's fixed cost instead of one per hour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from dagster import BackfillPolicy, HourlyPartitionsDefinition

from pipelines.io.timestamps import dagster_key_to_hour, hour_start, hour_to_dagster_key

HOURLY = HourlyPartitionsDefinition(start_date="2025-01-01-00:00", timezone="UTC", end_offset=1)

MAX_BATCH_HOURS = 24
BATCHED = BackfillPolicy.multi_run(max_partitions_per_run=MAX_BATCH_HOURS)
"""Backfills of hourly assets: one run per day of hours at most, not one run per hour."""

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


class _HasPartitionKeys(Protocol):
    @property
    def partition_keys(self) -> Sequence[str]: ...


def step_hours(context: _HasPartitionKeys) -> list[str]:
    """The hours a step covers, oldest first: one for a partition run, several for a batch."""
    return sorted(dagster_key_to_hour(key) for key in context.partition_keys)


def batch_tags(hours: Sequence[str]) -> dict[str, str]:
    """Run tags that make one run cover ``hours`` (consecutive, oldest first)."""
    if len(hours) == 1:
        return {"dagster/partition": hour_to_dagster_key(hours[0])}
    return {RANGE_START_TAG: hour_to_dagster_key(hours[0]),
            RANGE_END_TAG: hour_to_dagster_key(hours[-1])}  # fmt: skip


def consecutive_batches(hours: Sequence[str], size: int) -> list[list[str]]:
    """``hours``, in their order, cut into runs of at most ``size`` consecutive hours: a range run
    covers every hour between its ends, so a gap (an hour without landing data) starts a new
    batch."""
    batches: list[list[str]] = []
    previous: datetime | None = None
    for hour in hours:
        start = hour_start(hour)
        follows = previous is not None and start - previous == timedelta(hours=1)
        if batches and follows and len(batches[-1]) < size:
            batches[-1].append(hour)
        else:
            batches.append([hour])
        previous = start
    return batches


def run_in_batches(
    hours: Sequence[str],
    size: int,
    run: Callable[[list[str], bool], bool],
    on_hour: Callable[[str], None] | None = None,
) -> list[str]:
    """Call ``run(batch, refresh)`` for each batch of ``consecutive_batches(hours, size)``;
    returns the hours that failed. A failed batch is run again hour by hour (reruns are
    idempotent), so the failing hours are named and the others still land. ``refresh`` is true
    only for the run that ends with the range's last hour (candidates of other hours are
    refreshed once, after everything else)."""
    batches = consecutive_batches(hours, size)
    last = batches[-1][-1] if batches else ""
    failed: list[str] = []
    for batch in batches:
        if not run(batch, batch[-1] == last):
            if len(batch) == 1:
                failed.extend(batch)
            else:
                failed.extend(h for h in batch if not run([h], h == last))
        if on_hour:
            for hour in batch:
                on_hour(hour)
    return failed
