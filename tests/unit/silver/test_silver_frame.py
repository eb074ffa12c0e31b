"""The column-wise silver frame equals polars' row builder on every table, odd values included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest

from pipelines.pii import get_masker
from pipelines.silver.extract import Extracted, extract_event
from pipelines.silver.privacy import RecordMasker
from pipelines.silver.schemas import SILVER_SCHEMAS, frame
from tests.factories import turn

TS = datetime(2025, 9, 1, 10, 15, tzinfo=UTC)


def _by_rows(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """How silver built its frames before: one dict per row through the row builder."""
    schema = SILVER_SCHEMAS[table]
    cleaned = [{k: r.get(k) for k in schema} for r in rows]
    return pl.DataFrame(cleaned, schema=schema, orient="row")


def _extracted() -> Extracted:
    out = Extracted()
    events = [
        turn(text="ring Erik Johansson på 070-123 45 67 imorgon kl 10",
             slots={"contact": "Erik Johansson", "date": "imorgon"},
             tool_calls=[{"name": "call", "args": {"to": "Erik"}, "ok": False,
                          "lat_ms": 12, "error": {"code": 3}}],
             rag={"query": "öppettider", "top_k": 3, "hits": [{"doc_id": "d1", "score": 0.5}]}),
        turn(text="spela musik", turn_id="t2", e2e_full_ms=float("nan")),
        {"v": 1, "event": "feedback", "session_id": "s1", "user_id": "u-1",
         "feedback": {"target_turn_id": "t1", "rating": 4, "comment": "bra, tack Erik"}},
        {"v": 1, "event": "test.asr.transcribe", "component": "asr", "test_name": "noise",
         "metrics": {"e2e_full_ms": 900, "success": True}, "slo_compliance": {"p95": True},
         "reproduction_steps": "säg hej", "stack_trace": ["a", "b"]},
    ]  # fmt: skip
    for i, event in enumerate(events):
        extract_event(out, event, f"e{i}", "2025-09-01T10", TS)
    masker = RecordMasker(get_masker(), b"k" * 32)
    for table in SILVER_SCHEMAS:
        masker.mask_records(table, getattr(out, table))
    return out


def test_every_table_matches_the_row_builder() -> None:
    extracted = _extracted()
    for table in SILVER_SCHEMAS:
        rows = getattr(extracted, table)
        assert rows, table
        assert frame(table, rows).equals(_by_rows(table, rows)), table
        assert frame(table, []).equals(pl.DataFrame(schema=SILVER_SCHEMAS[table]))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("rating", "5"),  # text where an integer belongs: the row builder casts it
        ("rating", 4.7),
        ("rating", True),
        ("rating", 10**20),
        ("comment", 3),
        ("comment", True),
        ("ts", datetime(2025, 9, 1, 12, 30)),  # naive
        ("training_ok", 1),
    ],
)
def test_odd_values_end_as_the_row_builder_ends(column: str, value: object) -> None:
    rows = [dict(row) for row in _extracted().feedback]
    rows.append({**rows[0], column: value})
    try:
        expected: pl.DataFrame | str = _by_rows("feedback", rows)
    except Exception as exc:  # the row builder refuses: so must frame
        expected = type(exc).__name__
    try:
        got: pl.DataFrame | str = frame("feedback", rows)
    except Exception as exc:
        got = type(exc).__name__
    if isinstance(expected, str):
        assert got == expected
    else:
        assert isinstance(got, pl.DataFrame) and got.equals(expected)
