"""Messaging and calls: the paths that reach other people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from alice import Assistant
from harness import converse, expect_date

pytestmark = [
    pytest.mark.component("messaging"),
    pytest.mark.severity("HIGH", user_impact="Messages and calls do not reach the contact"),
]

NOW = datetime(2026, 5, 6, 17, 40)


@pytest.mark.parametrize(
    ("text", "name", "body"),
    [
        pytest.param(
            "Skicka ett sms till Anna: kommer tio minuter sent",
            "Anna",
            "kommer tio minuter sent",
            id="anna",
        ),
        pytest.param(
            "Skicka ett meddelande till Björn: kan du hämta barnen?",
            "Björn",
            "kan du hämta barnen?",
            id="bjorn",
        ),
    ],
)
def test_send_sms(flywheel: Any, assistant: Assistant, text: str, name: str, body: str) -> None:
    reply = converse(flywheel, assistant, text, now=NOW)
    assert reply.intent == "message.send"
    assert reply.slots["contact"] == name
    assert reply.slots["body"] == body
    assert [call["name"] for call in reply.tool_calls] == ["contacts.lookup", "sms.send"]
    assert reply.text == f"Sms:et till {name} är skickat."


@pytest.mark.slo(target_ms=100)
@pytest.mark.parametrize(
    ("text", "name", "surname"),
    [
        pytest.param("Ring Lars", "Lars", "Nilsson", id="lars"),
        pytest.param("Ring Åsa", "Åsa", "Berg", id="asa"),
    ],
)
def test_call_contact(
    flywheel: Any, assistant: Assistant, text: str, name: str, surname: str
) -> None:
    reply = converse(flywheel, assistant, text, now=NOW)
    flywheel.metric("nlu.confidence", reply.confidence)
    assert reply.intent == "call.contact"
    assert all(call["ok"] for call in reply.tool_calls)
    assert reply.text == f"Ringer {name} {surname}."


def test_scheduled_sms(flywheel: Any, assistant: Assistant) -> None:
    now = datetime(2026, 1, 12, 18, 5)
    text = "Skicka ett sms till Erik på onsdag: glöm inte nycklarna"
    reply = converse(flywheel, assistant, text, now=now)
    assert reply.intent == "message.send"
    expect_date(reply, date(2026, 1, 14), today=now.date())
    assert reply.tool_calls[-1]["args"]["send_at"] == "2026-01-14"
