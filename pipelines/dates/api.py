"""Public entry points: find, resolve and normalise Swedish temporal expressions.

`find_dates` returns one `DateMatch` per expression, resolved against a reference instant in
a zone (default Europe/Stockholm). `normalize_text` writes each expression as a local ISO
value trimmed to its grain, the form silver's training text carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from pipelines.dates.parsed import ParsedText, parse_text, parse_uncued
from pipelines.dates.resolve import WAKE_DAYTIME, Resolver
from pipelines.dates.timeutil import add_grain, localize, parse_tz, to_wall

DEFAULT_TZ = "Europe/Stockholm"
#: Grains of the `kvarn dates` contract; finer or odd grains map onto them.
CONTRACT_GRAIN = {"second": "minute", "quarter": "month"}


@dataclass(frozen=True)
class DateMatch:
    """One temporal expression: where it is, what it means, and how precisely.

    `value` is the start of the period at `grain` (aware, in the requested zone); for
    `kind` "interval" `end_value` is the exclusive end (as Duckling states it); for
    "open_before"/"open_after" `value` is the bound. `grain` is one of second, minute,
    hour, day, week, month, quarter, year; `contract_grain` folds second into minute and
    quarter into month for the `kvarn dates` contract.
    """

    start: int
    end: int
    text: str
    value: datetime
    grain: str
    end_value: datetime | None = None
    kind: str = "value"

    def iso(self) -> str:
        """`value` as ISO-8601 with its UTC offset."""
        return self.value.isoformat(timespec="seconds")

    @property
    def contract_grain(self) -> str:
        return CONTRACT_GRAIN.get(self.grain, self.grain)

    def to_contract(self) -> dict[str, Any]:
        """The `kvarn dates` record: start, end, text, value (ISO with offset), grain."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.iso(),
            "grain": self.contract_grain,
        }

    def render(self) -> str:
        """Local ISO form trimmed to the grain, no offset: '2025-09-01T10:00', '2025-09-01',
        '2025-W36'; intervals 'start/last' with the last unit included; open intervals
        '../bound' and 'bound/..'."""
        first = _render_point(self.value, self.grain)
        if self.kind == "open_before":
            return f"../{first}"
        if self.kind == "open_after":
            return f"{first}/.."
        if self.end_value is None:
            return first
        zone = self.value.tzinfo or self.end_value.tzinfo
        end_wall = to_wall(self.end_value, zone) if zone is not None else self.end_value
        last = add_grain(end_wall, "month" if self.grain == "quarter" else self.grain, -1)
        return f"{first}/{_render_point(last, self.grain)}"


def _render_point(dt: datetime, grain: str) -> str:
    if grain == "year":
        return f"{dt.year:04d}"
    if grain == "quarter":
        last = add_grain(dt.replace(tzinfo=None), "month", 2)
        return f"{dt.year:04d}-{dt.month:02d}/{last.year:04d}-{last.month:02d}"
    if grain == "month":
        return f"{dt.year:04d}-{dt.month:02d}"
    if grain == "week":
        iso_year, week, _ = dt.date().isocalendar()
        return f"{iso_year:04d}-W{week:02d}"
    if grain == "day":
        return dt.strftime("%Y-%m-%d")
    if grain == "second":
        return dt.strftime("%Y-%m-%dT%H:%M:%S")
    return dt.strftime("%Y-%m-%dT%H:%M")


def _as_reference(ref: datetime, tz: tzinfo) -> datetime:
    """The reference instant, aware; a naive one is read as wall-clock time in `tz`."""
    return ref.astimezone(tz) if ref.tzinfo is not None else localize(ref, tz)


def find_dates(text: str, ref: datetime, tz: str = DEFAULT_TZ) -> list[DateMatch]:
    """Every temporal expression in `text`, resolved relative to `ref` in zone `tz`.

    `tz` is an IANA name or a fixed offset ("-02:00", "UTC"); a bad one raises ValueError.
    The text is parsed once per process (`parsed.parse_text`); resolution runs every call.
    """
    zone = parse_tz(tz)
    parsed = parse_text(text)
    return _resolve(text, parsed, ref, zone) if parsed.spans else []


def find_dates_uncued(text: str, ref: datetime, zone: tzinfo) -> list[DateMatch]:
    """`find_dates` without the cheap pre-check (tests hold the pre-check to this)."""
    parsed = parse_uncued(text)
    return _resolve(text, parsed, ref, zone) if parsed.spans else []


def _resolve(text: str, parsed: ParsedText, ref: datetime, zone: tzinfo) -> list[DateMatch]:
    """The parsed expressions of `text` as instants relative to `ref` in `zone`."""
    reference = _as_reference(ref, zone)
    resolver = Resolver(reference, zone, WAKE_DAYTIME) if parsed.wake else Resolver(reference, zone)
    matches: list[DateMatch] = []
    for start, end, node in parsed.spans:
        r = resolver.resolve(node)
        if r is None:
            continue
        value = r.start if r.start.tzinfo is not None else localize(r.start, zone)
        end_value = None
        if r.end is not None:
            end_value = r.end if r.end.tzinfo is not None else localize(r.end, zone)
        matches.append(DateMatch(start, end, text[start:end], value, r.grain, end_value, r.kind))
    return matches


def normalize_text(text: str, ref: datetime, tz: str = DEFAULT_TZ) -> tuple[str, list[DateMatch]]:
    """`text` with each expression replaced by its local ISO form (see `DateMatch.render`):
    "boka imorgon 10" with ref 2025-08-31 → "boka 2025-09-01T10:00"."""
    matches = find_dates(text, ref, tz)
    out = text
    for m in reversed(matches):
        out = out[: m.start] + m.render() + out[m.end :]
    return out, matches


_EDGE = " \t\n.,!?;:"


def whole_match(value: str, ref: datetime, tz: str = DEFAULT_TZ) -> DateMatch | None:
    """The single expression that makes up all of `value` (bar spaces and punctuation)."""
    matches = find_dates(value, ref, tz)
    if len(matches) != 1:
        return None
    m = matches[0]
    if value[: m.start].strip(_EDGE) or value[m.end :].strip(_EDGE):
        return None
    return m


def normalize_slot_value(value: str, ref: datetime, tz: str = DEFAULT_TZ) -> str:
    """An NLU slot value as local ISO ("imorgon" → "2025-09-01") when all of it is one
    temporal expression; otherwise the value unchanged."""
    m = whole_match(value, ref, tz)
    return m.render() if m is not None else value


def normalize_slots(
    slots: Mapping[str, Any], ref: datetime, tz: str = DEFAULT_TZ
) -> dict[str, Any]:
    """Slots with date/time values normalised. A "date" and a "time" slot are read together
    ("på fredag" + "kl 10" → the Friday at 10:00), so the time lands on the right day."""
    out = dict(slots)
    date_v, time_v = slots.get("date"), slots.get("time")
    if isinstance(date_v, str) and isinstance(time_v, str):
        both = whole_match(f"{date_v} {time_v}", ref, tz)
        if both is not None and both.grain in ("hour", "minute", "second") and both.kind == "value":
            out["date"] = both.value.strftime("%Y-%m-%d")
            out["time"] = both.render()
            return _rest(out, slots, ref, tz, skip=("date", "time"))
    return _rest(out, slots, ref, tz, skip=())


_TEMPORAL_SLOTS = ("date", "time", "datetime", "when", "start", "end", "deadline", "day")


def _rest(
    out: dict[str, Any], slots: Mapping[str, Any], ref: datetime, tz: str, skip: tuple[str, ...]
) -> dict[str, Any]:
    for key, value in slots.items():
        if key in skip or not isinstance(value, str):
            continue
        if any(part in key.lower() for part in _TEMPORAL_SLOTS):
            out[key] = normalize_slot_value(value, ref, tz)
    return out


__all__ = [
    "DEFAULT_TZ",
    "DateMatch",
    "find_dates",
    "normalize_slot_value",
    "normalize_slots",
    "normalize_text",
    "whole_match",
]
