"""Matchers for periods and lengths: quarters, years, seasons, weekends, parts of a
period ("i slutet av mars"), durations ("två och en halv timme") and bare numbers."""

from __future__ import annotations

from pipelines.dates import lexicon as L
from pipelines.dates.match_days import month_first_atom, relative_name_atom
from pipelines.dates.nodes import (
    Cycle,
    Duration,
    MonthName,
    Num,
    PartOf,
    Quarter,
    Season,
    Weekend,
    Year,
)
from pipelines.dates.scanner import Hit, Scan


def quarter_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "Q3", "q3 2024", "kvartal 3"."""
    if not ((s.tx(i) == "q" and s.glued(i + 1)) or s.tx(i) == "kvartal"):
        return None
    q = s.digits(i + 1, 1, 4, (1,))
    if q is None:
        return None
    j = i + 2
    y = s.year4(j)
    return (j + 1 if y else j), Quarter(q, y), False


def year_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "år 2014", "2014" (weak alone)."""
    if s.tx(i) in ("år", "året"):
        y = s.year4(i + 1)
        return (i + 2, Year(y), False) if y is not None else None
    y = s.year4(i)
    if y is None or (s.tx(i + 1) in ("-", "/", ":", ".") and s.glued(i + 1)):
        return None
    return i + 1, Year(y), True


def season_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "sommaren 2026", "vintern" (weak alone)."""
    t = s.tx(i)
    name = L.SEASONS.get(t)
    if name is None or t in ("vår", "sommar", "höst", "vinter"):
        return None
    y = s.year4(i + 1)
    if y is not None:
        return i + 2, Season(name, 0, y), False
    return None


def weekend_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "helgen", "över helgen"."""
    j = i + 1 if s.tx(i) in ("över", "under", "till", "på") else i
    if s.tx(j) in ("helgen", "veckoslutet"):
        return j + 1, Weekend(0), j == i
    return None


_THIRDS = {"början": 0, "mitten": 1, "slutet": 2}
_THIS_PERIOD = {"veckan": "week", "månaden": "month", "året": "year"}


def part_of_period_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "i början av nästa vecka", "i mitten av mars", "i slutet av månaden",
    "slutet av 2026"."""
    j = i + 1 if s.tx(i) == "i" else i
    third = _THIRDS.get(s.tx(j))
    if third is None or s.tx(j + 1) not in ("av", "på"):
        return None
    k = j + 2
    period: Cycle | MonthName | Year | None = None
    end = k
    if s.tx(k) in _THIS_PERIOD:
        period, end = Cycle(_THIS_PERIOD[s.tx(k)], 0), k + 1
    else:
        for matcher in (relative_name_atom, month_first_atom, year_atom):
            hit = matcher(s, k)
            if hit is not None and isinstance(hit[1], _PERIODS):
                period, end = hit[1], hit[0]
                break
    if period is None or (isinstance(period, Cycle) and period.grain == "quarter"):
        return None
    return end, PartOf(third, period), False


_PERIODS = (Cycle, MonthName, Year)


# ------------------------------------------------------------------ durations and numbers


def _amount(s: Scan, i: int) -> tuple[int, float] | None:
    """Forms: "två", "2,5", "2 och en halv", "en halv", "ett par", "halvannan"."""
    t = s.tx(i)
    if t == "halvannan":
        return i + 1, 1.5
    if t in ("en", "ett") and s.tx(i + 1) == "halv":
        return i + 2, 0.5
    if t == "ett" and s.tx(i + 1) == "par":
        return i + 2, 2
    if t == "par":
        return i + 1, 2
    num = s.number(i, articles=True)
    if num is None:
        return None
    j, value, _ = num
    amount = float(value)
    if s.tx(j) in (",", ".") and s.glued(j) and s.glued(j + 1) and s.tx(j + 1).isdecimal():
        frac = s.tx(j + 1)
        amount += int(frac) / 10 ** len(frac)
        j += 2
    elif s.tx(j) == "och" and s.tx(j + 1) in ("en", "ett") and s.tx(j + 2) == "halv":
        amount += 0.5
        j += 3
    return j, amount


_FINER_UNIT = {"year": ("month", 12), "month": ("day", 30), "week": ("day", 7),
               "day": ("hour", 24), "hour": ("minute", 60), "minute": ("second", 60)}  # fmt: skip


def _whole(grain: str, amount: float) -> tuple[str, int] | None:
    """Express a fractional amount in a finer unit: 2.5 hours → 150 minutes."""
    for _ in range(3):
        if abs(amount - round(amount)) < 1e-9:
            return grain, round(amount)
        if grain not in _FINER_UNIT:
            return None
        grain, factor = _FINER_UNIT[grain]
        amount *= factor
    return None


def duration_atom(s: Scan, i: int) -> Hit | None:
    """Forms: "två timmar", "2,5 timme", "en och en halv timme", "1t",
    "en timme och tio minuter"."""
    parts: dict[str, int] = {}
    j = i
    end = None
    while True:
        am = _amount(s, j)
        if am is None:
            break
        k, amount = am
        unit = L.UNITS.get(s.tx(k))
        if unit is None or (s.tx(k) in ("s", "t", "h", "v", "min") and not s.glued(k) and
                            s.tx(k) != "min"):  # fmt: skip
            break
        grain, factor = unit
        whole = _whole(grain, amount * factor)
        if whole is None or whole[1] <= 0:
            break
        parts[whole[0]] = parts.get(whole[0], 0) + whole[1]
        end = k + 1
        if s.tx(end) == "." and s.tx(k) in ("min", "tim", "sek"):
            end += 1
        if s.tx(end) in ("och", ",") and _amount(s, end + 1) is not None:
            j = end + 1
            continue
        if _amount(s, end) is not None and s.tx(end).isdecimal():
            j = end
            continue
        break
    if end is None:
        return None
    if s.tx(end) == "mer":
        end += 1
    order = ("year", "month", "week", "day", "hour", "minute", "second")
    return end, Duration(tuple((g, parts[g]) for g in order if g in parts)), False


def bare_number_atom(s: Scan, i: int) -> Hit | None:
    num = s.number(i)
    if num is None:
        return None
    return num[0], Num(num[1], num[2]), True
