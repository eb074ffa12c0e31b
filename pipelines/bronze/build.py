"""Bronze layer: one hour of landing lines into ``bronze.events`` and ``bronze.quarantine``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipelines.bronze.ingest import (
    DEFAULT_LATE_DAYS,
    EVENTS_STATS,
    QUARANTINE_STATS,
    ingest_hour,
    keep_first_ingest_time,
)
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.horizons import hour_expired


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


def build_bronze_hour(
    cfg: LakeConfig, hour: str, late_days: int = DEFAULT_LATE_DAYS, now: datetime | None = None
) -> BronzeReport:
    """Ingest the lines owned by ``hour`` and overwrite that partition of both bronze tables.

    An hour retention has expired is left alone: its landing files may be gone already."""
    if hour_expired(cfg, hour, "bronze"):
        return BronzeReport(hour, 0, 0, 0, {}, 0, -1, -1, expired=True)
    result = ingest_hour(cfg.telemetry, hour, late_days, now)
    events_path = cfg.table("bronze", "events")
    quarantine_path = cfg.table("bronze", "quarantine")
    so = cfg.storage_options
    prior_ev = delta.read_partition(
        events_path,
        "hour",
        hour,
        columns=["source_file", "line_no", "ingested_at"],
        storage_options=so,
    )
    prior_q = delta.read_partition(
        quarantine_path,
        "hour",
        hour,
        columns=["source_file", "line_no", "ingested_at"],
        storage_options=so,
    )
    events = keep_first_ingest_time(result.events, prior_ev)
    quarantine = keep_first_ingest_time(result.quarantine, prior_q)
    ev_version = delta.overwrite_partition(
        events_path, events, "hour", hour, stats_columns=EVENTS_STATS, storage_options=so
    )
    q_version = delta.overwrite_partition(
        quarantine_path,
        quarantine,
        "hour",
        hour,
        stats_columns=QUARANTINE_STATS,
        storage_options=so,
    )
    mismatches = int((~events["hash_ok"]).sum()) if events.height else 0
    return BronzeReport(
        hour=hour,
        lines_read=result.lines_read,
        events=events.height,
        quarantined=quarantine.height,
        reasons=result.reasons,
        hash_mismatches=mismatches,
        events_version=ev_version,
        quarantine_version=q_version,
    )
