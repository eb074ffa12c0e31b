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
        "2025-09-01 08:00:00",  # naive: UTC, as datetime.utcnow().isoformat() writes it
        "2025-09-01T08:00:00",
        "2025-09-01T08:00:00.000000Z",
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


def test_producer_forms_of_utcnow() -> None:
    """``utcnow().isoformat()`` drops the fraction when the microsecond is 0; with ``+ "Z"``
    it is what log_event writes; both mean UTC, also across Stockholm's DST change."""
    micro = datetime(2025, 10, 26, 2, 30, 0, 120345)
    assert parse_event_ts(micro.isoformat() + "Z") == micro.replace(tzinfo=UTC)
    assert parse_event_ts(micro.isoformat()) == micro.replace(tzinfo=UTC)
    whole = datetime(2025, 3, 30, 2, 30)
    assert parse_event_ts(whole.isoformat() + "Z") == whole.replace(tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "igår", "2025-13-01T00:00:00Z", True, None, [1], 1e30,
                                   float("nan")])  # fmt: skip
def test_bad_values_raise_value_error_without_echoing(value: object) -> None:
    with pytest.raises(ValueError) as err:
        parse_event_ts(value)  # type: ignore[arg-type]
    assert "igår" not in str(err.value)
