"""The audit's rule for structured fields: a person key must not hold a readable name.

Free text can only be judged by patterns, so names there are report-only residues. A value
under a key that *means* a person (``"to"``, ``"contact"``, ``"attendees"``) is different: after
masking it is a placeholder, a surrogate, or a word that names no one ("mamma", "teamet").
Anything else that reads as a name is a leak and blocks. The judgement is the audit's own —
capitalised words, or a word on the Swedish name lists — not the masker's code path.

Surrogate renderings hold fake names by design: there a value made only of surrogate-pool
names passes (a real name that is also a pool name can only be caught in the placeholder
rendering, which every table and placeholder-mode export also holds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from pipelines.pii.person_fields import PERSON_KEYS
from pipelines.pii.persons_lexicon import load_lexicon
from pipelines.pii.surrogates import FIRST_NAMES, SURNAMES

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
MAX_WORDS = 4
MAX_CHARS = 60


@cache
def _pool() -> frozenset[str]:
    return frozenset(w.casefold() for w in (*FIRST_NAMES, *SURNAMES))


def person_key(key: str) -> bool:
    return key.casefold().replace("-", "_") in PERSON_KEYS


def name_like(value: str, surrogate: bool = False) -> bool:
    """Whether a value found under a person key reads as somebody's name."""
    text = _PLACEHOLDER.sub(" ", value).strip()
    if not text or len(text) > MAX_CHARS or any(c.isdigit() or c == "@" for c in text):
        return False
    words = _WORD.findall(text)
    if not 1 <= len(words) <= MAX_WORDS:
        return False
    folded = [w.casefold() for w in words]
    if surrogate and all(w in _pool() for w in folded):
        return False
    lexicon = load_lexicon()
    if all(w in lexicon.relationship_words for w in folded):
        return False
    if any(lexicon.is_first_name(w) for w in folded if w not in lexicon.relationship_words):
        return True
    if " ".join(folded) in lexicon.non_name_phrases:  # a place or an organisation
        return False
    capitalised = any(w[0].isupper() for w in words)
    return capitalised or any(lexicon.is_known_name(w) for w in folded)


def person_field_values(
    value: Any, path: str = "", key: str | None = None
) -> Iterator[tuple[str, str]]:
    """(json path, value) of every string under a person key, JSON documents held in
    strings (a tool's arguments in an export) opened too."""
    if isinstance(value, str):
        stripped = value.lstrip()
        if stripped[:1] in ("{", "[") and len(stripped) > 1:
            try:
                inner = json.loads(value)
            except ValueError:
                inner = None
            if isinstance(inner, dict | list):
                yield from person_field_values(inner, path, key)
                return
        if key is not None and person_key(key):
            yield path, value
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from person_field_values(item, f"{path}.{k}", str(k))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from person_field_values(item, f"{path}[{index}]", key)
