"""Helpers shared by the example tests: talk to Alice and report each turn to the flywheel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alice import Assistant, Reply


def converse(flywheel: Any, assistant: Assistant, text: str, *, now: datetime) -> Reply:
    """One turn; the flywheel hears about it whether the assistant answers or fails half-way."""
    try:
        reply = assistant.handle(text, now=now)
    except Exception:
        turn = assistant.last_turn
        if turn is not None:
            flywheel.record_turn(
                text,
                intent=turn.intent,
                confidence=turn.confidence,
                slots=turn.slots,
                tool_calls=turn.tool_calls,
                output=None,
                route=turn.route,
                latency_ms=turn.latency_ms,
                first_ms=None,
            )
        raise
    flywheel.record_turn(
        text,
        intent=reply.intent,
        confidence=reply.confidence,
        slots=reply.slots,
        tool_calls=reply.tool_calls,
        output=reply.text,
        route=reply.route,
        latency_ms=reply.latency_ms,
        first_ms=reply.first_ms,
    )
    return reply


def expect_date(reply: Reply, expected: date, *, today: date) -> None:
    """The turn was scheduled on ``expected``; one shared check so date bugs fail alike."""
    got = reply.slots.get("date")
    assert got == expected.isoformat(), (
        f"weekday resolved to {got}, expected {expected.isoformat()} (today {today.isoformat()})"
    )
