"""Wake-up requests put a spoken 12-hour time in the morning; other requests keep daytime."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import find_dates

REF = datetime(2025, 8, 31, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm"))  # Sunday noon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("väck mig imorgon halv sju", "2025-09-01T06:30"),
        ("väck mig halv sju", "2025-09-01T06:30"),  # next morning, not this evening
        ("sätt ett alarm kvart i sex", "2025-09-01T05:45"),
        ("Väckning på måndag klockan sju", "2025-09-01T07:00"),
        ("väck mig kl 19", "2025-08-31T19:00"),  # digits are 24-hour, untouched
        ("boka möte imorgon halv sju", "2025-09-01T18:30"),  # not a wake-up: daytime
        ("ring mig imorgon halv tre", "2025-09-01T14:30"),
    ],
)
def test_wake_up_times(text: str, expected: str) -> None:
    matches = find_dates(text, REF)
    assert [m.render() for m in matches] == [expected]
