"""A presidio PatternRecognizer that validates each match with code, plus shared checksums.

presidio's PatternRecognizer only hands ``validate_result`` the matched text. Swedish
identifiers need more: the surroundings (a dash before a number means it is a date
part), named groups (century, separator) and the option to shorten a greedy match to
its longest valid prefix ("070-123 45 67 10 gånger"). Subclasses implement ``spans``;
everything else (result objects, de-duplication) stays presidio's.

Each recognizer also carries a ``trigger``: a cheap regex that matches every text the
recognizer could possibly fire on, and a ``gate``, an even cheaper necessary condition of
the trigger (usually "has a digit"). The engine's fast path uses them to skip presidio
for texts that cannot contain the entity, so both must be necessary conditions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

Span = tuple[int, int, float]


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check over a digit string, check digit last."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_mod97_ok(compact: str) -> bool:
    """ISO 13616 check: move the first four characters last, letters to numbers, mod 97."""
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


SEPARATED_GROUP = re.compile(r"[\s\-–]+")


def group_prefixes(text: str, start: int) -> Iterator[tuple[int, str]]:
    """Yield (end offset, raw prefix) for ``text`` cut at each separator, longest first.

    Used to shorten a greedy numeric match to its longest valid prefix.
    """
    cuts = [m.start() for m in SEPARATED_GROUP.finditer(text)]
    yield start + len(text), text
    for cut in reversed(cuts):
        if cut > 0:
            yield start + cut, text[:cut]


class ValidatedPatternRecognizer(PatternRecognizer):
    """PatternRecognizer whose matches pass through ``spans`` (match + full text)."""

    entity: str = ""
    trigger: re.Pattern[str] = re.compile(r"(?!x)x")
    # A regex for a necessary condition of ``trigger`` that is cheaper still (the engine
    # ORs all gates into one first check per text). Most recognizers need a digit.
    gate: str = r"\d"

    def __init__(
        self,
        patterns: Sequence[tuple[str, str, float]],
        flags: int = 0,
        name: str | None = None,
    ) -> None:
        presidio_patterns = [Pattern(name=n, regex=rx, score=s) for n, rx, s in patterns]
        self._label: str = name or type(self).__name__
        super().__init__(
            supported_entity=self.entity,
            name=self._label,
            supported_language="sv",
            patterns=presidio_patterns,
            global_regex_flags=flags,
        )
        self._compiled = [(re.compile(rx, flags), s) for _, rx, s in patterns]

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        """Yield accepted (start, end, score) for one regex match; default: the match."""
        yield match.start(), match.end(), score

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: Any = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: self._label,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }
        for compiled, score in self._compiled:
            for match in compiled.finditer(text):
                for start, end, span_score in self.spans(match, text, score):
                    if end > start and span_score > 0:
                        results.append(
                            RecognizerResult(
                                entity_type=self.entity,
                                start=start,
                                end=end,
                                score=span_score,
                                recognition_metadata=dict(metadata),
                            )
                        )
        return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results
