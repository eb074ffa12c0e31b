"""Matchers for times of day: digit patterns (also numeric dates), "kl"-times, spoken
times ("halv tre", "kvart i fyra"), "15-tiden", parts of the day, "nu"."""

from __future__ import annotations

from dataclasses import replace

from pipelines.dates import lexicon as L
from pipelines.dates.nodes import (
    Calendar,
    Clock,
    Moment,
    Now,
    Part,
    RelDay,
    TonightDay,
)
from pipelines.dates.scanner import DURATION_INTRO, GREETINGS, Hit, Scan


def numeric_pattern(s: Scan, i: int) -> Hit | None:
    """Digit patterns: 2015-03-03, 3/3/15, 31-10-74, 15/02, 15:20[:24], 10.30, 15h."""
    a = s.tx(i)
    if not a.isdecimal():
        return None
    sep = s.tx(i + 1)
    glued1 = s.glued(i + 1) and s.glued(i + 2)
    b = s.tx(i + 2)
    if sep in ("-", "/", ".") and glued1 and b.isdecimal():
        c_sep, c = s.tx(i + 3), s.tx(i + 4)
        three = c_sep == sep and s.glued(i + 3) and s.glued(i + 4) and c.isdecimal()
        if len(a) == 4 and three and sep in ("-", "/"):  # 2015-03-03[T10:00[Z]]
            return _iso_time_tail(s, i + 5, _calendar(int(a), int(b), int(c), i + 5))
        if three and len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):  # 3/3/2015, 31-10-74
            year = int(c)
            hit = _calendar(year, int(b), int(a), i + 5, two_digit=len(c) == 2)
            return hit
        if sep == "." and len(a) <= 2 and len(b) == 2 and not three:  # 10.30
            h, m = int(a), int(b)
            if h <= 24 and m <= 59:
                return i + 3, Moment(clock=Clock(h % 24, m, grain="minute")), True
            return None
        if sep in ("-", "/") and not three and len(a) <= 2 and len(b) <= 2:  # 15/02, 25-4
            d, m = int(a), int(b)
            if sep == "-" and d <= 24 and m <= 24 and s.tx(i - 1) in _BEFORE_HOUR_RANGE:
                return None  # "imorgon 9-11", "kl 10-12": hours, not 9 November
            following = s.tx(i + 3)
            if 1 <= d <= 31 and 1 <= m <= 12 and s.month(i + 3) is None:
                if following.isdecimal() or (following in ("-", "–") and s.tx(i + 4).isdecimal()):
                    return None
                return i + 3, Moment(Calendar(None, m, d)), True
        return None
    if sep == ":" and glued1 and len(b) == 2 and b.isdecimal() and len(a) <= 2:  # 15:20[:24]
        h, m = int(a), int(b)
        if h > 24 or m > 59:
            return None
        if s.tx(i + 3) == ":" and s.glued(i + 3) and s.glued(i + 4) and len(s.tx(i + 4)) == 2:
            sec = s.digits(i + 4, 0, 59, (2,))
            if sec is not None:
                return i + 5, Moment(clock=Clock(h % 24, m, sec, grain="second")), False
        return i + 3, Moment(clock=Clock(h % 24, m, grain="minute")), False
    if sep == "h" and s.glued(i + 1) and len(a) <= 2 and int(a) <= 24:  # 15h
        if s.tx(i - 1) in DURATION_INTRO:
            return None
        return i + 2, Moment(clock=Clock(int(a) % 24)), False
    return None


def numeric_atom(s: Scan, i: int) -> Hit | None:
    """A numeric pattern; a clock may carry a zone or "precis" after it ("08:00 GMT")."""
    hit = numeric_pattern(s, i)
    if hit is None or not isinstance(hit[1], Moment) or hit[1].clock is None:
        return hit
    end, node, _ = _clock_suffix(s, hit[0], hit[1].clock)
    assert isinstance(node, Moment)
    return end, replace(hit[1], clock=node.clock), hit[2]


_BEFORE_HOUR_RANGE = frozenset(
    {"kl", "klockan", "mellan", "från", *L.RELATIVE_DAYS, *L.WEEKDAYS, "dag", "morgon", "går"}
)


def _iso_time_tail(s: Scan, j: int, hit: Hit | None) -> Hit | None:
    """Forms: "2025-09-07T15:00", "…T15:00:00Z", "…T15:00+02:00": an ISO date-time."""
    if hit is None or s.tx(j) != "t" or not s.glued(j) or not s.glued(j + 1):
        return hit
    clock_hit = numeric_pattern(s, j + 1)
    if clock_hit is None or not isinstance(clock_hit[1], Moment) or clock_hit[1].clock is None:
        return hit
    end, clock = clock_hit[0], clock_hit[1].clock
    if s.tx(end) == "z" and s.glued(end):
        clock, end = replace(clock, zone=0), end + 1
    elif s.tx(end) in ("+", "-") and s.glued(end) and s.glued(end + 1):
        hh, sign = s.digits(end + 1, 0, 23, (2,)), 1 if s.tx(end) == "+" else -1
        mm = 0
        step = 2
        if s.tx(end + 2) == ":" and s.glued(end + 2):
            mm_value = s.digits(end + 3, 0, 59, (2,))
            if mm_value is not None:
                mm, step = mm_value, 4
        if hh is not None:
            clock, end = replace(clock, zone=sign * (hh * 60 + mm)), end + step
    day = hit[1].day if isinstance(hit[1], Moment) else None
    return end, Moment(day, clock), False


def _calendar(year: int, month: int, day: int, end: int, two_digit: bool = False) -> Hit | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return end, Moment(Calendar(year, month, day, two_digit_year=two_digit)), False


def clock_atom(s: Scan, i: int) -> Hit | None:
    """[ca.] kl./klockan/@ <time> [CET] [precis]: "kl 10", "klockan tre", "ca. kl. 15"."""
    j = i
    while s.tx(j) in L.APPROX_WORDS:
        j = s.dot(j + 1)
    prefixed = False
    if s.tx(j) in ("kl", "klockan", "@"):
        j = s.dot(j + 1)
        prefixed = True
    elif j == i:
        return None
    tiden = tiden_atom(s, j)
    if tiden is not None:
        return tiden
    hit = _time_of_day(s, j, prefixed)
    if hit is None:
        if prefixed or s.tx(j - 1) not in _AROUND:
            return None
        hit = _time_of_day(s, j, True)  # "vid 10", "runt tre": a time only next to a day
        if hit is None or s.tx(hit[0]) in L.UNITS:
            return None
        end, node, _ = _clock_suffix(s, hit[0], hit[1])
        return end, node, True
    end, clock = hit
    return _clock_suffix(s, end, clock)


_AROUND = frozenset({"vid", "runt", "kring", "omkring", "framåt", "ungefär"})


def tiden_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "vid 15-tiden", "runt tretiden": about that hour."""
    t = s.tx(i)
    hour = L.TIDEN_WORDS.get(t)
    if hour is not None:
        return i + 1, Moment(clock=Clock(hour % 12, twelve_hour=True)), False
    h = s.digits(i, 0, 24)
    if h is not None and s.tx(i + 1) in ("-", "–") and s.tx(i + 2) == "tiden" and s.glued(i + 1):
        return i + 3, Moment(clock=Clock(h % 24)), False
    return None


def _clock_suffix(s: Scan, i: int, clock: Clock) -> Hit:
    zone = L.ZONES.get(s.tx(i))
    if zone is not None and clock.zone is None:
        clock = Clock(clock.hour, clock.minute, clock.second, "minute", clock.twelve_hour, zone)
        i += 1
    if s.tx(i) in L.EXACT_WORDS:
        i += 1
    return i, Moment(clock=clock), False


def _time_of_day(s: Scan, i: int, prefixed: bool) -> tuple[int, Clock] | None:
    """A time after "kl": digits (24-hour), words (12-hour), or the spoken forms."""
    spoken = _spoken_time(s, i, prefixed)
    if spoken is not None:
        return spoken
    hit = numeric_pattern(s, i)
    if hit is not None and isinstance(hit[1], Moment) and hit[1].clock is not None:
        return hit[0], hit[1].clock
    num = s.number(i, articles=True)  # "klockan ett"
    if num is None or not prefixed:
        return None
    j, value, is_word = num
    if value > 24:
        return None
    return j, Clock(value % 24, twelve_hour=is_word and 1 <= value <= 12)


_CLOCK_MINUTES = frozenset({5, 10, 15, 20, 25})


def _hour_word(s: Scan, i: int) -> tuple[int, int, bool] | None:
    """(end, hour, twelve-hour) of the hour in a spoken time: "tre", "3", "15"."""
    num = s.number(i, articles=True)
    if num is None:
        return None
    j, value, _ = num
    if not 0 <= value <= 24:
        return None
    if s.tx(j) in L.UNITS and s.tx(j) not in ("s", "t", "h", "v"):
        return None  # "halv tre timmar" is no time
    return j, value, 1 <= value <= 12


def _spoken_time(s: Scan, i: int, prefixed: bool) -> tuple[int, Clock] | None:
    """halv tre, kvart över fyra, kvart i tolv, tjugo över 15, fem i halv tre."""
    t = s.tx(i)
    if t == "halv":
        h = _hour_word(s, i + 1)
        if h is None or h[1] == 0:
            return None
        return h[0], Clock((h[1] - 1) % 24, 30, grain="minute", twelve_hour=h[2])
    if t == "kvart":
        minutes, j = 15, i + 1
    else:
        num = s.number(i)
        if num is None:
            return None
        j, minutes, _ = num
        if not (minutes in _CLOCK_MINUTES or (prefixed and 1 <= minutes <= 29)):
            return None
    direction = s.tx(j)
    if direction not in ("över", "i"):
        return None
    half = s.tx(j + 1) == "halv"
    h = _hour_word(s, j + 2 if half else j + 1)
    if h is None:
        return None
    end, hour, twelve = h
    total = hour * 60 - (30 if half else 0) + (minutes if direction == "över" else -minutes)
    total %= 24 * 60
    return end, Clock(total // 60, total % 60, grain="minute", twelve_hour=twelve)


def spoken_time_atom(s: Scan, i: int) -> Hit | None:
    hit = _spoken_time(s, i, prefixed=False)
    if hit is None:
        return None
    return _clock_suffix(s, hit[0], hit[1])


def midnight_atom(s: Scan, i: int) -> Hit | None:
    if s.tx(i) in ("midnatt", "midnatt."):
        return i + 1, Moment(clock=Clock(0)), False
    return None


def part_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "på kvällen", "under eftermiddagen", "efter lunch", bare "kväll" (weak)."""
    t = s.tx(i)
    if t == "efter" and s.tx(i + 1) in ("lunch", "lunchen"):
        return i + 2, Moment(part=Part("efter lunch")), False
    if t in ("på", "under", "mot", "framåt", "om") and s.tx(i + 1) in L.PART_WORDS:
        following = s.tx(i + 1)
        if following in ("morgon", "morse"):
            return None
        if t == "om" and not following.endswith("en"):
            return None
        return i + 2, Moment(part=Part(L.PART_WORDS[following])), False
    part = L.PART_WORDS.get(t)
    if part is None or s.tx(i - 1) in GREETINGS:
        return None
    return i + 1, Moment(part=Part(part)), True


def today_part_atom(s: Scan, i: int) -> Hit | None:
    part = L.TODAY_PART_WORDS.get(s.tx(i))
    if part is None:
        return None
    day = TonightDay() if part == "natt" else RelDay(0)
    return i + 1, Moment(day, part=Part(part)), False


def now_atom(s: Scan, i: int) -> Hit | None:
    if s.tx(i) == "just" and s.tx(i + 1) == "nu":
        return i + 2, Now(), True
    if s.tx(i) == "nu":
        return i + 1, Now(), True
    return None
