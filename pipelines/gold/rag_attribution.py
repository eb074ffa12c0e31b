"""Which document an answer was built from: the evidence a RAG positive needs.

A retrieval's top hit is not evidence: in the demo telemetry 15% of knowledge turns rank the
right page second or miss it, and a thumbs up rates the answer, not the ranking. The answer
itself is evidence: an answer grounded in a page repeats that page's content words. So each
document is scored by the share of the answer's content words it contains, and a document is
*the* source only when it covers most of the answer and clearly more than any other
(``MIN_COVERAGE``, ``MIN_MARGIN``). Everything here is pure: texts in, a decision out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_COVERAGE = 0.5
"""The source must contain at least this share of the answer's content words."""
MIN_MARGIN = 0.2
"""… and this much more than the runner-up, or the answer is not attributed."""

_WORD = re.compile(r"[^\W\d_]{3,}")
# Function words carry no topic: they would make every page cover every answer a little.
_STOP = frozenset(
    {
        "och", "att", "det", "som", "för", "med", "på", "till", "är", "av", "den", "har", "inte",
        "jag", "du", "kan", "ett", "men", "om", "han", "hon", "vi", "ni", "de", "sig", "vad",
        "när", "var", "här", "där", "så", "nu", "alla", "allt", "eller", "från", "hos", "efter",
        "under", "över", "utan", "mot", "ska", "skulle", "vill", "bara", "också", "även", "sedan",
        "sen", "mer", "mycket", "få", "man", "din", "ditt", "dina", "min", "mitt", "mina", "vår",
        "era", "deras", "dem", "hur", "vem", "vilken", "vilket", "vilka", "något", "någon",
        "några", "inga", "ingen",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Attribution:
    doc_id: str | None  # None: no document is clearly the source
    coverage: float  # share of the answer's content words in doc_id (or the best document)
    runner_up: float  # the same for the second-best document


def content_words(text: str) -> frozenset[str]:
    """Lower-cased words of three letters or more, function words removed."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def attribute(answer: str, docs: dict[str, frozenset[str]]) -> Attribution:
    """The document ``answer`` was built from, if one clearly stands out.

    ``docs`` maps document id → its ``content_words``."""
    words = content_words(answer)
    if len(words) < 3 or not docs:
        return Attribution(None, 0.0, 0.0)
    scored = sorted(
        ((len(words & doc_words) / len(words), doc_id) for doc_id, doc_words in docs.items()),
        key=lambda x: (-x[0], x[1]),
    )
    best, doc_id = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if best >= MIN_COVERAGE and best - second >= MIN_MARGIN:
        return Attribution(doc_id, best, second)
    return Attribution(None, best, second)
