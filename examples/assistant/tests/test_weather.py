"""Weather: forecasts for today and tomorrow, and follow-up questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse

pytestmark = pytest.mark.component("weather")

NOW = datetime(2026, 9, 15, 7, 5)


@pytest.mark.parametrize(
    ("city", "answer"),
    [
        pytest.param("Stockholm", "I dag blir det 12 grader och sol i Stockholm.", id="stockholm"),
        pytest.param("Göteborg", "I dag blir det 10 grader och regn i Göteborg.", id="goteborg"),
    ],
)
def test_forecast_cached_city(flywheel: Any, assistant: Assistant, city: str, answer: str) -> None:
    reply = converse(flywheel, assistant, f"Vad blir vädret i {city}?", now=NOW)
    flywheel.metric("weather.latency_ms", reply.latency_ms)
    assert reply.intent == "weather.get"
    assert reply.slots == {"city": city}
    assert reply.text == answer


@pytest.mark.severity("MEDIUM", user_impact="No forecast at all outside the big cities")
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Hur varmt är det i Kiruna?", id="kiruna"),
        pytest.param("Vad blir vädret i Visby i morgon?", id="visby"),
    ],
)
def test_forecast_other_city(flywheel: Any, assistant: Assistant, text: str) -> None:
    reply = converse(flywheel, assistant, text, now=NOW)
    assert reply.intent == "weather.get"
    assert "grader" in reply.text


def test_rain_tomorrow(flywheel: Any, assistant: Assistant) -> None:
    reply = converse(flywheel, assistant, "Regnar det i Luleå i morgon?", now=NOW)
    assert reply.slots["city"] == "Luleå"
    assert reply.text.startswith("I morgon blir det")


@pytest.mark.component("orchestrator")
def test_followup_tomorrow(flywheel: Any, assistant: Assistant) -> None:
    converse(flywheel, assistant, "Vad blir vädret i Malmö?", now=NOW)
    reply = converse(flywheel, assistant, "Och i morgon då?", now=NOW)
    flywheel.metric("nlu.confidence", reply.confidence)
    assert reply.intent == "weather.get"
    assert reply.slots["city"] == "Malmö"
    assert reply.text == "I morgon blir det 15 grader och sol i Malmö."
