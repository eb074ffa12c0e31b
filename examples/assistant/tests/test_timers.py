"""Timers and alarms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse, expect_date

pytestmark = pytest.mark.component("timers")


@pytest.mark.parametrize(
    ("text", "seconds", "answer"),
    [
        pytest.param("Ställ en timer på 10 minuter", 600, "10 minuter", id="tio-minuter"),
        pytest.param("Sätt en timer på en halvtimme", 1800, "30 minuter", id="halvtimme"),
    ],
)
def test_timer(flywheel: Any, assistant: Assistant, text: str, seconds: int, answer: str) -> None:
    reply = converse(flywheel, assistant, text, now=datetime(2026, 6, 1, 17, 30))
    flywheel.metric("timer.seconds", seconds)
    assert reply.intent == "timer.set"
    assert reply.slots["duration_s"] == seconds
    assert assistant.timers.timers == [seconds]
    assert reply.text == f"Timern är satt på {answer}."


def test_alarm_tomorrow(flywheel: Any, assistant: Assistant) -> None:
    now = datetime(2026, 6, 1, 22, 40)
    reply = converse(flywheel, assistant, "Väck mig i morgon kl 6.30", now=now)
    assert reply.intent == "alarm.set"
    assert assistant.timers.alarms == [datetime(2026, 6, 2, 6, 30)]
    assert reply.text == "Jag väcker dig i morgon klockan 06:30."


@pytest.mark.severity("HIGH", user_impact="The alarm rings a week late; the user oversleeps")
def test_alarm_on_weekday(flywheel: Any, assistant: Assistant) -> None:
    now = datetime(2025, 10, 1, 22, 15)
    reply = converse(flywheel, assistant, "Väck mig på lördag kl 8", now=now)
    assert reply.intent == "alarm.set"
    expect_date(reply, date(2025, 10, 4), today=now.date())
    assert assistant.timers.alarms == [datetime(2025, 10, 4, 8, 0)]
