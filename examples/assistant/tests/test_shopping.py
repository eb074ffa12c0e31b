"""The shopping list, including items added in follow-up turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse

pytestmark = pytest.mark.component("shopping")

NOW = datetime(2026, 3, 21, 11, 15)


def test_add_item(flywheel: Any, assistant: Assistant) -> None:
    reply = converse(flywheel, assistant, "Lägg till mjölk på inköpslistan", now=NOW)
    assert reply.intent == "shopping.add"
    assert assistant.shopping.items == ["mjölk"]
    assert reply.text == "Jag har lagt till mjölk på inköpslistan."


@pytest.mark.component("orchestrator")
def test_add_followup(flywheel: Any, assistant: Assistant) -> None:
    converse(flywheel, assistant, "Lägg till ägg på inköpslistan", now=NOW)
    reply = converse(flywheel, assistant, "Och smör också", now=NOW)
    flywheel.metric("shopping.items", len(assistant.shopping.items))
    assert reply.intent == "shopping.add"
    assert assistant.shopping.items == ["ägg", "smör"]
