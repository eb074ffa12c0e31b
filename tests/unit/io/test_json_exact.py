"""``json_exact.loads`` must answer exactly as ``json.loads`` does, values and errors alike."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from pipelines.generate import sample_events
from pipelines.io import json_exact


def _outcome(parse: Callable[[Any], Any], raw: bytes | str) -> tuple[str, str]:
    """The value's repr (types, key order, -0.0 and nan show in it), or the error and message."""
    try:
        return "value", repr(parse(raw))
    except ValueError as exc:
        return type(exc).__name__, str(exc)


def _reference(raw: bytes | str) -> Any:
    return json.loads(raw if isinstance(raw, str) else raw.decode("utf-8"))


EDGE_CASES = [
    b'{"a":1,"b":2,"a":3}',  # duplicate key: last value, first position
    b'{"a":12345678901234567890123}',  # beyond 64 bits: orjson would give a float
    b'{"a":-9223372036854775809}',
    b'{"a":18446744073709551615}',
    b'{"a":9223372036854775807,"b":-9223372036854775808}',
    b'{"a":"id 1234567890123456789"}',  # a long digit run inside a string
    b'{"a":NaN}',
    b'{"a":Infinity,"b":-Infinity}',
    b'{"a":1e400}',
    b'{"a":1e-400}',
    b'{"a":-0,"b":-0.0,"c":1.0,"d":1E2,"e":0.30000000000000004}',
    b'{"a":"\\ud800"}',  # unpaired surrogate escape
    b'{"a":"\\udc00\\u0041"}',
    b'{"a":"\\ud83d\\ude00"}',  # a pair: an emoji
    b'{"a":"\\u0000\\/\\b\\f\\n\\r\\t"}',
    b'{"a":"x\ty"}',  # a raw control character inside a string
    b'{"a":1,}',
    b'{"a":1} {"b":2}',
    b' {"a":[1,2,{"b":null}]}\r\n',
    b"\xef\xbb\xbf{}",  # BOM: the caller strips it; here it must fail as json.loads fails
    '{"a":1}'.encode("utf-16"),  # json.loads(bytes) would detect UTF-16; reading UTF-8 fails
    b'{"a":"\xe5"}',  # not UTF-8
    b'{"a":"\xc3\xa5\xc3\xa4\xc3\xb6"}',
    b"[1,2]",
    b'"text"',
    b"",
    b"{",
    b'{"a":00}',
    b'{"a":.5}',
]


@pytest.mark.parametrize("raw", EDGE_CASES)
def test_edge_cases_parse_as_json_loads(raw: bytes) -> None:
    assert _outcome(json_exact.loads, raw) == _outcome(_reference, raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert _outcome(json_exact.loads, text) == _outcome(_reference, text)


_NOISE = [b"0", b"9", b"1234567890", b"-", b".", b"e", b"E", b"+", b'"', b"\\", b"\\u", b"d8",
          b"NaN", b"Infinity", b"{", b"}", b"[", b"]", b",", b":", b" ", b"\t", b"\xc3\xa5",
          b"\xe5", b"\x00", b"null", b"true", b"\\ud800", b"99999999999999999999"]  # fmt: skip


def _mutant(line: bytes, rng: random.Random) -> bytes:
    data = bytearray(line)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        kind = rng.random()
        if kind < 0.4:
            data[at:at] = rng.choice(_NOISE)
        elif kind < 0.7:
            del data[at : at + rng.randint(1, 4)]
        else:
            data[at : at + 1] = rng.choice(_NOISE)
    return bytes(data)


def test_mutated_event_lines_parse_as_json_loads() -> None:
    rng = random.Random(11)
    events = sample_events(60, seed=3)
    lines = [json.dumps(ev, ensure_ascii=rng.random() < 0.3).encode() for ev in events]
    checked = values = 0
    for line in lines:
        for raw in [line] + [_mutant(line, rng) for _ in range(60)]:
            want = _outcome(_reference, raw)
            assert _outcome(json_exact.loads, raw) == want, raw
            checked += 1
            values += want[0] == "value"
    assert checked > 3000 and values > 300  # both parsed and failing lines were compared


@pytest.mark.parametrize("text", ['{"a":"\ud800"}', '{"a":"x\udcff"}', "\ufeff{}", '{"å":"ä"}'])
def test_text_that_utf8_cannot_carry_parses_as_json_loads(text: str) -> None:
    """A str may hold a raw unpaired surrogate or a BOM character; json.loads decides them."""
    assert _outcome(json_exact.loads, text) == _outcome(_reference, text)
