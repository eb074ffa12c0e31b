"""Event `ts` in its many producer forms → aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.dates import parse_event_ts

EXPECTED = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2025-09-01T08:00:00Z",
        "2025-09-01T08:00:00.000Z",
        "2025-09-01T10:00:00+02:00",
        "2025-09-01T04:00:00-04:00",
        "2025-09-01 10:00:00",  # naive: Stockholm wall clock (CEST)
        1756713600,
        1756713600.0,
        1756713600000,
        "1756713600000",
        "1756713600",
        1756713600000000,  # microseconds
    ],
)
def test_forms(value: str | int | float) -> None:
    got = parse_event_ts(value)
    assert got == EXPECTED and got.tzinfo == UTC


def test_naive_winter_time_and_dst_edges() -> None:
    assert parse_event_ts("2025-01-15T10:00:00") == datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
    # 02:30 on 26 Oct 2025 happens twice in Stockholm: the first (CEST) is taken
    assert parse_event_ts("2025-10-26T02:30:00") == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    # 02:30 on 30 Mar 2025 does not exist: moved forward by the gap (03:30 CEST)
    assert parse_event_ts("2025-03-30T02:30:00") == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "igår", "2025-13-01T00:00:00Z", True, None, [1], 1e30,
                                   float("nan")])  # fmt: skip
def test_bad_values_raise_value_error_without_echoing(value: object) -> None:
    with pytest.raises(ValueError) as err:
        parse_event_ts(value)  # type: ignore[arg-type]
    assert "igår" not in str(err.value)
