"""Canonical event hashing.

The hash identifies an event independently of how it was transported: keys are sorted,
separators fixed, and transport-only fields (the producer's own ``hash`` and ``delivery``
details such as the retry attempt) are left out, so a re-delivered line hashes the same.
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


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON of an event."""
    return hashlib.sha256(canonical_json(event).encode("utf-8")).hexdigest()
