"""The `kvarn dates` contract: JSONL in, JSONL out, one line per line, in order.

In:  {"id", "text", "ref", "tz"?}   (`ref` ISO-8601 with offset; `tz` default Europe/Stockholm)
Out: {"id", "normalized", "dates": [{"start", "end", "text", "value", "grain"}]}
A line that cannot be processed yields {"id": …, "error": "…"} and the stream goes on.
Error messages name the problem, never the text (it may hold personal data).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pipelines.dates.api import DEFAULT_TZ, normalize_text
from pipelines.dates.timeutil import parse_tz
from pipelines.io.jsonl import echo_id, read_object, write_line


def process_record(record: Any) -> dict[str, Any]:
    """One contract output record for one parsed input record (errors included)."""
    if not isinstance(record, dict):
        return {"id": None, "error": "input line is not a JSON object"}
    rid, problem = echo_id(record)
    if problem is not None:
        return {"id": None, "error": problem}
    text, ref_text, tz = record.get("text"), record.get("ref"), record.get("tz", DEFAULT_TZ)
    if not isinstance(text, str):
        return {"id": rid, "error": "missing or non-string 'text'"}
    if ref_text is None:
        return {"id": rid, "error": "missing 'ref' (ISO-8601 reference time with offset)"}
    if not isinstance(ref_text, str):
        return {"id": rid, "error": "'ref' must be an ISO-8601 string"}
    if tz is None:
        tz = DEFAULT_TZ
    if not isinstance(tz, str):
        return {"id": rid, "error": "'tz' must be a string"}
    try:
        parse_tz(tz)
    except ValueError as exc:
        return {"id": rid, "error": f"bad 'tz': {exc}"}
    try:
        ref = datetime.fromisoformat(ref_text.strip().replace("z", "Z"))
    except ValueError:
        return {"id": rid, "error": "bad 'ref': not an ISO-8601 date-time"}
    normalized, matches = normalize_text(text, ref, tz)
    return {"id": rid, "normalized": normalized, "dates": [m.to_contract() for m in matches]}


def dates_stream(lines: Iterable[str]) -> Iterator[str]:
    """Contract lines out for contract lines in (see module docstring)."""
    for line in lines:
        record, problem = read_object(line)
        if record is None:
            yield write_line({"id": None, "error": problem})
            continue
        try:
            yield write_line(process_record(record))
        except Exception as exc:  # one bad record must not stop the stream
            rid, _ = echo_id(record)
            yield write_line({"id": rid, "error": f"internal error: {type(exc).__name__}"})
