"""Turn what the grammar understood into instants, relative to a reference time and zone.

Future preference, as Duckling: an expression that could mean several days means the
coming one ("på fredag" is the next Friday; "3 mars" is this year's if still ahead, else
next year's). The `floor` argument carries that "coming" point: normally now, but for the
end of an interval it is the interval's start ("från fredag till måndag": the Monday after).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from pipelines.dates import lexicon as L
from pipelines.dates.holidays import holiday_date
from pipelines.dates.nodes import (
    Calendar,
    Clock,
    Cycle,
    DayNode,
    Duration,
    Holiday,
    Interval,
    IsoWeek,
    Moment,
    MonthName,
    Node,
    Now,
    NthDay,
    NthWeek,
    Open,
    Part,
    PartOf,
    Quarter,
    RelDay,
    Season,
    Shift,
    Span,
    TonightDay,
    Weekday,
    Weekend,
    Within,
    Year,
)
from pipelines.dates.timeutil import (
    GRAIN_RANK,
    add_grain,
    days_in_month,
    finer,
    localize,
    to_wall,
    truncate,
    two_digit_year,
)

#: Precision of "in <n units>": one step finer than the unit, as Duckling ("om en dag" is
#: an hour-precise instant, "om en vecka" a day).
_SHIFT_GRAIN = {"second": "second", "minute": "second", "hour": "minute", "day": "hour",
                "week": "day", "month": "day", "year": "month"}  # fmt: skip
#: Seasons as (start month, start day) of each; a season ends where the next begins.
_SEASON_STARTS = {"vår": (3, 21), "sommar": (6, 21), "höst": (9, 24), "vinter": (12, 21)}
_SEASON_ORDER = ("vår", "sommar", "höst", "vinter")
#: Where a 12-hour spoken time lands when a day but no part of the day is given.
_DAYTIME = (7 * 60, 19 * 60)
#: The same for wake-up requests ("väck mig imorgon halv sju" is 06:30, not 18:30).
WAKE_DAYTIME = (4 * 60, 16 * 60)


@dataclass(frozen=True, slots=True)
class Resolved:
    """Start (naive wall clock, or aware when computed as elapsed time), grain, and for
    intervals an exclusive end."""

    start: datetime
    grain: str
    end: datetime | None = None
    kind: str = "value"


class Resolver:
    """Resolves nodes against one reference instant in one zone."""

    def __init__(self, ref: datetime, tz: tzinfo, daytime: tuple[int, int] = _DAYTIME) -> None:
        self.ref = ref
        self.tz = tz
        self.daytime = daytime
        self.now = to_wall(ref, tz)
        self.today = self.now.date()

    def resolve(self, node: Node) -> Resolved | None:
        try:
            return self._resolve(node, self.now)
        except (ValueError, OverflowError):  # impossible dates ("31 februari"), far years
            return None

    def _resolve(self, node: Node, floor: datetime) -> Resolved | None:
        if isinstance(node, Moment):
            return self._moment(node, floor)
        if isinstance(node, Interval):
            return self._interval(node, floor)
        if isinstance(node, Open):
            return self._open(node, floor)
        if isinstance(node, Shift):
            return self._shift(node)
        if isinstance(node, Span):
            return self._span(node)
        if isinstance(node, Within):
            return self._within(node)
        if isinstance(node, Now):
            return Resolved(truncate(self.ref.astimezone(self.tz), "second"), "second")
        return self._period(node, floor)

    # ------------------------------------------------------------ days

    def day(self, d: DayNode, floor: date) -> date | None:
        if isinstance(d, RelDay):
            return self.today + timedelta(days=d.offset)
        if isinstance(d, TonightDay):
            return self.today - timedelta(days=1 if self.now.hour < 6 else 0)
        if isinstance(d, Weekday):
            return self._weekday(d, floor)
        if isinstance(d, Calendar):
            return self._calendar(d, floor)
        if isinstance(d, Holiday):
            return self._holiday(d, floor)
        return self._nth_day(d, floor)

    def _weekday(self, d: Weekday, floor: date) -> date:
        if d.mode == "next":
            ahead = (d.weekday - floor.weekday()) % 7 or 7
            return floor + timedelta(days=ahead + 7 * d.skip)
        if d.mode == "prev":
            back = (self.today.weekday() - d.weekday) % 7 or 7
            return self.today - timedelta(days=back)
        if d.mode == "week":
            monday = self.today - timedelta(days=self.today.weekday())
            return monday + timedelta(days=7 * d.week_offset + d.weekday)
        year = d.iso_year if d.iso_year is not None else self._iso_year_for(d.iso_week)
        return date.fromisocalendar(year, d.iso_week, d.weekday + 1)

    def _calendar(self, d: Calendar, floor: date) -> date | None:
        year = d.year
        if year is not None and d.two_digit_year:
            year = two_digit_year(year, self.today.year)
        if d.month is None or d.day is None:
            return self._day_of_month(d, floor) if d.day is not None else None
        if year is not None:
            return date(year, d.month, d.day)
        candidate = _first_valid(floor.year, d.month, d.day)
        if candidate < floor:
            candidate = _first_valid(candidate.year + 1, d.month, d.day)
        if d.weekday is None or candidate.weekday() == d.weekday:
            return candidate
        return self._nearest_with_weekday(d.month, d.day, d.weekday, floor) or candidate

    @staticmethod
    def _nearest_with_weekday(month: int, day: int, weekday: int, floor: date) -> date | None:
        """For "Söndag 10 feb" when the coming 10 Feb is no Sunday: the nearest 10 Feb that is."""
        best: date | None = None
        for year in range(floor.year - 28, floor.year + 29):
            if day > days_in_month(year, month):
                continue
            c = date(year, month, day)
            if c.weekday() != weekday:
                continue
            key = (abs((c - floor).days), c < floor)
            if best is None or key < (abs((best - floor).days), best < floor):
                best = c
        return best

    def _day_of_month(self, d: Calendar, floor: date) -> date | None:
        """Day of month ("den 15:e"): this month's if still ahead, else the next month that
        has that day."""
        assert d.day is not None
        year, month = floor.year, floor.month
        fallback: date | None = None
        for _ in range(24):
            if d.day <= days_in_month(year, month):
                c = date(year, month, d.day)
                if c >= floor:
                    if d.weekday is None or c.weekday() == d.weekday:
                        return c
                    fallback = fallback or c
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return fallback

    def _holiday(self, d: Holiday, floor: date) -> date:
        if d.year is not None:
            return holiday_date(d.key, d.year)
        if d.mode == "prev":
            c = holiday_date(d.key, self.today.year)
            return c if c < self.today else holiday_date(d.key, self.today.year - 1)
        c = holiday_date(d.key, floor.year)
        if c < floor or (d.mode == "after" and c <= floor):
            c = holiday_date(d.key, floor.year + 1)
        return c

    def _nth_day(self, d: NthDay, floor: date) -> date | None:
        first, fixed = self.month_start(d.month, floor)
        result = _nth_in_month(first, d.n, d.weekday)
        if result is not None and result < floor and not fixed:
            result = _nth_in_month(first.replace(year=first.year + 1), d.n, d.weekday)
        return result

    def month_start(self, m: MonthName | Cycle, floor: date) -> tuple[date, bool]:
        """First day of a month reference, and whether its year was fixed by the words."""
        if isinstance(m, Cycle):
            start = add_grain(truncate(self.now, "month"), "month", m.offset)
            return start.date(), True
        if m.year is not None:
            return date(m.year, m.month, 1), True
        if m.year_offset is not None:
            return date(self.today.year + m.year_offset, m.month, 1), True
        if m.mode == "prev":
            year = self.today.year - (m.month >= self.today.month)
        elif m.mode == "after":
            year = floor.year + (m.month <= floor.month)
        else:
            year = floor.year + (m.month < floor.month)
        return date(year + m.skip, m.month, 1), False

    def _iso_year_for(self, week: int) -> int:
        iso_year, iso_week, _ = self.today.isocalendar()
        return iso_year if week >= iso_week else iso_year + 1

    # ------------------------------------------------------------ moments

    def _moment(self, m: Moment, floor: datetime) -> Resolved | None:
        if m.day is not None:
            d = self.day(m.day, floor.date())
            if d is None:
                return None
            if m.clock is not None:
                return Resolved(self._clock_on(d, m.clock, m.part), m.clock.grain)
            if m.part is not None:
                return _part_interval(d, m.part)
            return Resolved(datetime(d.year, d.month, d.day), "day")
        if m.clock is not None:
            return Resolved(self._next_clock(m.clock, m.part, floor), m.clock.grain)
        if m.part is not None:
            end = L.PARTS_OF_DAY[m.part.name][1]
            d = floor.date()
            if datetime(d.year, d.month, d.day) + timedelta(minutes=end) <= floor:
                d += timedelta(days=1)
            return _part_interval(d, m.part)
        return None

    def _clock_on(self, d: date, clock: Clock, part: Part | None) -> datetime:
        minutes = _pick_minutes(clock, part, self.daytime)
        wall = datetime(d.year, d.month, d.day) + timedelta(minutes=minutes, seconds=clock.second)
        return self._from_zone(wall, clock)

    def _from_zone(self, wall: datetime, clock: Clock) -> datetime:
        if clock.zone is None:
            return wall
        return to_wall(wall.replace(tzinfo=timezone(timedelta(minutes=clock.zone))), self.tz)

    def _next_clock(self, clock: Clock, part: Part | None, floor: datetime) -> datetime:
        """The first time at or after `floor` (at the clock's grain) that the clock shows."""
        base = floor
        if clock.zone is not None:
            zone = timezone(timedelta(minutes=clock.zone))
            base = to_wall(localize(floor, self.tz), zone)
        if part is not None:
            options = [_pick_minutes(clock, part, self.daytime)]
        elif self.daytime != _DAYTIME and clock.twelve_hour:
            options = [_pick_minutes(clock, None, self.daytime)]  # wake-up: the morning one
        else:
            options = sorted(_clock_options(clock))
        floor_at_grain = truncate(base, clock.grain)
        for offset in range(3):
            d = base.date() + timedelta(days=offset)
            midnight = datetime(d.year, d.month, d.day)
            for minutes in options:
                wall = midnight + timedelta(minutes=minutes, seconds=clock.second)
                if wall >= floor_at_grain:
                    return self._from_zone(wall, clock)
        raise ValueError("no occurrence")  # unreachable: a time recurs every day

    # ------------------------------------------------------------ intervals

    def _interval(self, node: Interval, floor: datetime) -> Resolved | None:
        a = self._resolve(node.start, floor)
        if a is None:
            return None
        same_day = (
            isinstance(node.start, Moment)
            and isinstance(node.end, Moment)
            and node.start.day is not None
            and node.start.day == node.end.day
        )
        # both ends on one said day ("torsdag 9-11") resolve that day alike; otherwise the
        # end is the first one after the start ("från fredag till måndag")
        b = self._resolve(node.end, floor if same_day else _naive(a.start, self.tz))
        if b is None:
            return None
        late = _naive(b.start, self.tz) < _naive(a.start, self.tz)
        if same_day and b.grain in ("hour", "minute", "second") and late:
            b = Resolved(b.start + timedelta(days=1), b.grain, b.end, b.kind)  # "22-02"
        end = b.end if b.end is not None else add_grain(_naive(b.start, self.tz), b.grain)
        if _naive(end, self.tz) <= _naive(a.start, self.tz):
            return None
        return Resolved(a.start, finer(a.grain, b.grain), end, "interval")

    def _open(self, node: Open, floor: datetime) -> Resolved | None:
        b = self._resolve(node.bound, floor)
        if b is None:
            return None
        if not node.after:
            return Resolved(b.start, b.grain, None, "open_before")
        start = b.start
        if GRAIN_RANK[b.grain] >= GRAIN_RANK["day"]:  # "efter fredag": from Saturday
            start = b.end if b.end is not None else add_grain(_naive(b.start, self.tz), b.grain)
        return Resolved(start, b.grain, None, "open_after")

    # ------------------------------------------------------------ durations

    def shifted(self, duration: Duration, sign: int) -> datetime:
        """Now moved by a duration: calendar units on the wall clock, then elapsed time."""
        calendar = [(g, n) for g, n in duration.parts if GRAIN_RANK[g] >= GRAIN_RANK["day"]]
        elapsed = sum(n * _SECONDS[g] for g, n in duration.parts if g in _SECONDS)
        if calendar:
            wall = self.now
            for g, n in calendar:
                wall = add_grain(wall, g, sign * n)
            if not elapsed:
                return wall
            start = localize(wall, self.tz)
        else:
            start = self.ref
        moved = start.astimezone(UTC) + timedelta(seconds=sign * elapsed)
        return moved.astimezone(self.tz)

    def _shift(self, node: Shift) -> Resolved:
        grain = _SHIFT_GRAIN[_smallest(node.duration)]
        return Resolved(truncate(self.shifted(node.duration, node.sign), grain), grain)

    def _span(self, node: Span) -> Resolved:
        ((grain, n),) = node.duration.parts
        current = truncate(self.now, grain)
        if node.sign < 0:
            return Resolved(add_grain(current, grain, -n), grain, current, "interval")
        start = add_grain(current, grain, 1)
        return Resolved(start, grain, add_grain(start, grain, n), "interval")

    def _within(self, node: Within) -> Resolved:
        grain = _SHIFT_GRAIN[_smallest(node.duration)]
        end = truncate(self.shifted(node.duration, 1), grain)
        return Resolved(truncate(self.now, "second"), "second", end, "interval")

    # ------------------------------------------------------------ periods

    def _period(self, node: Node, floor: datetime) -> Resolved | None:
        if isinstance(node, Cycle):
            start = add_grain(truncate(self.now, node.grain), node.grain, node.offset)
            return Resolved(start, node.grain)
        if isinstance(node, MonthName):
            first, _ = self.month_start(node, floor.date())
            return Resolved(datetime(first.year, first.month, 1), "month")
        if isinstance(node, Quarter):
            year = node.year
            if year is None:
                current = (self.today.month - 1) // 3 + 1
                year = self.today.year + (node.quarter < current)
            return Resolved(datetime(year, 3 * node.quarter - 2, 1), "quarter")
        if isinstance(node, Year):
            return Resolved(datetime(node.year, 1, 1), "year")
        if isinstance(node, IsoWeek):
            year = node.year if node.year is not None else self._iso_year_for(node.week)
            monday = date.fromisocalendar(year, node.week, 1)
            return Resolved(datetime(monday.year, monday.month, monday.day), "week")
        if isinstance(node, NthWeek):
            return self._nth_week(node, floor)
        if isinstance(node, PartOf):
            return self._part_of(node, floor)
        if isinstance(node, Season):
            return self._season(node)
        if isinstance(node, Weekend):
            monday = truncate(self.now, "week")
            start = monday + timedelta(days=4 + 7 * node.offset, hours=18)
            return Resolved(start, "hour", start + timedelta(hours=54), "interval")
        return None

    def _part_of(self, node: PartOf, floor: datetime) -> Resolved | None:
        """Thirds: days 1-10/11-20/21- of a month, Mon-Tue/Wed-Thu/Fri-Sun of a week,
        Jan-Apr/May-Aug/Sep-Dec of a year."""
        whole = self._period(node.period, floor)
        if whole is None:
            return None
        start, grain = whole.start, whole.grain
        if grain == "month":
            cuts = [start, start.replace(day=11), start.replace(day=21), add_grain(start, "month")]
            unit = "day"
        elif grain == "week":
            cuts = [start + timedelta(days=d) for d in (0, 2, 4, 7)]
            unit = "day"
        elif grain == "year":
            cuts = [start.replace(month=m) for m in (1, 5, 9)] + [add_grain(start, "year")]
            unit = "month"
        else:
            return None
        return Resolved(cuts[node.third], unit, cuts[node.third + 1], "interval")

    def _nth_week(self, node: NthWeek, floor: datetime) -> Resolved | None:
        first, fixed = self.month_start(node.month, floor.date())
        monday = _nth_week_monday(first, node.n)
        if monday + timedelta(days=7) <= floor.date() and not fixed:
            monday = _nth_week_monday(first.replace(year=first.year + 1), node.n)
        return Resolved(datetime(monday.year, monday.month, monday.day), "week")

    def _season(self, node: Season) -> Resolved:
        index = _SEASON_ORDER.index(node.name)
        if node.year is not None:
            start, end = _season_bounds(node.name, node.year, index)
            return Resolved(start, "day", end, "interval")
        # instances around today, in time order
        years = range(self.today.year - 2, self.today.year + 3)
        instances = [_season_bounds(node.name, year, index) for year in years]
        now = self.now
        if node.recent:
            chosen = [s for s in instances if s[0] <= now][-1]
        elif node.offset == 0:
            chosen = next(s for s in instances if s[1] > now)
        elif node.offset > 0:
            chosen = next(s for s in instances if s[0] > now)
        else:
            chosen = [s for s in instances if s[1] <= now][-1]
        return Resolved(chosen[0], "day", chosen[1], "interval")


_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def _naive(dt: datetime, tz: tzinfo) -> datetime:
    return to_wall(dt, tz) if dt.tzinfo is not None else dt


def _smallest(duration: Duration) -> str:
    return min((g for g, _ in duration.parts), key=GRAIN_RANK.__getitem__)


def _first_valid(year: int, month: int, day: int) -> date:
    """The first year from `year` on in which month/day exists (29 February)."""
    for y in range(year, year + 9):
        if day <= days_in_month(y, month):
            return date(y, month, day)
    raise ValueError("no such day")


def _nth_in_month(first: date, n: int, weekday: int | None) -> date | None:
    length = days_in_month(first.year, first.month)
    if weekday is None:
        day = length if n == -1 else n
        return first.replace(day=day) if 1 <= day <= length else None
    if n > 0:
        d = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        return d if d.month == first.month else None
    last = first.replace(day=length)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _nth_week_monday(first: date, n: int) -> date:
    """Weeks of a month: the n-th starts on the n-th Monday in the month; the last is the
    week before the one holding the next month's first day (Duckling's reading)."""
    if n > 0:
        return first + timedelta(days=(0 - first.weekday()) % 7 + 7 * (n - 1))
    following = first.replace(day=days_in_month(first.year, first.month)) + timedelta(days=1)
    return following - timedelta(days=following.weekday() + 7)


def _season_bounds(name: str, year: int, index: int) -> tuple[datetime, datetime]:
    """Start and exclusive end of a season; the winter of year Y starts in December Y-1."""
    month, day = _SEASON_STARTS[name]
    n_month, n_day = _SEASON_STARTS[_SEASON_ORDER[(index + 1) % 4]]
    if name == "vinter":
        return datetime(year - 1, month, day), datetime(year, n_month, n_day)
    return datetime(year, month, day), datetime(year, n_month, n_day)


def _part_interval(d: date, part: Part) -> Resolved:
    start, end = L.PARTS_OF_DAY[part.name]
    midnight = datetime(d.year, d.month, d.day)
    return Resolved(
        midnight + timedelta(minutes=start), "hour", midnight + timedelta(minutes=end), "interval"
    )


def _clock_options(clock: Clock) -> set[int]:
    minutes = clock.hour * 60 + clock.minute
    if clock.twelve_hour:
        return {minutes % 1440, (minutes + 720) % 1440}
    return {minutes}


def _pick_minutes(clock: Clock, part: Part | None, daytime: tuple[int, int] = _DAYTIME) -> int:
    """Minutes after midnight of the clock's day: a 12-hour time goes into the part of the
    day when one is said ("kl 8 i kväll" is 20:00), else into daytime."""
    base = clock.hour * 60 + clock.minute
    if part is not None:
        start, end = L.PARTS_OF_DAY[part.name]
        for candidate in (base, base + 720, base + 1440):
            if start <= candidate < end:
                return candidate
        return base
    if clock.twelve_hour:
        for candidate in sorted(_clock_options(clock)):
            if daytime[0] <= candidate < daytime[1]:
                return candidate
    return base
