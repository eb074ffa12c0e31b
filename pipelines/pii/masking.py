"""Masking on top of detection: ``<TYPE>`` placeholders or consistent surrogates.

This is what silver calls for every text-bearing field (utterances, slot values, tool
arguments, RAG queries, outputs, stack traces, feedback). ``mask_json`` walks nested
tool arguments; long integers are checked too, because a phone number or personnummer
passed as a JSON number is still personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from pipelines.pii.engine import PiiAnalyzer
from pipelines.pii.entities import Entity
from pipelines.pii.person_fields import person_field_entities
from pipelines.pii.recognizers_producer import has_producer_mask
from pipelines.pii.surrogates import SurrogateMap

MASK_MODES = ("placeholder", "surrogate")
# Integers with at least this many digits are checked as text (shorter ones are counts).
_MIN_PII_INT_DIGITS = 6


def render(
    text: str, entities: Sequence[Entity], mode: str, surrogates: SurrogateMap | None
) -> str:
    """Replace each entity in ``text`` by its placeholder or its surrogate (a span holding a
    producer's placeholder keeps a placeholder: its value is unknown)."""
    if not entities:
        return text
    if mode not in MASK_MODES:
        raise ValueError(f"unknown mask mode {mode!r}; expected one of {MASK_MODES}")
    if mode == "surrogate" and surrogates is None:
        surrogates = SurrogateMap()
    parts: list[str] = []
    cursor = 0
    for entity in entities:
        parts.append(text[cursor : entity.start])
        raw = text[entity.start : entity.end]
        if surrogates is not None and mode == "surrogate" and not has_producer_mask(raw):
            parts.append(surrogates.fake(entity.type, raw))
        else:
            parts.append(f"<{entity.type}>")
        cursor = entity.end
    parts.append(text[cursor:])
    return "".join(parts)


class PiiMasker(PiiAnalyzer):
    """Detect and mask Swedish PII; see ``PiiAnalyzer`` for detection and the fast path."""

    def mask(
        self, text: str, mode: str = "placeholder", surrogates: SurrogateMap | None = None
    ) -> tuple[str, list[Entity]]:
        """(masked text, entities with offsets into the *input* text)."""
        _check_mode(mode)
        entities = self.analyze(text)
        return render(text, entities, mode, surrogates), entities

    def mask_many(
        self,
        texts: Sequence[str | None],
        mode: str = "placeholder",
        surrogates: SurrogateMap | None = None,
    ) -> list[tuple[str | None, list[Entity]]]:
        """Batch ``mask``; one shared ``surrogates`` map keeps a conversation coherent."""
        _check_mode(mode)
        if mode == "surrogate" and surrogates is None:
            surrogates = SurrogateMap()
        out: list[tuple[str | None, list[Entity]]] = []
        for text, entities in zip(texts, self.analyze_many(texts), strict=True):
            if text is None:
                out.append((None, []))
            else:
                out.append((render(text, entities, mode, surrogates), entities))
        return out

    def mask_json(
        self, value: Any, mode: str = "placeholder", surrogates: SurrogateMap | None = None
    ) -> Any:
        """A copy of ``value`` with every string (and long integer) masked; keys untouched.

        All strings of the document are analysed as one batch (``analyze_many``).
        """
        _check_mode(mode)
        if mode == "surrogate" and surrogates is None:
            surrogates = SurrogateMap()
        return self._rebuild(value, self.analyze_json([value]), mode, surrogates)

    def analyze_json(self, values: Iterable[Any]) -> dict[str, list[Entity]]:
        """Entities of every string inside ``values``, analysed as one batch.

        For callers that mask many JSON documents (a table's slot values repeat a lot) and
        render each more than once; pair with ``render_json``."""
        strings: list[str] = []
        for value in values:
            _collect_strings(value, strings)
        return dict(zip(strings, self.analyze_many(strings), strict=True))

    def render_json(
        self,
        value: Any,
        found: dict[str, list[Entity]],
        mode: str = "placeholder",
        surrogates: SurrogateMap | None = None,
    ) -> Any:
        """A copy of ``value`` with its strings rendered from ``found`` (``analyze_json`` of
        a batch that held ``value``) and long integers masked; keys untouched."""
        _check_mode(mode)
        return self._rebuild(value, found, mode, surrogates)

    def render_json_both(
        self, value: Any, found: dict[str, list[Entity]], surrogates: SurrogateMap
    ) -> tuple[Any, Any]:
        """``(render_json(value, found), render_json(value, found, "surrogate", surrogates))``
        in one walk. Where a subtree holds nothing to mask both renderings are the very same
        object, so a caller can serialise it once (``first is second``).

        Surrogates are drawn in the order the two-walk form draws them: only the surrogate
        walk draws, strings and integers in document order."""
        return self._rebuild_both(value, found, surrogates, None)

    def _rebuild_both(
        self, value: Any, found: dict[str, list[Entity]], surrogates: SurrogateMap, key: object
    ) -> tuple[Any, Any]:
        if isinstance(value, str):
            entities = person_field_entities(key, value, found[value])
            if not entities:
                return value, value
            return (render(value, entities, "placeholder", None),
                    render(value, entities, "surrogate", surrogates))  # fmt: skip
        if isinstance(value, dict):
            plain: dict[Any, Any] = {}
            fake: dict[Any, Any] = {}
            same = True
            for k, v in value.items():
                plain[k], fake[k] = self._rebuild_both(v, found, surrogates, k)
                same = same and plain[k] is fake[k]
            return (plain, plain) if same else (plain, fake)
        if isinstance(value, list | tuple):
            pairs = [self._rebuild_both(v, found, surrogates, key) for v in value]
            plain_items = [p for p, _ in pairs]
            if all(p is f for p, f in pairs):
                return plain_items, plain_items
            return plain_items, [f for _, f in pairs]
        if isinstance(value, int) and not isinstance(value, bool):
            masked = self._mask_int(value, "placeholder", None)
            if masked is value:
                return value, value
            return masked, self._mask_int(value, "surrogate", surrogates)
        return value, value

    def _rebuild(
        self,
        value: Any,
        found: dict[str, list[Entity]],
        mode: str,
        surrogates: SurrogateMap | None,
        key: object = None,
    ) -> Any:
        """``key`` is the nearest dict key above ``value`` (a list inherits its key), so a
        bare name under ``"to"`` or ``"attendees"`` is masked as the person it is."""
        if isinstance(value, str):
            entities = person_field_entities(key, value, found[value])
            return render(value, entities, mode, surrogates)
        if isinstance(value, dict):
            return {k: self._rebuild(v, found, mode, surrogates, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._rebuild(v, found, mode, surrogates, key) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            return self._mask_int(value, mode, surrogates)
        return value

    def _mask_int(self, value: int, mode: str, surrogates: SurrogateMap | None) -> Any:
        """An integer that reads as PII (also once its lost "+" or "0" is restored)."""
        digits = str(value)
        if value < 0 or len(digits) < _MIN_PII_INT_DIGITS:
            return value
        candidates = [digits]
        if digits.startswith("46"):
            candidates.append("+" + digits)
        if len(digits) == 9 and digits[0] == "7":
            candidates.append("0" + digits)
        for candidate in candidates:
            entities = self.analyze(candidate)
            if len(entities) == 1 and entities[0].end - entities[0].start == len(candidate):
                return render(candidate, entities, mode, surrogates)
        return value


def _collect_strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_strings(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_strings(item, out)


def _check_mode(mode: str) -> None:
    if mode not in MASK_MODES:
        raise ValueError(f"unknown mask mode {mode!r}; expected one of {MASK_MODES}")


@lru_cache(maxsize=8)
def _cached_masker(allow_list: tuple[str, ...], use_person_model: bool) -> PiiMasker:
    return PiiMasker(allow_list=allow_list, use_person_model=use_person_model)


def get_masker(allow_list: Sequence[str] = ("Alice",), use_person_model: bool = True) -> PiiMasker:
    """Process-wide masker per configuration: building presidio and the model is slow."""
    return _cached_masker(tuple(allow_list), use_person_model)
