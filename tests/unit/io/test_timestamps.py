"""Event-time hours and producer timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.io.timestamps import dagster_key_to_hour, hour_key, parse_event_ts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-01T10:15:00Z", "2025-09-01T10:15:00+00:00"),
        ("2025-09-01T12:15:00+02:00", "2025-09-01T10:15:00+00:00"),
        (1756721700000, "2025-09-01T10:15:00+00:00"),
        (1756721700, "2025-09-01T10:15:00+00:00"),
        ("1756721700000", "2025-09-01T10:15:00+00:00"),
        ("2025-09-01T10:15:00", "2025-09-01T10:15:00+00:00"),  # naive = UTC (utcnow())
        ("2025-01-15T11:15:00.120345Z", "2025-01-15T11:15:00.120345+00:00"),
    ],
)
def test_event_ts_forms(value: object, expected: str) -> None:
    assert parse_event_ts(value).isoformat() == expected


@pytest.mark.parametrize("value", ["igår", True, None, "2025-13-01T00:00:00Z"])
def test_bad_ts_raises(value: object) -> None:
    with pytest.raises(ValueError):
        parse_event_ts(value)


def test_hour_keys() -> None:
    assert hour_key(datetime(2025, 9, 1, 10, 59, tzinfo=UTC)) == "2025-09-01T10"
    assert dagster_key_to_hour("2025-09-01-10:00") == "2025-09-01T10"
