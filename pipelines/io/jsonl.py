"""Strict JSON lines for the streaming contracts (``kvarn pii``, ``dates``, ``dedupe``).

Reading: a line is one JSON object, or the reason it is not — also for input that breaks
the standard parser itself (nesting thousands of levels deep) or that Python's parser
accepts but JSON does not (``NaN``, ``Infinity``). Writing: strict JSON on exactly one line
that every reader splits the same way — no ``NaN``, and the characters
``str.splitlines()`` treats as line ends (U+0085, U+2028, U+2029) escaped, as are unpaired
surrogates, which UTF-8 cannot carry.
"""

from __future__ import annotations

import json
import math
from typing import Any

_LINE_BREAKERS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """(object, None) for a JSON object line, else (None, a reason safe to show)."""
    if not line.strip():
        return None, "empty line"
    try:
        value = json.loads(line, parse_constant=_no_constants)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:
        return None, "invalid JSON: NaN/Infinity are not JSON" if "is not JSON" in str(exc) else (
            "invalid JSON"
        )
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


def echo_id(record: dict[str, Any]) -> tuple[Any, str | None]:
    """The record's ``id`` if it can be echoed (string, number or null), else an error."""
    ident = record.get("id")
    if isinstance(ident, float) and not math.isfinite(ident):  # 1e999 parses as inf
        return None, "field 'id' must be a finite number"
    if ident is None or isinstance(ident, str | int | float):
        return ident, None
    return None, "field 'id' must be a string or a number"


def write_line(record: dict[str, Any]) -> str:
    """``record`` as one strict JSON line (no newline)."""
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a non-finite number slipped into a value
        text = json.dumps({"id": None, "error": "output is not representable as JSON"})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # unpaired surrogates: escape everything non-ASCII
        text = json.dumps(record, ensure_ascii=True, allow_nan=False)
    return text.translate(_LINE_BREAKERS)
