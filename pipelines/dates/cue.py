"""Cheap pre-check: could this text hold a date or time at all?

Most assistant utterances ("tänd lampan i köket") hold none, and the grammar costs far more
than a set look-up, so `find_dates` asks this first. The check must never say no to a text
the grammar would resolve (a unit test holds it to that over the corpus and the test
sentences); saying yes too often only costs time.

How: the lower-cased text is split on whitespace and compared, as a set, with every word a
temporal expression must contain (weekdays, months, units, "kl", holidays …, also with a
trailing punctuation mark). Only a text with a digit pays for a regex: digits form dates
and times on their own ("15:20", "3/5", "1954").
"""

from __future__ import annotations

import re

from pipelines.dates import lexicon as L
from pipelines.dates.holidays import HOLIDAY_PHRASES

_COMMON = frozenset({"i", "av", "alla", "första", "andra", "tredje", "fjärde", "sista", "1", "2",
                     "3", "4", ":", "a", "e", "jul", "påsk", "söndagen"})  # fmt: skip


def _cue_words() -> frozenset[str]:
    words: set[str] = set()
    for table in (
        L.WEEKDAYS, L.WEEKDAY_ABBREVIATIONS, L.WEEKDAY_PAST, L.MONTHS, L.MONTH_ABBREVIATIONS,
        L.RELATIVE_DAYS, L.PART_WORDS, L.TODAY_PART_WORDS, L.UNITS, L.CYCLE_WORDS, L.SEASONS,
        L.SEASONS_PAST,
    ):  # fmt: skip
        words.update(table)
    words.update(L.WEEKEND_WORDS)
    words.update(L.TIDEN_WORDS)
    words.update(s + "dags" + p for s in L.WEEKDAY_STEMS for p in L.PART_WORDS)
    for options in HOLIDAY_PHRASES.values():
        for tokens, _ in options:
            words.update(t for t in tokens if t not in _COMMON)
    words.update(("jul", "påsk", "julas", "påskas", "midsomras", "fjol", "förrfjol"))
    words.update(("kl", "klockan", "halv", "kvart", "midnatt", "v", "kvartal"))
    words.update(("dag", "dagen", "morgon", "går", "förrgår", "övermorgon", "överimorgon"))
    words.difference_update(("s", "t", "h", "min"))  # only glued to a number: the digit check
    endings = (".", ",", "!", "?", ";", ":", "?!", "!!", "??", "...", "..")
    return frozenset(words | {w + p for w in words for p in endings})


CUE_WORDS: frozenset[str] = _cue_words()
#: "tjugo över tre", "fem i halv tre": spoken times need a minute word and "över"/"i".
_CLOCK_MINUTE_WORDS = frozenset({"fem", "tio", "tjugo", "tjugofem", "tjugo-fem"})
_CLOCK_LINKS = frozenset({"i", "över"})
#: "nu" is a date only when it is all there is (a slot value); too common to cue on.
_NOW_ALONE = frozenset({"nu", "just nu"})

_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"[^\w\s.,!?]")
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT_CUE = re.compile(
    r"\d[:./-]\d"  # 15:20, 10.30, 3/5, 15-02, 2015-03-03
    r"|\d:[ae]\b"  # 3:e
    r"|(?<!\d)\d{4}(?!\d)"  # a year
    r"|\d[ht]\b"  # 15h, 1t
    r"|\d[-–]tiden"  # 15-tiden
    r"|[^\W\d_]\d|\d[^\W\d_]"  # feb13, 14april, q3
    r"|@\s?\d"
    r"|(?:den|mellan|från|kl|om|inom)\s+\d"
    r"|\d\s+(?:över|i)\s"
)


def has_temporal_cue(text: str) -> bool:
    """True when `text` may hold a temporal expression (cheap; may say yes wrongly)."""
    lowered = text.lower()
    words = lowered.split()
    if not CUE_WORDS.isdisjoint(words):
        return True
    # "mån–fre", "(imorgon)": words glued to other marks
    if _SEPARATORS.search(lowered) is not None and not CUE_WORDS.isdisjoint(_WORD.findall(lowered)):
        return True
    if not _CLOCK_MINUTE_WORDS.isdisjoint(words) and not _CLOCK_LINKS.isdisjoint(words):
        return True
    if _DIGIT.search(lowered) is not None:
        return _DIGIT_CUE.search(lowered) is not None
    return len(lowered) < 12 and lowered.strip(" \t\n.!?,") in _NOW_ALONE
