"""Calendar arithmetic on naive local wall-clock times, and time-zone handling.

Resolution works on the wall clock of the target zone (what a Swede reads on the kitchen
clock), because "imorgon kl 10" means 10:00 whatever daylight saving does overnight. Only at
the end is a wall-clock time given its zone: `localize` moves a time that does not exist
(the spring-forward gap) forward by the gap, and takes the first of two repeated times.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Grains from finest to coarsest.
GRAINS: tuple[str, ...] = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
GRAIN_RANK: dict[str, int] = {g: i for i, g in enumerate(GRAINS)}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@lru_cache(maxsize=256)
def parse_tz(name: str) -> tzinfo:
    """An IANA zone ("Europe/Stockholm"), "UTC"/"Z", or a fixed offset ("-02:00", "+0100")."""
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    m = _OFFSET.match(text)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours > 23 or minutes > 59:
            raise ValueError("time-zone offset out of range")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone (use an IANA name or an offset like +01:00)") from exc


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """Aware datetime for a naive wall-clock time in `tz` (gap times move forward)."""
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz)


def to_wall(instant: datetime, tz: tzinfo) -> datetime:
    """The naive wall-clock time of an aware instant in `tz`."""
    return instant.astimezone(tz).replace(tzinfo=None)


def finer(a: str, b: str) -> str:
    return a if GRAIN_RANK[a] <= GRAIN_RANK[b] else b


def truncate(dt: datetime, grain: str) -> datetime:
    """Start of the `grain` period holding `dt` (weeks start on Monday)."""
    if grain == "second":
        return dt.replace(microsecond=0)
    if grain == "minute":
        return dt.replace(second=0, microsecond=0)
    if grain == "hour":
        return dt.replace(minute=0, second=0, microsecond=0)
    day = datetime(dt.year, dt.month, dt.day)
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(dt.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def add_months(dt: datetime, months: int) -> datetime:
    """`dt` moved by whole months, the day clamped to the month's length."""
    total = dt.year * 12 + dt.month - 1 + months
    year, month0 = divmod(total, 12)
    return dt.replace(year=year, month=month0 + 1, day=min(dt.day, days_in_month(year, month0 + 1)))


def days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def add_grain(dt: datetime, grain: str, n: int = 1) -> datetime:
    """`dt` moved by n units of `grain`, on the wall clock."""
    if grain == "second":
        return dt + timedelta(seconds=n)
    if grain == "minute":
        return dt + timedelta(minutes=n)
    if grain == "hour":
        return dt + timedelta(hours=n)
    if grain == "day":
        return dt + timedelta(days=n)
    if grain == "week":
        return dt + timedelta(weeks=n)
    if grain == "month":
        return add_months(dt, n)
    if grain == "quarter":
        return add_months(dt, 3 * n)
    return add_months(dt, 12 * n)


def shift_instant(ref: datetime, grain: str, n: int, tz: tzinfo) -> datetime:
    """Wall-clock time of `ref` moved by n units: elapsed time for seconds, minutes and
    hours (two hours later is two real hours, even across a DST change), calendar units
    for days and longer (a day later is the same wall-clock time tomorrow)."""
    if GRAIN_RANK[grain] <= GRAIN_RANK["hour"]:
        return to_wall(ref.astimezone(UTC) + timedelta(seconds=n * _SECONDS[grain]), tz)
    return add_grain(to_wall(ref, tz), grain, n)


_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def two_digit_year(yy: int, ref_year: int) -> int:
    """A two-digit year: at most 20 years ahead of the reference, else the century before
    ("74" is 1974, "15" is 2015, "40" is 2040 when said in 2025)."""
    year = ref_year // 100 * 100 + yy
    if year > ref_year + 20:
        year -= 100
    elif year <= ref_year - 80:
        year += 100
    return year
