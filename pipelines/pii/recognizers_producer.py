"""Placeholders the assistant's producers already wrote: ``<EMAIL>``, ``<PHONE>``,
``<PERSONNUMMER>`` and ``<FULLNAME>``.

``log_event`` masks ``input.text`` with four regexes before the line is written. What it
replaced is a masked entity, not text: it is reported with kvarn's type (``<FULLNAME>`` is a
PERSON), it wins over anything overlapping it (a name model tagging the word "FULLNAME"),
and it is never given a surrogate, because the value behind it is unknown — a fake name
would pretend to a consistency nobody can check. kvarn's own recognizers still run on the
rest of the text: the producer's regexes miss most personal data.
"""

from __future__ import annotations

import re

from pipelines.pii.recognizers_base import ValidatedPatternRecognizer

# Producer placeholder → kvarn entity type.
PRODUCER_PLACEHOLDERS: dict[str, str] = {
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "PERSONNUMMER": "PERSONNUMMER",
    "FULLNAME": "PERSON",
}
PRODUCER_MASK = re.compile("<(?:" + "|".join(PRODUCER_PLACEHOLDERS) + ")>")
# Scores at or above VALIDATED_SCORE (0.99) make a span win overlaps on type.
_SCORE = 1.0


def has_producer_mask(text: str) -> bool:
    """Whether ``text`` holds a placeholder written by the producer."""
    return "<" in text and PRODUCER_MASK.search(text) is not None


class ProducerMaskRecognizer(ValidatedPatternRecognizer):
    """One producer placeholder as an entity of its kvarn type."""

    gate = r"<[A-Z]"

    def __init__(self, placeholder: str) -> None:
        self.entity = PRODUCER_PLACEHOLDERS[placeholder]
        pattern = re.escape(f"<{placeholder}>")
        self.trigger = re.compile(pattern)
        super().__init__([(f"producer_{placeholder.lower()}", pattern, _SCORE)],
                         name=f"Producer{placeholder.title()}Placeholder")  # fmt: skip


def build_producer_mask_recognizers() -> list[ProducerMaskRecognizer]:
    return [ProducerMaskRecognizer(name) for name in PRODUCER_PLACEHOLDERS]
