"""Calendar: booking events on relative days and weekdays, with and without guests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse, expect_date

pytestmark = pytest.mark.component("calendar")


@pytest.mark.slo(target_ms=100)
@pytest.mark.parametrize(
    ("text", "now", "expected", "at"),
    [
        pytest.param(
            "Boka möte på fredag kl 14",
            datetime(2024, 3, 11, 9, 0),
            date(2024, 3, 15),
            "14:00",
            id="fredag-2024",
        ),
        pytest.param(
            "Boka möte på fredag kl 14",
            datetime(2026, 3, 10, 8, 30),
            date(2026, 3, 13),
            "14:00",
            id="fredag-2026",
        ),
        pytest.param(
            "Boka tandläkaren på torsdag kl 9",
            datetime(2025, 6, 2, 7, 45),
            date(2025, 6, 5),
            "09:00",
            id="torsdag-2025",
        ),
        pytest.param(
            "Boka möte på måndag kl 10",
            datetime(2026, 3, 11, 16, 0),
            date(2026, 3, 16),
            "10:00",
            id="mandag-next-week",
        ),
    ],
)
def test_create_event_on_weekday(
    flywheel: Any, assistant: Assistant, text: str, now: datetime, expected: date, at: str
) -> None:
    reply = converse(flywheel, assistant, text, now=now)
    flywheel.metric("calendar.days_ahead", (expected - now.date()).days)
    assert reply.intent == "calendar.create"
    expect_date(reply, expected, today=now.date())
    assert reply.slots["time"] == at
    assert [call["name"] for call in reply.tool_calls] == ["calendar.add"]


def test_create_event_tomorrow(flywheel: Any, assistant: Assistant) -> None:
    now = datetime(2026, 4, 21, 12, 10)
    reply = converse(flywheel, assistant, "Lägg in ett möte i morgon kl 14", now=now)
    flywheel.metric("nlu.confidence", reply.confidence)
    assert reply.intent == "calendar.create"
    assert reply.slots == {"date": "2026-04-22", "time": "14:00", "title": "möte"}
    assert reply.text == "Jag har bokat möte i morgon klockan 14:00."
    assert assistant.calendar.events[0].day == date(2026, 4, 22)


@pytest.mark.severity("MEDIUM", user_impact="Events with guests cannot be booked")
def test_invite_contact(flywheel: Any, assistant: Assistant) -> None:
    now = datetime(2026, 2, 3, 10, 0)
    reply = converse(flywheel, assistant, "Boka lunch med Jörgen i morgon kl 12", now=now)
    assert reply.intent == "calendar.create"
    assert assistant.calendar.events[0].attendees == ("Jörgen",)
    assert reply.text == "Jag har bokat lunch i morgon klockan 12:00."
