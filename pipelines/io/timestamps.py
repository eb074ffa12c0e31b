"""Event-time hours: the partition keys of bronze and silver, and their Dagster spelling.

Parsing a producer's ``ts`` (ISO with Z/offset, naive UTC, epoch s/ms/µs) lives in
``pipelines.io.event_ts`` and is re-exported here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.io.event_ts import parse_event_ts

__all__ = ["dagster_key_to_hour", "hour_key", "hour_start", "hour_to_dagster_key", "parse_event_ts"]


def hour_key(ts: datetime) -> str:
    """Partition value of the UTC hour holding ``ts``: ``2025-09-01T10``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H")


def dagster_key_to_hour(partition_key: str) -> str:
    """Dagster's hourly key ``2025-09-01-10:00`` → our partition value ``2025-09-01T10``."""
    day, clock = partition_key[:10], partition_key[11:13]
    return f"{day}T{clock}"


def hour_to_dagster_key(hour: str) -> str:
    return f"{hour[:10]}-{hour[11:13]}:00"


def hour_start(hour: str) -> datetime:
    return datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
