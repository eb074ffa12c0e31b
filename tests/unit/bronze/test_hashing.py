"""kvarn's canonical event hash."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from pipelines.bronze.hashing import canonical_json, event_hash, event_hashes, producer_hash_ok
from tests.seed_producers import SeedProducer, seed_example_turn


def test_hash_ignores_key_order_and_transport_fields() -> None:
    a = {"v": 1, "event": "feedback", "ts": "2025-09-01T10:00:00Z", "delivery": {"attempt": 1}}
    b = {"delivery": {"attempt": 3}, "ts": "2025-09-01T10:00:00Z", "event": "feedback", "v": 1}
    assert event_hash(a) == event_hash(b)
    assert "delivery" not in canonical_json(a)
    c = dict(a, ts="2025-09-01T10:00:01Z")
    assert event_hash(c) != event_hash(a)


def _reference(event: dict[str, Any]) -> tuple[str, bool | None]:
    """Both hashes the slow, obvious way: two serialisations, as log_event and kvarn define them."""
    own = hashlib.sha256(
        json.dumps({k: v for k, v in event.items() if k not in ("hash", "delivery")},
                   sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        .encode("utf-8", "surrogatepass")
    ).hexdigest()  # fmt: skip
    body = json.dumps({k: v for k, v in event.items() if k != "hash"}, sort_keys=True,
                      ensure_ascii=False)  # fmt: skip
    producer = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    value = event.get("hash")
    if "hash" not in event:
        return own, None
    if not isinstance(value, str):
        return own, False
    if value.lower().startswith("sha256:"):
        return own, value.lower()[7:] == producer
    if len(value) == 64 and set(value.lower()) <= set("0123456789abcdef"):
        return own, value.lower() in (own, producer)
    return own, False


_AWKWARD = ["a, b: c", 'sa "hej", sa hon', "C:\\temp", "rad 1\nrad 2", "", "å, ä: ö",
            '{"x": 1}', ":", ",", "\ud800", "tab\there", "\u2028"]  # fmt: skip
_NUMBERS: list[Any] = [0, -1, 2**70, 0.5, 1e-05, 1e16, -0.0, float("nan"), float("inf"), True, None]


def _producer_hashed(event: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(event, sort_keys=True, ensure_ascii=False)
    return {**event, "hash": "sha256:" + hashlib.sha256(body.encode("utf-8", "surrogatepass"))
            .hexdigest()}  # fmt: skip


def test_both_hashes_from_one_serialisation_equal_two() -> None:
    """``event_hashes`` derives the producer's text from kvarn's where it can; on awkward
    strings (separators, quotes, backslashes, newlines inside), numbers of every kind, nested
    values, ``delivery`` present or not and every form of ``hash`` field it must give what two
    serialisations give."""
    rng = random.Random(4)
    checked = 0
    for _ in range(400):
        event: dict[str, Any] = {
            "v": "1",
            "event": "orchestrator.turn",
            "ts": "2025-09-01T10:00:00Z",
        }
        for i in range(rng.randint(1, 6)):
            pick = rng.random()
            value: Any = rng.choice(_AWKWARD) if pick < 0.5 else rng.choice(_NUMBERS)
            if rng.random() < 0.3:
                value = {rng.choice(_AWKWARD): value, "list": [value, rng.choice(_NUMBERS)]}
            event[rng.choice(["input", "slots", "k" + str(i), "a, b", 'q"k'])] = value
        if rng.random() < 0.3:
            event["delivery"] = {"attempt": rng.randint(1, 3)}
        forms = [event, _producer_hashed(event), {**event, "hash": event_hash(event)},
                 {**event, "hash": "sha256:" + "0" * 64}, {**event, "hash": 7},
                 {**event, "hash": "nonsense"}]  # fmt: skip
        for form in forms:
            assert event_hashes(form) == _reference(form)
            assert producer_hash_ok(form) == _reference(form)[1]
            checked += 1
    assert checked == 2400


def test_producer_events_verify(tmp_path: Path) -> None:
    """Events written by the producers' own ``log_event`` verify through the one-dump path."""
    producer = SeedProducer(tmp_path)
    try:
        events = [producer.log_event(seed_example_turn(turn_id=f"t-{i}")) for i in range(5)]
    finally:
        producer.close()
    for line in producer.path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        assert event_hashes(event) == (event_hash(event), True)
    assert len(events) == 5
