"""Event `ts` values in whatever form producers write them, as aware UTC datetimes.

Accepted: ISO-8601 with `Z` or an offset; epoch seconds, milliseconds or microseconds as a
number or a string of digits (told apart by magnitude: below 1e11 seconds, below 1e14
milliseconds, else microseconds). A naive ISO time is UTC: the assistant's producers build
``ts`` from ``datetime.utcnow().isoformat()`` (``log_event`` appends the ``Z``, but the
test helpers' own dicts carry the naive form), so reading it as local time would shift those
events by one or two hours.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

_EPOCH_MS_MIN = 1e11  # 1e11 s is the year 5138; 1e11 ms is 1973
_EPOCH_US_MIN = 1e14
_NUMERIC = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def _describe(value: object) -> str:
    """What a bad value looked like, without echoing it (it might hold anything)."""
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    return f"a {type(value).__name__}"


def parse_event_ts(value: str | int | float) -> datetime:
    """Aware UTC datetime of an event timestamp; ValueError saying what was wrong otherwise."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"timestamp must be ISO-8601 text or epoch number, got {_describe(value)}")
    if isinstance(value, int | float):
        return _from_epoch(value)
    text = value.strip()
    if not text:
        raise ValueError("timestamp is empty")
    if _NUMERIC.match(text):
        return _from_epoch(float(text) if "." in text else int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise ValueError(
            f"timestamp is neither ISO-8601 nor epoch seconds/milliseconds ({_describe(value)})"
        ) from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(number: int | float) -> datetime:
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError("epoch timestamp is not a finite number")
    magnitude = abs(number)
    try:
        seconds = (
            number / 1e6
            if magnitude >= _EPOCH_US_MIN
            else (number / 1e3 if magnitude >= _EPOCH_MS_MIN else number)
        )
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError("epoch timestamp out of range") from exc
