"""Token look-ahead for the grammar's matchers, and the pieces they produce.

`Scan` wraps the token list with the helpers every matcher needs (numbers written as
digits or words, ordinals, month and weekday names, "this/next/last" words); a matcher
returns a `Hit`: how far it got, what it understood, and whether that is *weak* (see
`atoms`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.dates import lexicon as L
from pipelines.dates.nodes import Node
from pipelines.dates.tokens import Token


@dataclass(slots=True)
class Piece:
    """An atom (node set) or a raw token (node None) covering tokens [i, j)."""

    i: int
    j: int
    node: Node | None
    weak: bool = False


Hit = tuple[int, Node, bool]  # (end token index, node, weak)
Matcher = Callable[["Scan", int], "Hit | None"]

#: Words before which a greeting makes a holiday or part of day no date ("god jul").
GREETINGS = frozenset({"god", "glad", "gott", "trevlig", "go", "godnatt"})
#: Words that introduce a duration; "om 15h" is a duration, not 15:00.
DURATION_INTRO = frozenset({"om", "inom", "senaste", "nästa", "efter", "för", "på", "i", "under"})


class Scan:
    """Tokens plus the small look-ahead helpers every matcher uses."""

    __slots__ = ("n", "texts", "toks")

    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.n = len(toks)
        self.texts = [t.text for t in toks]

    def tx(self, i: int) -> str:
        return self.texts[i] if 0 <= i < self.n else ""

    def glued(self, i: int) -> bool:
        """Token i follows the previous one without whitespace."""
        return 0 < i < self.n and not self.toks[i].gap

    def dot(self, i: int) -> int:
        """Skip an abbreviation dot ("kl.", "tors.") glued to the previous token."""
        return i + 1 if self.tx(i) == "." and self.glued(i) else i

    def digits(self, i: int, lo: int, hi: int, width: tuple[int, ...] = (1, 2)) -> int | None:
        t = self.tx(i)
        if t.isdecimal() and len(t) in width:
            v = int(t)
            if lo <= v <= hi:
                return v
        return None

    def number(self, i: int, articles: bool = False) -> tuple[int, int, bool] | None:
        """(end, value, said as a word): "14", "fjorton", "tjugofem", "tjugo fem"."""
        t = self.tx(i)
        if not t:
            return None
        if t.isdecimal():
            return (i + 1, int(t), False) if len(t) <= 4 else None
        v = L.NUMBER_WORDS.get(t)
        if v is None or (not articles and t in L.ARTICLE_NUMBERS):
            return None
        if t in L.TENS_WORDS:
            unit = L.UNIT_WORDS.get(self.tx(i + 1))
            if unit is not None:
                return i + 2, v + unit, True
        return i + 1, v, True

    def ordinal(self, i: int) -> tuple[int, int] | None:
        """(end, value): "tredje", "3:e", "1:a", "21:a"."""
        t = self.tx(i)
        v = L.ORDINAL_WORDS.get(t)
        if v is not None:
            return i + 1, v
        if (
            t.isdecimal()
            and len(t) <= 2
            and self.tx(i + 1) == ":"
            and self.glued(i + 1)
            and self.tx(i + 2) in L.ORDINAL_SUFFIXES
            and self.glued(i + 2)
        ):
            return i + 3, int(t)
        return None

    def month(self, i: int, abbreviations: bool = True) -> tuple[int, int, bool] | None:
        """(end, month, abbreviated)."""
        t = self.tx(i)
        m = L.MONTHS.get(t)
        if m is not None:
            return i + 1, m, False
        if abbreviations:
            m = L.MONTH_ABBREVIATIONS.get(t)
            if m is not None:
                return self.dot(i + 1), m, True
        return None

    def weekday(self, i: int) -> tuple[int, int, bool] | None:
        """(end, weekday, abbreviated)."""
        t = self.tx(i)
        wd = L.WEEKDAYS.get(t)
        if wd is not None:
            return i + 1, wd, False
        wd = L.WEEKDAY_ABBREVIATIONS.get(t)
        if wd is not None and not (t == "mån" and self.tx(i - 1) == "i"):
            return self.dot(i + 1), wd, True
        return None

    def year4(self, i: int) -> int | None:
        return self.digits(i, 1000, 2999, (4,))

    def cycle_offset(self, i: int) -> tuple[int, int] | None:
        """(end, offset) for this/next/previous words: "denna", "den här", "nästa", "förra"."""
        t = self.tx(i)
        if t in L.THIS_WORDS:
            return i + 1, 0
        if t in L.NEXT_WORDS:
            return i + 1, 1
        if t in L.PREV_WORDS:
            return i + 1, -1
        if t in ("förrförra", "förförra"):
            return i + 1, -2
        if t == "nästnästa":
            return i + 1, 2
        if t in ("den", "det") and self.tx(i + 1) == "här":
            return i + 2, 0
        if t == "i" and self.tx(i + 1) in ("nästa", "förra", "denna", "kommande"):
            return self.cycle_offset(i + 1)
        return None
