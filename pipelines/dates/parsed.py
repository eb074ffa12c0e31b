"""The anchor-independent half of date finding, parsed once per distinct text per process.

What a text *says* ("imorgon kl 10" is a relative day plus a clock time, at characters 0–13)
depends on the text alone; what it *means* depends on the event's own time and zone, so only
the first half is cached (``TextCache``, memory-capped, never written anywhere). Resolution
against the reference instant runs on every call, so relative dates stay exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.dates.atoms import scan_atoms
from pipelines.dates.compose import compose
from pipelines.dates.cue import has_temporal_cue
from pipelines.dates.nodes import Node
from pipelines.dates.tokens import tokenize
from pipelines.io.text_cache import TextCache

# Most texts parse to nothing; a text with expressions holds a few small frozen nodes.
PARSE_CACHE_BYTES = 32 * 1024 * 1024

# Wake-up requests put a spoken 12-hour time in the morning ("väck mig halv sju").
_WAKE = re.compile(r"\b(?:väck|väcka|väckning|väckarklocka|alarm|larm)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedText:
    """The expressions of one text before resolution: (start, end, node) each, in order."""

    spans: tuple[tuple[int, int, Node], ...]
    wake: bool = False


NOTHING = ParsedText(())
_parsed: TextCache[ParsedText] = TextCache(PARSE_CACHE_BYTES, lambda p: 64 + 200 * len(p.spans))


def parse_uncued(text: str) -> ParsedText:
    """Tokenize and compose ``text`` (no cheap pre-check, no cache)."""
    toks = tokenize(text)
    pieces = compose(scan_atoms(toks), toks)
    spans = []
    for p in pieces:
        assert p.node is not None
        spans.append((toks[p.i].start, toks[p.j - 1].end, p.node))
    if not spans:
        return NOTHING
    return ParsedText(tuple(spans), _WAKE.search(text) is not None)


def parse_text(text: str) -> ParsedText:
    """``parse_uncued`` behind the temporal-cue pre-check, once per distinct text."""
    cached = _parsed.get(text)
    if cached is not None:
        return cached
    parsed = parse_uncued(text) if has_temporal_cue(text) else NOTHING
    _parsed.put(text, parsed)
    return parsed


def parse_cache() -> TextCache[ParsedText]:
    """The process's parse cache (for benchmarks and tests reading hit rates)."""
    return _parsed
