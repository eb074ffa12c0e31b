"""What the grammar understood, before any reference time is known.

The grammar builds these plain values; `resolve` turns them into instants once the reference
time and zone are known. Keeping the two apart keeps the grammar free of calendar arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# ---------------------------------------------------------------- days


@dataclass(frozen=True, slots=True)
class RelDay:
    """idag, imorgon, i förrgår: a day counted from today."""

    offset: int


@dataclass(frozen=True, slots=True)
class Weekday:
    """A weekday: the coming one (mode "next"), the previous one ("prev"), one in a week
    counted from this one ("week", with `week_offset`), or in an ISO week number ("isoweek")."""

    weekday: int
    mode: str = "next"
    skip: int = 0  # "nästa fredag igen": one more week
    week_offset: int = 0
    iso_week: int = 0
    iso_year: int | None = None


@dataclass(frozen=True, slots=True)
class Calendar:
    """A calendar date, possibly partial ("3 mars", "den 15:e", "Söndag 10 feb")."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    two_digit_year: bool = False


@dataclass(frozen=True, slots=True)
class Holiday:
    """A named day; `mode` next (today counts), after (strictly later) or prev."""

    key: str
    year: int | None = None
    mode: str = "next"


@dataclass(frozen=True, slots=True)
class NthDay:
    """n-th day or weekday of a month ("tredje tisdagen i september"); n = -1 is the last."""

    n: int
    month: MonthName | Cycle
    weekday: int | None = None


@dataclass(frozen=True, slots=True)
class TonightDay:
    """The day whose night "i natt" means: yesterday's before 06:00, else today's."""


DayNode = RelDay | Weekday | Calendar | Holiday | NthDay | TonightDay

# ---------------------------------------------------------------- clock and parts


@dataclass(frozen=True, slots=True)
class Clock:
    """A time of day. `twelve_hour`: said as on a 12-hour clock ("halv tre"), so 14:30 is
    as likely as 02:30; `zone`: an explicit UTC offset in minutes ("16 CET")."""

    hour: int
    minute: int = 0
    second: int = 0
    grain: str = "hour"
    twelve_hour: bool = False
    zone: int | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the day ("kväll"); its window comes from the lexicon."""

    name: str


@dataclass(frozen=True, slots=True)
class Moment:
    """A day, a time of day and/or a part of the day, as said together."""

    day: DayNode | None = None
    clock: Clock | None = None
    part: Part | None = None

    def merge(self, other: Moment) -> Moment | None:
        """Both together ("på lördag" + "kl 9"), or None when they say different things."""
        day = self.day
        if other.day is not None:
            day = other.day if day is None else merge_days(day, other.day)
            if day is None:
                return None
        if self.clock is not None and other.clock is not None:
            return None
        if self.part is not None and other.part is not None:
            return None
        return Moment(day, self.clock or other.clock, self.part or other.part)


def merge_days(a: DayNode, b: DayNode) -> DayNode | None:
    """Two days said together ("Söndag, 10 feb"): a weekday narrows a calendar date, and
    an explicit date wins over "imorgon"; other pairs do not combine."""
    if isinstance(a, Calendar) and isinstance(b, Weekday | RelDay):
        a, b = b, a
    if isinstance(a, RelDay) and isinstance(b, Calendar) and b.month is not None:
        return b  # "imorgon den 1 september": the explicit date
    if (
        isinstance(a, Weekday)
        and isinstance(b, Calendar)
        and a.mode == "next"
        and not a.skip
        and b.weekday is None
        and b.day is not None
    ):
        return replace(b, weekday=a.weekday)
    return None


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Cycle:
    """This/next/previous week, month, quarter or year (offset 0, 1, -1, …)."""

    grain: str
    offset: int


@dataclass(frozen=True, slots=True)
class MonthName:
    """A named month: the coming one (mode next, the current month counts), the next one
    after this month (after), or the last one before it (prev); or in a given year."""

    month: int
    year: int | None = None
    mode: str = "next"
    skip: int = 0
    year_offset: int | None = None  # "mars nästa år"


@dataclass(frozen=True, slots=True)
class Quarter:
    quarter: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Year:
    year: int


@dataclass(frozen=True, slots=True)
class IsoWeek:
    week: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class NthWeek:
    """First/second/last week of a month (weeks start on Monday)."""

    n: int
    month: MonthName | Cycle


@dataclass(frozen=True, slots=True)
class Season:
    """A season: this/coming one (offset 0), the next to start (1), the last to end (-1);
    `recent` ("i somras"): the last one that has begun."""

    name: str
    offset: int = 0
    year: int | None = None
    recent: bool = False


@dataclass(frozen=True, slots=True)
class Weekend:
    offset: int = 0


@dataclass(frozen=True, slots=True)
class PartOf:
    """Beginning (0), middle (1) or end (2) of a week, month or year: "i slutet av mars"."""

    third: int
    period: Cycle | MonthName | Year


@dataclass(frozen=True, slots=True)
class Now:
    pass


# ---------------------------------------------------------------- durations


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time as (grain, amount) pairs; amounts are whole after normalisation."""

    parts: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Shift:
    """Now moved by a duration: "om två timmar" (+1), "tre dagar sedan" (-1)."""

    duration: Duration
    sign: int


@dataclass(frozen=True, slots=True)
class Span:
    """The last or next n whole units: "senaste två veckorna", "nästa 3 dagar"."""

    duration: Duration
    sign: int


@dataclass(frozen=True, slots=True)
class Within:
    """From now until a duration from now: "inom 2 veckor"."""

    duration: Duration


@dataclass(frozen=True, slots=True)
class Num:
    """A bare number; it means something only next to a date or time."""

    value: int
    is_word: bool


# ---------------------------------------------------------------- intervals

PointNode = (
    Moment | Cycle | MonthName | Quarter | Year | IsoWeek | NthWeek | Season | Weekend | PartOf
    | Now
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Interval:
    """From `start` to `end`, both included at their grain (Duckling's closed interval)."""

    start: PointNode | Shift
    end: PointNode | Shift


@dataclass(frozen=True, slots=True)
class Open:
    """Before (`after` False) or after a time: "före kl. 11", "efter imorgon kl. 14"."""

    bound: PointNode | Shift
    after: bool


Node = PointNode | Shift | Span | Within | Interval | Open | Duration | Num
