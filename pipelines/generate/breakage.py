"""Broken lines, one kind each, as real producers write them now and then.

Ingest must route every one of these to quarantine with a reason, so the generator makes
each kind recognisable and exactly one kind per line: a schema violation is otherwise valid
JSON of version 1, a truncated line is a clean prefix of valid text, invalid UTF-8 is
otherwise valid JSON, and so on. A line keeps its producer's dialect: the assistant's
`log_event` format (string `v`, "sha256:" hash, default separators) or the legacy one.
"""

from __future__ import annotations

import json
import random
from typing import Any

from pipelines.bronze.hashing import event_hash
from pipelines.generate.producer import producer_hash

BROKEN_KINDS: tuple[str, ...] = (
    "invalid_json",  # not parseable: a producer's repr(), a dropped brace, a trailing comma
    "truncated",  # the last line of a file cut mid-JSON, no newline (process killed)
    "missing_field",  # valid JSON, a required field absent
    "wrong_type",  # valid JSON, a field of the wrong type
    "bad_enum",  # valid JSON, a value outside an enum
    "unknown_version",  # "v": 2
    "invalid_utf8",  # raw bytes that are not UTF-8 (a Latin-1 writer)
    "empty_line",  # blank or whitespace-only line
    "not_object",  # valid JSON that is not an object
)


def _dump(event: dict[str, Any]) -> str:
    if _legacy(event):
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(event, ensure_ascii=False)


def _legacy(event: dict[str, Any]) -> bool:
    return not isinstance(event.get("v", ""), str)


def _with_hash(event: dict[str, Any], legacy: bool) -> dict[str, Any]:
    event.pop("hash", None)
    event["hash"] = event_hash(event) if legacy else producer_hash(event)
    return event


def broken_line(kind: str, event: dict[str, Any], r: random.Random) -> bytes:
    """The bytes of one broken line (without its newline) derived from a valid turn event
    (`TelemetryFactory.one_turn`: legacy dialect or the payload `log_event` prepared)."""
    ev = dict(event)
    legacy = _legacy(ev)

    def done() -> bytes:
        return _dump(_with_hash(ev, legacy)).encode("utf-8")

    if kind == "invalid_json":
        x = r.random()
        text = _dump(_with_hash(ev, legacy))
        if x < 0.3:
            return repr(ev).encode("utf-8")  # single quotes, True/None
        if x < 0.6:
            return text[:-1].encode("utf-8")  # closing brace lost
        if x < 0.8:
            return (text[:-1] + ",}").encode("utf-8")  # trailing comma
        return text.replace('":', '" ', 1).encode("utf-8")  # missing colon
    if kind == "truncated":
        text = _dump(_with_hash(ev, legacy))
        return text[: r.randrange(len(text) // 5, len(text) * 4 // 5)].encode("utf-8")
    if kind == "missing_field":
        del ev[r.choice(("ts", "event", "turn_id", "input"))]
        return done()
    if kind == "wrong_type":
        x = r.randrange(5)
        if x == 0:
            ev["ts"] = True
        elif x == 1:
            ev["session_id"] = r.randrange(10**6)
        elif x == 2:
            ev["nlu"] = {**ev["nlu"], "confidence": "hög"}
        elif x == 3:
            ev["tool_calls"] = {"name": "timer.set"}
        else:
            ev["metrics"] = {**ev["metrics"], "e2e_full_ms": f"{ev['metrics']['e2e_full_ms']} ms"}
        return done()
    if kind == "bad_enum":  # a value outside the allowed names (enum or name pattern)
        x = r.random()
        if x < 0.3:
            ev["guardian"] = {**ev["guardian"], "state": "Panic"}
        elif x < 0.55:
            ev["route"] = "Turbo"
        elif x < 0.8:
            ev["event"] = "Orchestrator Response"
        else:
            ev["consent_scopes"] = ["Analytics Training"]
        return done()
    if kind == "unknown_version":
        ev["v"] = 2 if legacy else "2"
        ev["schema_hint"] = "telemetry/v2"
        return done()
    if kind == "invalid_utf8":
        raw = _dump(_with_hash(ev, legacy)).encode("utf-8")
        for good, bad in ((b"\xc3\xb6", b"\xf6"), (b"\xc3\xa4", b"\xe4"), (b"\xc3\xa5", b"\xe5")):
            if good in raw:
                return raw.replace(good, bad)
        key = b'"text":"' if legacy else b'"text": "'
        cut = raw.index(key) + len(key)
        return raw[:cut] + b"\xff\xfe" + raw[cut:]
    if kind == "empty_line":
        return r.choice((b"", b"   ", b"\t", b" "))
    if kind == "not_object":
        return r.choice((b"[1,2]", b'"ok"', b"null", b"42", b'[{"v":1}]'))
    raise ValueError(f"unknown breakage kind: {kind}")
