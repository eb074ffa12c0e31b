"""kvarn's canonical event hash."""

from __future__ import annotations

from pipelines.bronze.hashing import canonical_json, event_hash


def test_hash_ignores_key_order_and_transport_fields() -> None:
    a = {"v": 1, "event": "feedback", "ts": "2025-09-01T10:00:00Z", "delivery": {"attempt": 1}}
    b = {"delivery": {"attempt": 3}, "ts": "2025-09-01T10:00:00Z", "event": "feedback", "v": 1}
    assert event_hash(a) == event_hash(b)
    assert "delivery" not in canonical_json(a)
    c = dict(a, ts="2025-09-01T10:00:01Z")
    assert event_hash(c) != event_hash(a)
