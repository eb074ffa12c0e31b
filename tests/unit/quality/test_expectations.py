"""The Great Expectations suite over silver turns: one validation for many hours, as strict as
one per hour, naming the hours that fail."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from pipelines.quality.expectations import expectations_for_hours, expectations_for_turns


def _turns(hour: str, ids: list[str], confidence: float = 0.8) -> pl.DataFrame:
    ts = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
    return pl.DataFrame(
        {
            "event_id": ids,
            "confidence": [confidence] * len(ids),
            "ts": [ts] * len(ids),
            "hour": [hour] * len(ids),
            "text": ["x"] * len(ids),
        }
    )


def test_good_hours_pass_in_one_validation_and_empty_hours_pass() -> None:
    hours = {"2025-09-01T10": _turns("2025-09-01T10", ["a", "b"]),
             # the same id in another hour is another partition's business, not a duplicate
             "2025-09-01T11": _turns("2025-09-01T11", ["a", "c"]),
             "2025-09-01T12": None}  # fmt: skip
    out = expectations_for_hours(hours)
    assert all(o.success for o in out.values())
    assert out["2025-09-01T12"].results == []
    names = {r["expectation"] for r in out["2025-09-01T10"].results}
    assert "expect_compound_columns_to_be_unique" in names


def test_a_bad_hour_fails_alone() -> None:
    dup = _turns("2025-09-01T11", ["a", "a"])
    misplaced = _turns("2025-09-01T13", ["x"])  # rows of 13 read from 12's partition
    out = expectations_for_hours({
        "2025-09-01T10": _turns("2025-09-01T10", ["a", "b"]),
        "2025-09-01T11": dup,
        "2025-09-01T12": misplaced,
        "2025-09-01T14": _turns("2025-09-01T14", ["q"], confidence=1.5),
    })  # fmt: skip
    assert {h for h, o in out.items() if not o.success} == {
        "2025-09-01T11", "2025-09-01T12", "2025-09-01T14"}  # fmt: skip
    assert expectations_for_turns(dup, "2025-09-01T11").success is False
    assert expectations_for_turns(_turns("2025-09-01T10", ["a"]), "2025-09-01T10").success
