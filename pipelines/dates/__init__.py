"""Swedish date and time recognition and resolution (issue 4).

`find_dates` finds expressions such as "imorgon kl 10", "i tisdags", "halv tre", "13–15 juli"
or "om två timmar" and resolves them against a reference instant in a zone, preferring the
future like Duckling. See docs/dates.md for what is understood and how it is resolved.
"""

from pipelines.dates.api import (
    DEFAULT_TZ,
    DateMatch,
    find_dates,
    normalize_slot_value,
    normalize_slots,
    normalize_text,
    whole_match,
)
from pipelines.dates.cue import has_temporal_cue
from pipelines.io.event_ts import parse_event_ts

__all__ = [
    "DEFAULT_TZ",
    "DateMatch",
    "find_dates",
    "has_temporal_cue",
    "normalize_slot_value",
    "normalize_slots",
    "normalize_text",
    "parse_event_ts",
    "whole_match",
]
