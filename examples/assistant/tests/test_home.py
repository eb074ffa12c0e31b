"""Home control: lights on and off, room by room."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse

pytestmark = pytest.mark.component("home")

NOW = datetime(2026, 11, 28, 16, 20)


@pytest.mark.slo(target_ms=150)
@pytest.mark.parametrize(
    ("text", "room", "answer"),
    [
        pytest.param("Tänd lampan i köket", "kök", "Tänder i köket.", id="kok"),
        pytest.param(
            "Tänd i vardagsrummet", "vardagsrum", "Tänder i vardagsrummet.", id="vardagsrum"
        ),
    ],
)
def test_lights_on(flywheel: Any, assistant: Assistant, text: str, room: str, answer: str) -> None:
    reply = converse(flywheel, assistant, text, now=NOW)
    flywheel.metric("home.rooms_lit", sum(assistant.lights.state.values()))
    assert reply.intent == "lights.on"
    assert reply.slots == {"room": room}
    assert reply.route == "on_device"
    assert assistant.lights.state[room] is True
    assert reply.text == answer


def test_lights_off(flywheel: Any, assistant: Assistant) -> None:
    assistant.lights.state["hall"] = True
    reply = converse(flywheel, assistant, "Släck lamporna i hallen", now=NOW)
    assert reply.intent == "lights.off"
    assert assistant.lights.state["hall"] is False
    assert reply.text == "Släcker i hallen."


def test_unknown_room(flywheel: Any, assistant: Assistant) -> None:
    reply = converse(flywheel, assistant, "Tänd i garaget", now=NOW)
    assert reply.intent == "lights.on"
    assert reply.tool_calls[0]["ok"] is False
    assert reply.text == "Jag hittar ingen lampa i garaget."
