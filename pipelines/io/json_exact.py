"""``json.loads``'s answer at orjson's speed.

Parsing landing lines was a fifth of bronze's time, and every line is parsed twice (the file
index reads its event time; validation reads the event) and a valid one a third time in silver.
orjson parses about three times faster, but its answers are not always the standard parser's:

* it rejects what ``json.loads`` accepts beyond JSON (``NaN``, ``Infinity``, numbers that
  overflow to ``inf``) and unpaired surrogate escapes (``"\\ud800"``);
* it reads an integer outside the 64-bit range as a float, silently.

A rejection falls back to ``json.loads``, which then answers (or raises) as it always did. A
run of 19 digits anywhere in the line, the only way to spell such an integer, sends the line to
``json.loads`` before orjson sees it. Everything else (key order, duplicate keys, number types,
escapes, whitespace) parses the same; ``tests/unit/io/test_json_exact.py`` holds the cases.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# 18 digits always fit in a signed 64-bit integer; 19 may not. A run of 19 is found by mapping
# every digit byte to "0" and the rest to " " (a C-speed copy) and searching for 19 zeros: a
# regex for it cost more than the parse it guards.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= c <= 0x39 else 0x20 for c in range(256))
_LONG_RUN = b"0" * 19


def loads(raw: bytes | str) -> Any:
    """What ``json.loads`` returns for ``raw`` (bytes read as UTF-8), or the ``ValueError`` it
    raises (for bytes that are not UTF-8: a ``UnicodeDecodeError``, also a ``ValueError``)."""
    # UTF-8 multi-byte sequences hold no ASCII digit, so the bytes show every digit run.
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if _LONG_RUN not in data.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    # Decoded here, never by json.loads: it would read UTF-16/32 bytes and skip a BOM.
    return json.loads(raw if isinstance(raw, str) else raw.decode("utf-8"))
