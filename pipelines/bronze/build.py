"""Bronze layer: one hour of landing lines into ``bronze.events`` and ``bronze.quarantine``."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from pipelines.bronze.ingest import (
    DEFAULT_LATE_DAYS,
    EVENTS_STATS,
    QUARANTINE_STATS,
    IngestResult,
    ingest_lines,
    keep_first_ingest_time,
    owned_line_count,
    owned_lines,
)
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.horizons import hour_expired
from pipelines.io.processes import Task, WorkerPool, auto_workers, in_order


@dataclass(frozen=True)
class BronzeReport:
    hour: str
    lines_read: int
    events: int
    quarantined: int
    reasons: dict[str, int]
    hash_mismatches: int
    events_version: int
    quarantine_version: int
    expired: bool = False  # before the retention horizon: nothing read, nothing written


FLUSH_BYTES = 32 * 1024 * 1024
"""Bronze frames held back before they are written (see ``build_bronze_hours``; a day at 1,000
events/h holds ~37 MB, an hour at 20,000 events ~37 MB). A write briefly needs about four
times what it writes (the Delta writer's buffers)."""


def build_bronze_hour(
    cfg: LakeConfig, hour: str, late_days: int = DEFAULT_LATE_DAYS, now: datetime | None = None
) -> BronzeReport:
    """Ingest the lines owned by ``hour`` and overwrite that partition of both bronze tables."""
    return build_bronze_hours(cfg, [hour], late_days, now)[0]


def build_bronze_hours(
    cfg: LakeConfig,
    hours: Sequence[str],
    late_days: int = DEFAULT_LATE_DAYS,
    now: datetime | None = None,
    *,
    flush_bytes: int = FLUSH_BYTES,
    workers: int = 1,
) -> list[BronzeReport]:
    """Ingest the lines owned by each of ``hours`` and overwrite those partitions of both bronze
    tables: one commit per table for the hours held back (early when their frames pass
    ``flush_bytes``), not one per hour. Hours are independent, so this equals hour-by-hour builds.

    ``workers``: processes that validate the hours' lines beside this one, which reads them
    and writes in hour order (1: none; 0: ``bronze_workers`` decides from the lines the hours
    own). An hour retention has expired is left alone: its landing files may be gone already."""
    reports: list[BronzeReport | None] = [None] * len(hours)
    held: dict[str, _Hour] = {}

    def write() -> None:
        for report in _write_hours(cfg, held):
            reports[held[report.hour].index] = report
        held.clear()

    with closing(_ingested(cfg, hours, late_days, now, workers)) as ingested:
        for (index, hour), result in ingested:
            if result is None:
                reports[index] = BronzeReport(hour, 0, 0, 0, {}, 0, -1, -1, expired=True)
                continue
            if hour in held:  # the same hour twice: the first is written first
                write()
            held[hour] = _Hour(index, result.events, result.quarantine, result.lines_read,
                               result.reasons)  # fmt: skip
            if sum(h.bytes for h in held.values()) >= flush_bytes:
                write()
    write()
    return [r for r in reports if r is not None]


PARALLEL_MIN_LINES = 20_000
"""Landing lines a call must own before it starts workers by itself (the demo's two days at
200 events/h stay in one process; a day at 1,000 events/h does not)."""


def bronze_workers(requested: int, expected_lines: int) -> int:
    """Validating processes for a call whose hours own ``expected_lines`` landing lines
    (``auto_workers``: ``requested`` > 0 as given, 0 from the volume and the CPUs)."""
    return auto_workers(requested, expected_lines, PARALLEL_MIN_LINES)


def _workers_for(cfg: LakeConfig, hours: Sequence[str], late_days: int, workers: int) -> int:
    """Validating processes for ``hours``: ``bronze_workers`` on the lines they own, never more
    than there are distinct hours."""
    distinct = len(set(hours))
    if distinct < 2 or workers == 1:
        return 1
    lines = owned_line_count(cfg.telemetry, hours, late_days) if workers == 0 else 0
    return min(bronze_workers(workers, lines), distinct)


def _ingested(
    cfg: LakeConfig, hours: Sequence[str], late_days: int, now: datetime | None, workers: int
) -> Generator[tuple[tuple[int, str], IngestResult | None], None, None]:
    """((index, hour), result) for each of ``hours`` in order; result None for an expired hour.

    Lines are read here, lazily: with workers, up to one hour per worker and one more are in
    validation ahead of the hour the caller takes next. Nothing starts before the first result
    is asked for, so a caller that never asks leaves no process behind."""
    pool_size = _workers_for(cfg, hours, late_days, workers)
    pool = WorkerPool(pool_size) if pool_size > 1 else None

    def tasks() -> Iterator[Task[tuple[int, str], IngestResult]]:
        for index, hour in enumerate(hours):
            if hour_expired(cfg, hour, "bronze"):
                yield (index, hour), None, ()
            else:
                lines = owned_lines(cfg.telemetry, hour, late_days)
                yield (index, hour), ingest_lines, (lines, late_days, now)  # in a worker

    yield from in_order(tasks(), pool)


@dataclass
class _Hour:
    """One ingested hour waiting for its write; ``index`` is its place among the hours asked."""

    index: int
    events: pl.DataFrame
    quarantine: pl.DataFrame
    lines_read: int
    reasons: dict[str, int]

    @property
    def bytes(self) -> int:
        return int(self.events.estimated_size() + self.quarantine.estimated_size())


def _write_hours(cfg: LakeConfig, held: dict[str, _Hour]) -> list[BronzeReport]:
    """Both tables' partitions of the held hours in one commit each, keeping the first ingest
    time of rows already there (a rerun writes identical rows)."""
    if not held:
        return []
    hours = list(held)
    events_path = cfg.table("bronze", "events")
    quarantine_path = cfg.table("bronze", "quarantine")
    so = cfg.storage_options
    columns = ["hour", "source_file", "line_no", "ingested_at"]
    prior_ev = _prior(events_path, hours, columns, so)
    prior_q = _prior(quarantine_path, hours, columns, so)
    events = {h: keep_first_ingest_time(held[h].events, prior_ev.get(h)) for h in hours}
    quarantine = {h: keep_first_ingest_time(held[h].quarantine, prior_q.get(h)) for h in hours}
    ev_version = delta.overwrite_partitions(
        events_path, list(events.values()), "hour", hours, stats_columns=EVENTS_STATS,
        storage_options=so,
    )  # fmt: skip
    q_version = delta.overwrite_partitions(
        quarantine_path, list(quarantine.values()), "hour", hours,
        stats_columns=QUARANTINE_STATS, storage_options=so,
    )  # fmt: skip
    return [
        BronzeReport(
            hour=h,
            lines_read=held[h].lines_read,
            events=events[h].height,
            quarantined=quarantine[h].height,
            reasons=held[h].reasons,
            hash_mismatches=int((~events[h]["hash_ok"]).sum()) if events[h].height else 0,
            events_version=ev_version,
            quarantine_version=q_version,
        )
        for h in hours
    ]


def _prior(
    path: str, hours: list[str], columns: list[str], so: dict[str, str] | None
) -> dict[str, pl.DataFrame]:
    """Rows already in the partitions of ``hours``, by hour."""
    found = delta.read_table(path, columns=columns, filters=[("hour", "in", hours)],
                             storage_options=so)  # fmt: skip
    if found is None or found.height == 0:
        return {}
    return {str(k[0]): g.drop("hour") for k, g in found.partition_by("hour", as_dict=True).items()}
