"""Canonical event hashing, and verification of the hash the producer wrote.

kvarn's own hash identifies an event independently of how it was transported: keys are
sorted, separators fixed, and transport-only fields (the producer's own ``hash`` and
``delivery`` details such as the retry attempt) are left out, so a re-delivered line hashes
the same. It is what exact deduplication keys on.

The producer's hash (``log_event``: ``"sha256:"`` + SHA-256 of ``json.dumps(event,
sort_keys=True, ensure_ascii=False)`` without ``hash``, after its masking) is only checked:
``hash_ok`` tells whether the line is still what the producer wrote. It is never trusted as a
key, because a producer computes it over whatever it was handed, ``delivery`` included.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

TRANSPORT_FIELDS: frozenset[str] = frozenset({"hash", "delivery"})


def canonical_json(event: dict[str, Any]) -> str:
    """Stable JSON text of an event without its transport-only fields."""
    core = {k: v for k, v in event.items() if k not in TRANSPORT_FIELDS}
    return json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(text: str) -> str:
    # A JSON "\ud800" escape decodes to a lone surrogate, which plain UTF-8 cannot encode;
    # surrogatepass keeps such a line hashable instead of failing its whole hour.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON of an event."""
    return _digest(canonical_json(event))


PRODUCER_PREFIX = "sha256:"
_HEX64 = frozenset("0123456789abcdef")


def producer_digest(event: dict[str, Any], canonical: str | None = None) -> str:
    """The hex digest ``log_event`` computes: every field but ``hash``, sorted keys, the
    default separators, non-ASCII kept.

    ``canonical`` (``canonical_json(event)``, when the caller has it) saves the second
    serialisation where it holds the same text with other separators (see ``_spaced``)."""
    if canonical is not None and "delivery" not in event:
        spaced = _spaced(canonical)
        if spaced is not None:
            return _digest(spaced)
    body = {k: v for k, v in event.items() if k != "hash"}
    return _digest(json.dumps(body, sort_keys=True, ensure_ascii=False))


def _spaced(compact: str) -> str | None:
    """``compact`` (``json.dumps`` with ``(",", ":")``) as the default separators write it, or
    None where that cannot be done by splitting on quotes.

    Without a backslash in the text every ``"`` opens or closes a string (``json.dumps``
    escapes a quote inside one), so the even pieces of a split on ``"`` are what lies between
    strings: brackets, separators and literals, none of which holds a comma or colon of its own.
    Only those pieces get the spaces."""
    if "\\" in compact:
        return None
    pieces = compact.split('"')
    # The between-strings pieces spaced in one go: joined on NUL, which json.dumps escapes
    # inside a string (so it cannot be there without a backslash) and never writes outside one.
    between = "\0".join(pieces[::2]).replace(",", ", ").replace(":", ": ")
    pieces[::2] = between.split("\0")
    return '"'.join(pieces)


def producer_hash_ok(event: dict[str, Any]) -> bool | None:
    """Whether the event's ``hash`` field verifies; None when it has none to verify.

    ``sha256:<hex>`` is the producers' form; a bare 64-hex value is kvarn's earlier dialect,
    which hashed the canonical form, so it may match either algorithm."""
    return event_hashes(event)[1]


def event_hashes(event: dict[str, Any]) -> tuple[str, bool | None]:
    """``event_hash`` and ``producer_hash_ok`` of one event from one serialisation where the
    second can be derived from the first (bronze computes both for every line)."""
    canonical = canonical_json(event)
    digest = _digest(canonical)
    if "hash" not in event:
        return digest, None
    value = event["hash"]
    if not isinstance(value, str):
        return digest, False
    lowered = value.lower()
    if lowered.startswith(PRODUCER_PREFIX):
        return digest, lowered[len(PRODUCER_PREFIX) :] == producer_digest(event, canonical)
    if len(lowered) == 64 and set(lowered) <= _HEX64:
        return digest, lowered == digest or lowered == producer_digest(event, canonical)
    return digest, False
