"""Matchers for days: relative days, weekdays, calendar dates, holidays, n-th of a month."""

from __future__ import annotations

from pipelines.dates import lexicon as L
from pipelines.dates.holidays import HOLIDAY_PHRASES, HOLIDAYS_PAST
from pipelines.dates.nodes import (
    Calendar,
    Cycle,
    Holiday,
    IsoWeek,
    Moment,
    MonthName,
    NthDay,
    NthWeek,
    Part,
    Quarter,
    RelDay,
    Season,
    TonightDay,
    Weekday,
    Weekend,
)
from pipelines.dates.scanner import GREETINGS, Hit, Scan


def relative_day_atom(s: Scan, i: int) -> Hit | None:
    t = s.tx(i)
    for length in (5, 3, 2):
        if i + length > s.n:
            continue
        offset = L.RELATIVE_DAY_PHRASES.get(tuple(s.texts[i : i + length]))
        if offset is not None:
            part = Part("bitti") if s.tx(i + length - 1) == "bitti" else None
            return i + length, Moment(RelDay(offset), part=part), False
    offset = L.RELATIVE_DAYS.get(t)
    if offset is not None:
        return i + 1, Moment(RelDay(offset)), False
    return None


def i_phrase_atom(s: Scan, i: int) -> Hit | None:
    """Everything said with "i": i tisdags, i kväll, i morse, i år, i fjol, i helgen, i jul…"""
    t = s.tx(i + 1)
    if t in L.WEEKDAY_PAST:
        return i + 2, Moment(Weekday(L.WEEKDAY_PAST[t], mode="prev")), False
    if t in ("kväll", "eftermiddag", "förmiddag", "morse", "morgonen"):
        return i + 2, Moment(RelDay(0), part=Part(L.PART_WORDS[t])), False
    if t == "natt":
        return i + 2, Moment(TonightDay(), part=Part("natt")), False
    if t == "år":
        return i + 2, Cycle("year", 0), False
    if t == "fjol":
        return i + 2, Cycle("year", -1), False
    if t == "förrfjol":
        return i + 2, Cycle("year", -2), False
    if t in ("veckan", "månaden"):
        return i + 2, Cycle(L.CYCLE_WORDS[t], 0), False
    if t in ("helgen", "helg"):
        return i + 2, Weekend(0), False
    if t in L.SEASONS_PAST:
        return i + 2, Season(L.SEASONS_PAST[t], -1, recent=True), False
    if t in ("sommar", "vinter", "höst", "vår"):
        following = s.tx(i + 2)
        if t == "vår" and following and following.isalpha() and following not in _AFTER_SEASON:
            return None  # "i vår trädgård": "vår" is "our"
        return i + 2, Season(t, 0), False
    if t in HOLIDAYS_PAST:
        return i + 2, Moment(Holiday(HOLIDAYS_PAST[t], mode="prev")), False
    return None


_AFTER_SEASON = frozenset({"och", "eller", "så", "igen", "då", "kanske", "tror"})


def weekday_atom(s: Scan, i: int) -> Hit | None:
    """[på|nästa|förra] <weekday> [igen] [i|på] [denna|nästa|förra vecka | vecka 42]."""
    mode = "next"
    t = s.tx(i)
    if t == "på":
        i += 1
    elif t in L.NEXT_WORDS or t == "denna":
        mode = "next" if t != "denna" else "this"
        i += 1
    elif t in L.PREV_WORDS:
        mode = "prev"
        i += 1
    wd = s.weekday(i)
    if wd is None:
        compound = _weekday_part_compound(s.tx(i))
        if compound is None:
            return None
        weekday, part = compound
        node = Weekday(weekday, mode="prev" if mode == "prev" else "next")
        return i + 1, Moment(node, part=Part(part)), False
    j, weekday, _ = wd
    skip = 0
    if s.tx(j) == "igen":
        j, skip = j + 1, 1
    week = _week_reference(s, j)
    if week is not None and mode in ("next", "this"):
        j, ref = week
        if isinstance(ref, IsoWeek):
            node = Weekday(weekday, "isoweek", iso_week=ref.week, iso_year=ref.year)
        else:
            node = Weekday(weekday, "week", week_offset=ref.offset)
        return j, Moment(node), False
    if mode == "prev":
        return j, Moment(Weekday(weekday, "prev")), False
    if mode == "this":
        return j, Moment(Weekday(weekday, "week", week_offset=0)), False
    return j, Moment(Weekday(weekday, "next", skip=skip)), False


def _week_reference(s: Scan, i: int) -> tuple[int, Cycle | IsoWeek] | None:
    """Forms: "i nästa vecka", "denna veckan", "förra veckan", "i veckan", "vecka 42"."""
    j = i + 1 if s.tx(i) in ("i", "på") else i
    if s.tx(j) in ("veckan",) and s.tx(i) == "i":
        return j + 1, Cycle("week", 0)
    off = s.cycle_offset(j)
    if off is not None and s.tx(off[0]) in ("vecka", "veckan"):
        return off[0] + 1, Cycle("week", off[1])
    iso = iso_week_atom(s, j)
    if iso is not None and isinstance(iso[1], IsoWeek):
        return iso[0], iso[1]
    return None


def _weekday_part_compound(t: str) -> tuple[int, str] | None:
    """Forms: "lördagskväll", "fredagsmorgonen": weekday + part in one word."""
    for stem_index, stem in enumerate(L.WEEKDAY_STEMS):
        prefix = stem + "dags"
        if t.startswith(prefix):
            part = L.PART_WORDS.get(t[len(prefix) :])
            if part is not None:
                return stem_index, part
    return None


def _day_of_month(s: Scan, i: int) -> tuple[int, int, bool] | None:
    """(end, day, explicit ordinal): "3", "3:e", "tredje"."""
    o = s.ordinal(i)
    if o is not None:
        return (o[0], o[1], True) if 1 <= o[1] <= 31 else None
    d = s.digits(i, 1, 31)
    if d is not None:
        return i + 1, d, False
    return None


def _year_after(s: Scan, i: int) -> tuple[int, int | None]:
    """Optional year after a date: ", 2014" or " 2015"."""
    j = i + 1 if s.tx(i) == "," else i
    y = s.year4(j)
    if y is not None:
        return j + 1, y
    return i, None


def day_month_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "3 mars [2015]", "tredje mars", "3:e maj", "14april 2015", "den 15:e [februari]"."""
    on = s.tx(i) == "på"
    if on:
        i += 1
    has_den = s.tx(i) == "den"
    if has_den:
        i += 1
    if on and not has_den:
        return None
    dom = _day_of_month(s, i)
    if dom is None:
        return None
    j, day, explicit = dom
    mon = s.month(j)
    if mon is not None:
        j2, month, _ = mon
        j3, year = _year_after(s, j2)
        return j3, Moment(Calendar(year, month, day)), False
    if not has_den:
        return None
    in_month = month_reference(s, j + 1 if s.tx(j) == "i" else j)
    if in_month is not None and isinstance(in_month[1], Cycle):  # "den 5 nästa månad"
        return in_month[0], Moment(NthDay(day, in_month[1])), False
    weak = not (explicit and s.tx(i).isdecimal()) and not on
    if not explicit and s.tx(j) in (":", ".", "-", "/"):
        return None
    return j, Moment(Calendar(None, None, day)), weak


def month_first_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "februari 15", "April 14, 2015", "Feb13", "Oktober 2014", "mars", "mars nästa år"."""
    mon = s.month(i)
    if mon is None:
        return None
    j, month, abbreviated = mon
    d = s.digits(j, 1, 31)
    if d is not None and not (s.tx(j + 1) in (":", ".") and s.glued(j + 1)):
        j2, year = _year_after(s, j + 1)
        return j2, Moment(Calendar(year, month, d)), False
    y = s.year4(j)
    if y is not None:
        return j + 1, MonthName(month, year=y), False
    if abbreviated:
        return None
    off = s.cycle_offset(j)
    if off is not None and s.tx(off[0]) in ("år", "året"):
        return off[0] + 1, MonthName(month, year_offset=off[1]), False
    return j, MonthName(month), True


def relative_name_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "nästa mars [igen]", "förra mars", "nästa julafton", "nästa sommar",
    "förra helgen"."""
    off = s.cycle_offset(i)
    if off is None:
        return None
    j, offset = off
    mon = s.month(j, abbreviations=False)
    if mon is not None:
        j2 = mon[0]
        skip = 0
        if s.tx(j2) == "igen":
            j2, skip = j2 + 1, 1
        mode = "after" if offset > 0 else ("prev" if offset < 0 else "next")
        return j2, MonthName(mon[1], mode=mode, skip=skip), False
    t = s.tx(j)
    if t in L.SEASONS:
        return j + 1, Season(L.SEASONS[t], offset), False
    if t in L.WEEKEND_WORDS:
        return j + 1, Weekend(offset), False
    hol = _holiday_at(s, j)
    if hol is not None:
        mode = "after" if offset > 0 else ("prev" if offset < 0 else "next")
        return hol[0], Moment(Holiday(hol[1], mode=mode)), False
    cyc = L.CYCLE_WORDS.get(t)
    if cyc is not None and t != "veckas":
        return j + 1, Cycle(cyc, offset), False
    return None


def _holiday_at(s: Scan, i: int) -> tuple[int, str] | None:
    for tokens, key in HOLIDAY_PHRASES.get(s.tx(i), ()):
        if tuple(s.texts[i : i + len(tokens)]) == tokens:
            return i + len(tokens), key
    return None


def holiday_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "julafton", "på midsommarafton", "påsk 2026", "i jul"."""
    j0 = i + 1 if s.tx(i) in ("på", "till", "i", "under", "över") else i
    hol = _holiday_at(s, j0)
    if hol is None or s.tx(i - 1) in GREETINGS or s.tx(j0 - 1) in GREETINGS:
        return None
    j, key = hol
    y = s.year4(j)
    if y is not None:
        return j + 1, Moment(Holiday(key, y)), False
    return j, Moment(Holiday(key)), False


def nth_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "sista måndag i mars", "tredje dagen i oktober", "första veckan i oktober 2014",
    "tredje kvartalet [2018]"."""
    t = s.tx(i)
    if t in L.LAST_WORDS:
        j, n = i + 1, -1
    else:
        o = s.ordinal(i)
        if o is None:
            return None
        j, n = o
    what = s.tx(j)
    if what in ("kvartal", "kvartalet") and 1 <= n <= 4:
        y = s.year4(j + 1)
        return (j + 2 if y else j + 1), Quarter(n, y), False
    wd = L.WEEKDAYS.get(what)
    kind = "weekday" if wd is not None else what
    if kind not in ("weekday", "dagen", "dag", "veckan", "vecka"):
        return None
    if s.tx(j + 1) not in ("i", "av", "in"):
        return None
    ref = month_reference(s, j + 2)
    if ref is None:
        return None
    end, month = ref
    if kind in ("veckan", "vecka"):
        return end, NthWeek(n, month), False
    if kind == "weekday":
        return end, Moment(NthDay(n, month, wd)), False
    if n > 31:
        return None
    return end, Moment(NthDay(n, month)), False


def month_reference(s: Scan, i: int) -> tuple[int, MonthName | Cycle] | None:
    """Forms: "mars", "oktober 2014", "månaden", "nästa månad"."""
    mon = s.month(i, abbreviations=False)
    if mon is not None:
        y = s.year4(mon[0])
        if y is not None:
            return mon[0] + 1, MonthName(mon[1], year=y)
        return mon[0], MonthName(mon[1])
    if s.tx(i) == "månaden":
        return i + 1, Cycle("month", 0)
    off = s.cycle_offset(i)
    if off is not None and s.tx(off[0]) in ("månad", "månaden"):
        return off[0] + 1, Cycle("month", off[1])
    return None


def iso_week_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "vecka 42", "v. 42", "v42", "vecka 1 2026"."""
    if s.tx(i) not in ("vecka", "v", "veckan", "w"):
        return None
    j = s.dot(i + 1)
    w = s.digits(j, 1, 53)
    if w is None:
        return None
    y = s.year4(j + 1)
    return (j + 2 if y else j + 1), IsoWeek(w, y), False
