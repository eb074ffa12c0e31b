"""First pass of the grammar: the smallest temporal expressions ("atoms") over the tokens.

Each matcher looks at the tokens from one position and returns how far it got and what it
understood (a `nodes` value), or None. Matchers are keyed on the word they start with, so a
token that cannot start anything costs one dict look-up. At each position the longest match
wins; `compose` then joins neighbouring atoms ("på lördag" + "kl 9") and builds intervals.

An atom is *weak* when it is too ambiguous to stand alone in running text: a bare year
("1954"), a day/month like "3/5", "10.30", a bare month name or part of the day, a bare
number, "nu". Weak atoms count only next to something temporal, after a preposition, or
when they make up the whole input (a slot value).
"""

from __future__ import annotations

from pipelines.dates import lexicon as L
from pipelines.dates.holidays import HOLIDAY_PHRASES
from pipelines.dates.match_clock import (
    clock_atom,
    midnight_atom,
    now_atom,
    numeric_atom,
    part_atom,
    spoken_time_atom,
    tiden_atom,
    today_part_atom,
)
from pipelines.dates.match_days import (
    day_month_atom,
    holiday_atom,
    i_phrase_atom,
    iso_week_atom,
    month_first_atom,
    nth_atom,
    relative_day_atom,
    relative_name_atom,
    weekday_atom,
)
from pipelines.dates.match_periods import (
    bare_number_atom,
    duration_atom,
    part_of_period_atom,
    quarter_atom,
    season_atom,
    weekend_atom,
    year_atom,
)
from pipelines.dates.scanner import Hit, Matcher, Piece, Scan
from pipelines.dates.tokens import Token

__all__ = ["Piece", "scan_atoms"]


_DISPATCH: dict[str, list[Matcher]] = {}
_NUMERIC: list[Matcher] = [
    tiden_atom, numeric_atom, day_month_atom, nth_atom, holiday_atom, duration_atom,
    spoken_time_atom, year_atom, bare_number_atom,
]  # fmt: skip


def _register(words: object, *matchers: Matcher) -> None:
    for w in words:  # type: ignore[attr-defined]
        bucket = _DISPATCH.setdefault(w, [])
        for m in matchers:
            if m not in bucket:
                bucket.append(m)


_register(L.RELATIVE_DAYS, relative_day_atom)
_register(("i",), relative_day_atom, i_phrase_atom, relative_name_atom, holiday_atom)
_register(L.TODAY_PART_WORDS, today_part_atom)
_register(L.WEEKDAYS, weekday_atom)
_register(L.WEEKDAY_ABBREVIATIONS, weekday_atom)
_register((w + "dags" + p for w in L.WEEKDAY_STEMS for p in L.PART_WORDS), weekday_atom)
_register(("på",), weekday_atom, day_month_atom, holiday_atom, part_atom, weekend_atom)
_register(L.NEXT_WORDS | L.PREV_WORDS | L.THIS_WORDS, weekday_atom, relative_name_atom)
_register(("förrförra", "förförra", "nästnästa", "den", "det"), relative_name_atom)
_register(("den",), day_month_atom)
_register(L.ORDINAL_WORDS, nth_atom, day_month_atom)
_register(L.LAST_WORDS, nth_atom)
_register(L.MONTHS, month_first_atom)
_register(L.MONTH_ABBREVIATIONS, month_first_atom)
_register(HOLIDAY_PHRASES, holiday_atom)
_register(("till", "under", "över"), holiday_atom)
_register(("kl", "klockan", "@"), clock_atom)
_register(L.APPROX_WORDS, clock_atom)
_register(("halv", "kvart"), spoken_time_atom, duration_atom)
_register(L.NUMBER_WORDS, spoken_time_atom, duration_atom, bare_number_atom)
_register(("par", "halvannan"), duration_atom)
_register(("midnatt",), midnight_atom)
_register(L.TIDEN_WORDS, tiden_atom)
_register(("i", "början", "mitten", "slutet"), part_of_period_atom)
_register(("vecka", "v", "w"), iso_week_atom)
_register(("q", "kvartal"), quarter_atom)
_register(("år", "året"), year_atom)
_register(L.SEASONS, season_atom)
_register(("helgen", "veckoslutet", "över", "under", "till", "på"), weekend_atom)
_register(L.PART_WORDS, part_atom)
_register(("på", "under", "mot", "framåt", "efter", "om"), part_atom)
_register(("nu", "just"), now_atom)


def scan_atoms(toks: list[Token]) -> list[Piece]:
    """Atoms and raw tokens, left to right, longest match first at each position."""
    s = Scan(toks)
    pieces: list[Piece] = []
    texts = s.texts
    i = 0
    n = s.n
    while i < n:
        t = texts[i]
        matchers = _NUMERIC if toks[i].is_num else _DISPATCH.get(t)
        best: Hit | None = None
        if matchers:
            for m in matchers:
                hit = m(s, i)
                if hit is not None and (best is None or hit[0] > best[0]):
                    best = hit
        if best is None:
            pieces.append(Piece(i, i + 1, None))
            i += 1
        else:
            pieces.append(Piece(i, best[0], best[1], best[2]))
            i = best[0]
    return pieces
