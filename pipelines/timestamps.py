"""Event timestamps in whatever form producers write them, as UTC instants.

Producers differ: ISO-8601 with ``Z`` or an offset, epoch milliseconds, and now and then a naive
local time. A naive time is read as Europe/Stockholm wall-clock time (the assistant's home zone);
ambiguous wall-clock times at the autumn DST change take the first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

HOME_TZ = ZoneInfo("Europe/Stockholm")
_EPOCH_MS_MIN = 10**11  # below this, an integer is read as epoch seconds


def parse_event_ts(value: object) -> datetime:
    """Aware UTC datetime for an event ``ts``; ValueError with a short reason otherwise."""
    if isinstance(value, bool):
        raise ValueError("timestamp is a boolean")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_MIN else float(value)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError("epoch timestamp out of range") from exc
    if not isinstance(value, str):
        raise ValueError("timestamp is neither a string nor a number")
    text = value.strip()
    if text.isdigit():
        return parse_event_ts(int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError("timestamp is not ISO-8601") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=HOME_TZ)
    return parsed.astimezone(UTC)


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
