"""The assistant's own name where it is somebody else's: "ring upp Alice", "sms till Alice".

Users address the assistant by name in most requests ("Alice, tänd lampan", "tack Alice"),
so the name is on the masker's allow-list and never masked there. But the same name is a
common Swedish first name: after a verb of contacting or a preposition that takes a person
("ring", "sms:a", "mejla", "till", "med", "åt", "från") it is a contact, and that is personal
data. This recognizer reports exactly those occurrences; the engine lets its results through
the allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pipelines.pii.recognizers_base import Span, ValidatedPatternRecognizer

RECOGNIZER_NAME = "AssistantNameAsContact"
# Words after which a name is the one being contacted or met, not the one being addressed.
CONTACT_CUES = (
    r"ring(?:a|er)?(?:\s+upp)?", r"sl[åa]\s+en\s+signal\s+till", r"sms(?::?a)?", r"messa",
    r"mejla", r"maila", r"meddela", r"kontakta", r"svara", r"p[åa]minn", r"bjud\s+in",
    r"till", r"med", r"[åa]t", r"fr[åa]n", r"hos",
)  # fmt: skip
SCORE = 0.85


def assistant_names(allow_list: Sequence[str]) -> set[str]:
    """The allow-list entries that are names (one word of letters), not e-mail or numbers."""
    return {w.strip() for w in allow_list if _NAME.fullmatch(w.strip())}


_NAME = re.compile(r"[^\W\d_]+")


class AssistantNameRecognizer(ValidatedPatternRecognizer):
    """PERSON for an allow-listed name in a contact position (and its genitive)."""

    entity = "PERSON"

    def __init__(self, names: Sequence[str]) -> None:
        words = sorted(assistant_names(names), key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words) or r"(?!x)x"
        cue = "|".join(CONTACT_CUES)
        pattern = rf"\b(?:{cue})\s+(?P<name>(?:{alternatives})s?)\b"
        self.trigger = re.compile(pattern, re.IGNORECASE)
        self.gate = f"(?i:{alternatives})"
        super().__init__([("assistant name as contact", pattern, SCORE)], flags=re.IGNORECASE,
                         name=RECOGNIZER_NAME)  # fmt: skip

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        yield match.start("name"), match.end("name"), score
