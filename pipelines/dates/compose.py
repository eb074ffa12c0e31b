"""Second pass of the grammar: join atoms into the expressions people actually say.

1. durations get their direction: "om två timmar", "tre dagar sedan", "senaste 2 veckorna",
   "inom 2 veckor", "efter 5 dagar";
2. neighbouring day / time / part-of-day atoms merge: "på lördag" + "kväll",
   "imorgon" + "10", "kl. 19:30" + "Lör" + "20 sep";
3. intervals and open intervals: "mellan 9 och 11", "13-15 juli", "från 9:30 till 11:00",
   "efter kl. 14", "före kl. 11", "efter 9:30 men före 11:00";
4. a day next to an interval applies to both ends: "torsdag från 9 till 11";
5. weak atoms that found no company are dropped (see `atoms`).
"""

from __future__ import annotations

from dataclasses import replace

from pipelines.dates import lexicon as L
from pipelines.dates.nodes import (
    Calendar,
    Clock,
    Duration,
    Interval,
    Moment,
    Node,
    Now,
    Num,
    Open,
    PointNode,
    RelDay,
    Shift,
    Span,
    Within,
)
from pipelines.dates.scanner import Piece
from pipelines.dates.tokens import Token

#: Raw tokens allowed between a day and a time that belong together.
_JOINERS = frozenset({",", "på", "vid", "den", "@"})
#: Words that make a weak atom count: "i mars", "år 2014", "den 3/5", "till 15/2".
_CONTEXT = frozenset({
    "i", "på", "den", "till", "från", "sedan", "före", "efter", "innan", "mellan", "tills",
    "under", "år", "året", "kl", "klockan", "vid", "senast", "om", "datum", "datumet", "dag",
    "dagen", "tid", "tiden", "och", "eller", "nästa", "förra", "inför", "start", "slut", "kring",
})  # fmt: skip
_SOFTENERS = L.APPROX_WORDS | {"."}
_EVERY = frozenset({"varje", "varannan", "var", "alla"})
_TO = frozenset({"till", "tills", "-", "–", "—", "t.o.m"})
_BEFORE = frozenset({"före", "innan", "tills", "senast"})
#: Nodes that are no date on their own (tuples: isinstance on a union type is slow).
_NO_DATE = (Duration, Num)
_NOT_POINTS = (Duration, Num, Interval, Open, Span, Within)
_INTERVAL_WORDS = frozenset({"mellan", "från", "efter", "fram"}) | _BEFORE
_SPAN_NEXT = frozenset({"nästa", "kommande", "närmaste", "närmsta", "följande"})
_SPAN_PREV = frozenset({"senaste", "sista", "förra", "föregående", "gångna"})


def compose(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    """The final expressions: pieces whose node is a date, time or interval."""
    if all(p.node is None for p in pieces):
        return []
    pieces = _direct_durations(pieces, toks)
    pieces = _merge_moments(pieces, toks)
    pieces = _intervals(pieces, toks)
    pieces = _attach_days(pieces, toks)
    return _keep(pieces, toks)


def _raw(p: Piece | None, toks: list[Token]) -> str:
    return toks[p.i].text if p is not None and p.node is None else ""


def _at(pieces: list[Piece], k: int) -> Piece | None:
    return pieces[k] if 0 <= k < len(pieces) else None


# ------------------------------------------------------------------ 1. durations


def _direct_durations(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    out: list[Piece] = []
    k = 0
    while k < len(pieces):
        p = pieces[k]
        if not isinstance(p.node, Duration):
            out.append(p)
            k += 1
            continue
        dur = p.node
        # look back over softeners ("om ca. en halv timme")
        back = len(out) - 1
        while back >= 0 and _raw(out[back], toks) in _SOFTENERS:
            back -= 1
        before = _raw(out[back], toks) if back >= 0 else ""
        before2 = _raw(out[back - 1], toks) if back >= 1 else ""
        after = _raw(_at(pieces, k + 1), toks)
        node: Node | None = None
        start, end = p.i, p.j
        consumed_after = 0
        if after in ("sedan", "sen", "tillbaka"):
            node, consumed_after = Shift(dur, -1), 1
            if before == "för":
                start = out[back].i
                del out[back:]
        elif after == "från" and isinstance(_node(_at(pieces, k + 2)), Now):
            node, consumed_after = Shift(dur, 1), 2
        elif before in ("om", "inom", "efter") or before in _SPAN_NEXT or before in _SPAN_PREV:
            start = out[back].i
            if before == "om":
                node = Shift(dur, 1)
            elif before == "inom":
                node = Within(dur)
            elif before == "efter":
                node = Open(Shift(dur, 1), after=True)
            elif len(dur.parts) == 1:
                node = Span(dur, 1 if before in _SPAN_NEXT else -1)
                if before2 in ("de", "den", "det"):
                    start = out[back - 1].i
                    back -= 1
            if node is not None:
                del out[back:]
        if node is None:
            out.append(p)
            k += 1
            continue
        if consumed_after:
            end = pieces[k + consumed_after].j
        out.append(Piece(start, end, node, False))
        k += 1 + consumed_after
    return out


def _node(p: Piece | None) -> Node | None:
    return p.node if p is not None else None


# ------------------------------------------------------------------ 2. moments


def _merge_two(a: Node, b: Node, adjacent: bool) -> Node | None:
    if isinstance(a, Moment) and isinstance(b, Moment):
        return a.merge(b)
    if isinstance(a, Shift) and isinstance(b, Moment):
        a, b = b, a
    if isinstance(a, Moment) and isinstance(b, Shift) and a.day is None and a.clock is not None:
        days = _whole_days(b)  # "om två dagar kl 10"
        return None if days is None else Moment(RelDay(days), a.clock, a.part)
    if (
        isinstance(a, Moment)
        and isinstance(b, Num)
        and adjacent
        and a.day is not None
        and a.clock is None
        and 0 <= b.value <= 24
    ):  # "imorgon 10"
        return replace(a, clock=Clock(b.value % 24, twelve_hour=b.is_word and b.value <= 12))
    return None


def _whole_days(shift: Shift) -> int | None:
    total = 0
    for grain, n in shift.duration.parts:
        if grain not in ("day", "week"):
            return None
        total += n * (7 if grain == "week" else 1)
    return total * shift.sign


def _merge_moments(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    out: list[Piece] = []
    for p in pieces:
        if p.node is not None and out:
            back = len(out) - 1
            while back >= 0 and out[back].node is None and _raw(out[back], toks) in _JOINERS:
                back -= 1
            prev = out[back] if back >= 0 else None
            if prev is not None and prev.node is not None:
                merged = _merge_two(prev.node, p.node, adjacent=back == len(out) - 1)
                if merged is not None:
                    del out[back:]
                    out.append(Piece(prev.i, p.j, merged, prev.weak and p.weak))
                    continue
        out.append(p)
    return out


# ------------------------------------------------------------------ 3. intervals


def _interval(a: Node | None, b: Node | None) -> tuple[Node, bool] | None:
    """Interval of two atoms, bare numbers taking the kind of the other end."""
    if a is None or b is None:
        return None
    weak = False
    if isinstance(a, Num) and isinstance(b, Num):
        if not (0 <= a.value <= 24 and 0 <= b.value <= 24):
            return None
        a, b = _hour(a, None), _hour(b, None)
        weak = True
    elif isinstance(a, Num) and isinstance(b, Moment):
        a = _num_like(a, b)
    elif isinstance(b, Num) and isinstance(a, Moment):
        b = _num_like(b, a)
    if a is None or b is None or isinstance(a, Num) or isinstance(b, Num):
        return None
    if not _is_point(a) or not _is_point(b):
        return None
    if isinstance(a, Moment) and isinstance(b, Moment):
        if (a.clock is None) != (b.clock is None) and not (a.part or b.part):
            return None  # "imorgon till kl 18" names one moment, see _day_to_clock
        if a.day is None and b.day is not None:
            a = replace(a, day=b.day)
        elif b.day is None and a.day is not None and a.clock is not None:
            b = replace(b, day=a.day)
    return Interval(a, b), weak  # type: ignore[arg-type]


def _day_to_clock(a: Node | None, b: Node | None) -> Moment | None:
    """A day, then the time it moves to: one moment ("imorgon till kl 18")."""
    if (
        isinstance(a, Moment)
        and isinstance(b, Moment)
        and a.day is not None
        and a.clock is None
        and b.day is None
        and b.clock is not None
    ):
        return Moment(a.day, b.clock, a.part or b.part)
    return None


def _is_point(n: Node) -> bool:
    return not isinstance(n, _NOT_POINTS)


def _hour(n: Num, like: Moment | None) -> Moment | None:
    if not 0 <= n.value <= 24:
        return None
    day = like.day if like is not None else None
    return Moment(day, Clock(n.value % 24, twelve_hour=n.is_word and 1 <= n.value <= 12))


def _num_like(n: Num, other: Moment) -> Moment | None:
    """A bare number takes the other end's kind: "13-15 juli" (day), "9 - 11:00" (hour)."""
    if other.clock is not None:
        return _hour(n, other)
    d = other.day
    if (
        isinstance(d, Calendar)
        and d.month is not None
        and d.day is not None
        and 1 <= n.value <= 31
        and not n.is_word
    ):
        return Moment(replace(d, day=n.value, weekday=None))
    return None


def _intervals(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    out: list[Piece] = []
    k = 0
    while k < len(pieces):
        p = pieces[k]
        w = _raw(p, toks)
        if p.node is None and w not in _INTERVAL_WORDS:
            out.append(p)
            k += 1
            continue
        built: tuple[int, Node, bool, int] | None = None  # (end piece, node, weak, start token)
        n1, n2, n3, n4 = (_at(pieces, k + d) for d in (1, 2, 3, 4))
        if w == "mellan" and _raw(n2, toks) == "och":
            r = _interval(_node(n1), _node(n3))
            if r is not None and n3 is not None:
                built = (k + 3, r[0], r[1], p.i)
        elif w == "från" and _raw(n2, toks) in _TO:
            r = _interval(_node(n1), _node(n3))
            if r is not None:
                built = (k + 3, r[0], r[1], p.i)
        elif w == "efter" and n1 is not None and n1.node is not None:
            if _raw(n2, toks) == "men" and _raw(n3, toks) in ("före", "innan"):
                r = _interval(n1.node, _node(n4))
                if r is not None:
                    built = (k + 4, r[0], r[1], p.i)
            if built is None and _is_point(n1.node):
                built = (k + 1, Open(n1.node, after=True), False, p.i)  # type: ignore[arg-type]
        elif w in _BEFORE and n1 is not None and n1.node is not None and _is_point(n1.node):
            built = (k + 1, Open(n1.node, after=False), False, p.i)  # type: ignore[arg-type]
        elif w == "fram" and _raw(n1, toks) == "till" and n2 is not None and n2.node is not None:
            if _is_point(n2.node):
                built = (k + 2, Open(n2.node, after=False), False, p.i)  # type: ignore[arg-type]
        elif p.node is not None and _raw(n1, toks) in _TO and _glue_ok(p, n1, n2, toks, out):
            r = _interval(p.node, _node(n2))
            if r is not None:
                weak = r[1] or (p.weak and n2 is not None and n2.weak)
                built = (k + 2, r[0], weak, p.i)
            else:
                moment = _day_to_clock(p.node, _node(n2))
                if moment is not None:
                    built = (k + 2, moment, False, p.i)
        if built is None:
            out.append(p)
            k += 1
            continue
        end_k, node, weak, start_tok = built
        out.append(Piece(start_tok, pieces[end_k].j, node, weak))
        k = end_k + 1
    return out


def _glue_ok(
    p: Piece, sep: Piece | None, q: Piece | None, toks: list[Token], done: list[Piece]
) -> bool:
    """Ranges: "13-15 juli" and "9:30 - 11:00" are; between bare numbers ("9-11") only after
    "kl" or a day ("imorgon 9-11"), since "5 - 3" is usually no time."""
    if sep is None or q is None or q.node is None:
        return False
    if isinstance(p.node, Num) and isinstance(q.node, Num):
        if p.i > 0 and toks[p.i - 1].text in ("kl", "klockan"):
            return True
        prev = done[-1] if done else None
        return (
            prev is not None
            and prev.j == p.i
            and isinstance(prev.node, Moment)
            and prev.node.day is not None
            and prev.node.clock is None
        )
    return True


# ------------------------------------------------------------------ 4. days on intervals


def _with_day(node: Node, day: Moment) -> Node | None:
    def put(x: PointNode | Shift) -> PointNode | Shift | None:
        if isinstance(x, Moment) and x.day is None and x.clock is not None:
            return Moment(day.day, x.clock, x.part or day.part)
        if isinstance(x, Moment) and x.day is not None:
            return x
        return None

    if isinstance(node, Interval):
        a, b = put(node.start), put(node.end)
        if a is None or b is None or (a is node.start and b is node.end):
            return None
        return Interval(a, b)
    if isinstance(node, Open):
        c = put(node.bound)
        if c is None or c is node.bound:
            return None
        return Open(c, node.after)
    return None


def _day_only(n: Node | None) -> bool:
    return isinstance(n, Moment) and n.day is not None and n.clock is None


def _attach_days(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    out: list[Piece] = []
    for p in pieces:
        if p.node is not None and out:
            back = len(out) - 1
            while back >= 0 and out[back].node is None and _raw(out[back], toks) in (",", "på"):
                back -= 1
            if back >= 0:
                prev = out[back]
                merged: Node | None = None
                if _day_only(prev.node):
                    merged = _with_day(p.node, prev.node)  # type: ignore[arg-type]
                elif _day_only(p.node) and prev.node is not None:
                    merged = _with_day(prev.node, p.node)  # type: ignore[arg-type]
                if merged is not None:
                    del out[back:]
                    out.append(Piece(prev.i, p.j, merged, False))
                    continue
        out.append(p)
    return out


# ------------------------------------------------------------------ 5. weak atoms


def _keep(pieces: list[Piece], toks: list[Token]) -> list[Piece]:
    kept: list[Piece] = []
    for k, p in enumerate(pieces):
        if p.node is None or isinstance(p.node, _NO_DATE):
            continue
        if p.weak and not _justified(pieces, k, toks):
            continue
        if _raw(_at(pieces, k - 1), toks) in _EVERY:
            continue  # "varje måndag" recurs: no single date
        kept.append(p)
    return kept


def _justified(pieces: list[Piece], k: int, toks: list[Token]) -> bool:
    """A weak atom counts after a context word, at the end of a "mellan 9 och 11", or alone."""
    p = pieces[k]
    if isinstance(p.node, Now):
        return _alone(pieces, k, toks)
    if isinstance(p.node, Interval):
        after = _at(pieces, k + 1)
        return after is None or not (toks[after.i].is_word or toks[after.i].is_num)
    return _raw(_at(pieces, k - 1), toks) in _CONTEXT or _alone(pieces, k, toks)


def _alone(pieces: list[Piece], k: int, toks: list[Token]) -> bool:
    for q_index, q in enumerate(pieces):
        if q_index != k and (q.node is not None or toks[q.i].is_word or toks[q.i].is_num):
            return False
    return True
