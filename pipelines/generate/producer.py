"""The assistant's own logging, re-implemented: how its producers turn a payload into a line.

The assistant logs through one function (seed 000, "Drop-in Logging Function"): it keeps a
payload's `v` or adds `"1"`, stamps `ts` as `datetime.utcnow().isoformat() + "Z"`, masks
`input.text` with its own regexes and records `pii_masked` if there is such a text, then adds
`hash` = `"sha256:"` + SHA-256 of the payload as `json.dumps(sort_keys=True,
ensure_ascii=False)` and writes `json.dumps(payload, ensure_ascii=False)` as the line (keys
in insertion order, default separators). Only `input.text` is masked; slots, tool
arguments, RAG queries, answers and test payloads keep whatever the caller put in them.

The generator builds payloads the way the assistant's callers do and hands them to
`log_event` here, so the lines have exactly the producer's bytes. The simulated event time
replaces `utcnow()`: `iso_utc` formats it the way `isoformat()` does (six fraction digits,
none at all when the microsecond is 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from hashlib import sha256
from json import JSONEncoder
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, cast

PRODUCER_VERSION = "1"
HASH_PREFIX = "sha256:"

# The producer's masking rules, in the order it applies them. Its source shows the name
# class mis-encoded (UTF-8 read as Latin-1); the intended letters are the Swedish ones.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[\w.-]+@[\w.-]+\.\w+\b"), "<EMAIL>"),
    (re.compile(r"\b(?:\+46|0)[1-9]\d{8,9}\b"), "<PHONE>"),
    (re.compile(r"\b\d{6,8}-\d{4}\b"), "<PERSONNUMMER>"),
    (re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b"), "<FULLNAME>"),
)
# Matches where any of them would: most texts need only this one search.
_ANY_MASK = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _MASKS))

# `json.dumps(..., ensure_ascii=False[, sort_keys=True])` with the default separators.
# `dumps` builds an encoder object on every call; these are built once. The generator's
# payloads hold no cycles, so the circular-reference bookkeeping (markers=None) is
# skipped, which does not change the text.
_Chunks = Callable[[Any, int], Iterable[str]]


def _encoder(sort_keys: bool) -> _Chunks:
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        enc = JSONEncoder(ensure_ascii=False, check_circular=False, sort_keys=sort_keys)
        return lambda o, _level: (enc.encode(o),)
    return cast(
        _Chunks,
        c_make_encoder(None, None, encode_basestring, None, ": ", ", ", sort_keys, False, True),
    )


_LINE = _encoder(sort_keys=False)
_SORTED = _encoder(sort_keys=True)


def mask_pii(text: str) -> tuple[str, bool]:
    """`text` with the producer's four patterns replaced, and whether any of them matched."""
    if _ANY_MASK.search(text) is None:
        return text, False
    modified = False
    for pattern, replacement in _MASKS:
        masked, n = pattern.subn(replacement, text)
        if n:
            text, modified = masked, True
    return text, modified


def prepare(payload: dict[str, Any], ts: str) -> dict[str, Any]:
    """What `log_event` does to a payload before hashing it: version, time, masking."""
    payload["v"] = payload.get("v", PRODUCER_VERSION)
    payload["ts"] = ts
    inp = payload.get("input")
    if inp is not None and "text" in inp:
        inp["text"], payload["pii_masked"] = mask_pii(inp["text"])
    return payload


def producer_hash(payload: dict[str, Any]) -> str:
    """The producer's hash of a payload (which must not hold `hash` yet)."""
    core = "".join(_SORTED(payload, 0))
    return HASH_PREFIX + sha256(core.encode("utf-8")).hexdigest()


def log_event(payload: dict[str, Any], ts: str) -> bytes:
    """The line (without newline) the producer writes for `payload`; adds `hash` to it."""
    prepare(payload, ts)
    payload["hash"] = producer_hash(payload)
    return "".join(_LINE(payload, 0)).encode("utf-8")
