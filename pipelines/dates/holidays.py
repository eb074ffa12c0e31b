"""Swedish holidays and named days as functions of the year.

Fixed days are plain dates; the movable ones hang off Easter (Gregorian computus) or are
"the <weekday> between two dates" (midsommar, alla helgons dag) or "the n-th Sunday" (mors
dag, fars dag, advent). The dates follow Swedish law and custom as of the 2000s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous 'Meeus/Jones/Butcher' computus)."""
    golden = year % 19
    century, year_in_century = divmod(year, 100)
    leap_c, leap_rem = divmod(century, 4)
    moon_corr = (century + 8) // 25
    sun_corr = (century - moon_corr + 1) // 3
    epact = (19 * golden + century - leap_c - sun_corr + 15) % 30
    yc_q, yc_r = divmod(year_in_century, 4)
    weekday_shift = (32 + 2 * leap_rem + 2 * yc_q - epact - yc_r) % 7
    correction = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * correction + 114, 31)
    return date(year, month, day + 1)


def weekday_between(year: int, month: int, first_day: int, weekday: int) -> date:
    """The given weekday (Monday = 0) in the seven days starting at month/first_day."""
    start = date(year, month, first_day)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th weekday of a month; n = -1 is the last one."""
    if n > 0:
        return weekday_between(year, month, 1, weekday) + timedelta(weeks=n - 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _from_easter(days: int) -> Callable[[int], date]:
    return lambda year: easter_sunday(year) + timedelta(days=days)


def _advent(n: int) -> Callable[[int], date]:
    # First advent: the Sunday between 27 November and 3 December.
    return lambda year: weekday_between(year, 11, 27, 6) + timedelta(weeks=n - 1)


#: Holiday key → the function giving its date in a year.
HOLIDAY_DATES: dict[str, Callable[[int], date]] = {
    "nyårsdagen": _fixed(1, 1),
    "trettondagsafton": _fixed(1, 5),
    "trettondedag jul": _fixed(1, 6),
    "tjugondedag knut": _fixed(1, 13),
    "alla hjärtans dag": _fixed(2, 14),
    "fettisdagen": _from_easter(-47),
    "våffeldagen": _fixed(3, 25),
    "skärtorsdagen": _from_easter(-3),
    "långfredagen": _from_easter(-2),
    "påskafton": _from_easter(-1),
    "påskdagen": _from_easter(0),
    "annandag påsk": _from_easter(1),
    "valborgsmässoafton": _fixed(4, 30),
    "första maj": _fixed(5, 1),
    "kristi himmelsfärdsdag": _from_easter(39),
    "pingstafton": _from_easter(48),
    "pingstdagen": _from_easter(49),
    "annandag pingst": _from_easter(50),
    "mors dag": lambda year: nth_weekday(year, 5, 6, -1),
    "nationaldagen": _fixed(6, 6),
    "midsommarafton": lambda year: weekday_between(year, 6, 19, 4),
    "midsommardagen": lambda year: weekday_between(year, 6, 20, 5),
    "halloween": _fixed(10, 31),
    "allhelgonaafton": lambda year: weekday_between(year, 10, 30, 4),
    "alla helgons dag": lambda year: weekday_between(year, 10, 31, 5),
    "fars dag": lambda year: nth_weekday(year, 11, 6, 2),
    "första advent": _advent(1),
    "andra advent": _advent(2),
    "tredje advent": _advent(3),
    "fjärde advent": _advent(4),
    "lucia": _fixed(12, 13),
    "julafton": _fixed(12, 24),
    "juldagen": _fixed(12, 25),
    "annandag jul": _fixed(12, 26),
    "nyårsafton": _fixed(12, 31),
}

_SURFACE: dict[str, tuple[str, ...]] = {
    "nyårsdagen": ("nyårsdag", "nyårsdagen"),
    "trettondagsafton": ("trettondagsafton", "trettondagsaftonen", "trettonhelgsafton"),
    "trettondedag jul": ("trettondedag jul", "trettondedagen", "trettondagen", "trettondag jul"),
    "tjugondedag knut": ("tjugondedag knut", "tjugondag knut", "knut"),
    "alla hjärtans dag": ("alla hjärtans dag", "alla hjärtans"),
    "fettisdagen": ("fettisdag", "fettisdagen"),
    "våffeldagen": ("våffeldag", "våffeldagen"),
    "skärtorsdagen": ("skärtorsdag", "skärtorsdagen"),
    "långfredagen": ("långfredag", "långfredagen"),
    "påskafton": ("påskafton", "påskaftonen"),
    "påskdagen": ("påskdag", "påskdagen", "påsk", "påsken", "påskhelgen"),
    "annandag påsk": ("annandag påsk", "annandagpåsk", "annandagen påsk"),
    "valborgsmässoafton": (
        "valborg", "valborgsmässoafton", "valborgsafton", "valborgsmäss", "sista april",
    ),
    "kristi himmelsfärdsdag": (
        "kristi himmelsfärdsdag", "kristi himmelfärdsdag", "kristi himmelsfärd",
        "kristi himmelfärd", "kristihimmelsfärdsdag",
    ),
    "pingstafton": ("pingstafton",),
    "pingstdagen": ("pingstdag", "pingstdagen", "pingst", "pingsten"),
    "annandag pingst": ("annandag pingst",),
    "mors dag": ("mors dag", "morsdag", "morsdagen"),
    "nationaldagen": (
        "nationaldag", "nationaldagen", "sveriges nationaldag", "svenska flaggans dag",
    ),
    "midsommarafton": ("midsommarafton", "midsommaraftonen", "midsommar", "midsommaren"),
    "midsommardagen": ("midsommardag", "midsommardagen"),
    "halloween": ("halloween",),
    "allhelgonaafton": ("allhelgonaafton",),
    "alla helgons dag": ("alla helgons dag", "allhelgonadagen", "allhelgona"),
    "fars dag": ("fars dag", "farsdag", "farsdagen"),
    "första advent": ("första advent", "första söndagen i advent", "advent", "1:a advent"),
    "andra advent": ("andra advent", "2:a advent"),
    "tredje advent": ("tredje advent", "3:e advent"),
    "fjärde advent": ("fjärde advent", "4:e advent"),
    "lucia": ("lucia", "luciadagen", "luciadag", "lussedagen"),
    "julafton": ("julafton", "julaftonen", "jul", "julen", "julhelgen"),
    "juldagen": ("juldag", "juldagen"),
    "annandag jul": ("annandag jul", "annandagen", "annandag", "annandagjul"),
    "nyårsafton": ("nyårsafton", "nyårsaftonen", "nyår", "nyåret", "nyårshelgen"),
}  # fmt: skip

#: "i julas" is last Christmas: past forms → holiday key.
HOLIDAYS_PAST: dict[str, str] = {
    "julas": "julafton", "påskas": "påskdagen", "midsomras": "midsommarafton",
}  # fmt: skip

#: First token → [(all tokens of a surface form, holiday key)], longest forms first.
HOLIDAY_PHRASES: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _key, _forms in _SURFACE.items():
    for _form in _forms:
        _tokens = tuple(_form.replace(":", " : ").split())
        HOLIDAY_PHRASES.setdefault(_tokens[0], []).append((_tokens, _key))
for _options in HOLIDAY_PHRASES.values():
    _options.sort(key=lambda option: -len(option[0]))


def holiday_date(key: str, year: int) -> date:
    """Date of a holiday in a year."""
    return HOLIDAY_DATES[key](year)
