"""Scoring rule for Duckling's time corpus rows, shared by the benchmark and the tests.

A row (`{"text","expected","type","grain","reference_time"}`, see corpora/SOURCES.md) counts
as resolved when exactly one expression spans the whole text and

* value rows: its value equals the expected one truncated to the row's grain,
* interval rows: it is an interval with the expected start and exclusive end,
* open intervals: it is open on the right side, with the expected bound.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.dates.api import whole_match
from pipelines.dates.timeutil import truncate

Row = dict[str, Any]
#: Duckling's test context is a fixed -02:00 offset, not a zone with DST.
CORPUS_TZ = "-02:00"


def load_rows(path: Path) -> list[Row]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def at_grain(dt: datetime, grain: str) -> datetime:
    """`dt` truncated to `grain`, keeping its offset."""
    return truncate(dt.replace(tzinfo=None), grain).replace(tzinfo=dt.tzinfo)


def score_row(row: Row) -> tuple[bool, str]:
    """(correct, what kvarn said) for one corpus row."""
    ref = datetime.fromisoformat(row["reference_time"])
    m = whole_match(row["text"], ref, CORPUS_TZ)
    if m is None:
        return False, "no whole-text match"
    said = f"{m.kind} {m.grain} {m.iso()}"
    if m.end_value is not None:
        said += f" → {m.end_value.isoformat()}"
    exp, kind = row["expected"], row["type"]
    if kind == "value":
        want = datetime.fromisoformat(exp)
        ok = m.kind == "value" and at_grain(m.value, row["grain"]) == at_grain(want, row["grain"])
    elif kind == "interval":
        ok = (
            m.kind == "interval"
            and m.value == datetime.fromisoformat(exp["from"])
            and m.end_value == datetime.fromisoformat(exp["to"])
        )
    elif kind == "open_interval_before":
        ok = m.kind == "open_before" and m.value == datetime.fromisoformat(exp["to"])
    else:
        ok = m.kind == "open_after" and m.value == datetime.fromisoformat(exp["from"])
    return ok, said
