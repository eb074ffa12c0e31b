"""Silver turns → the neutral chat messages of the gold contract (``pipelines/gold/schemas.py``).

One place decides how a turn reads as a conversation, so the review screen, Label Studio tasks
and the gold tables all show the same thing. Every builder takes ``surrogate``: read the
``*_surrogate`` columns (falling back to the placeholder text when a surrogate is missing) to
produce the surrogate twin of the same conversation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]
HISTORY_TURNS = 5  # earlier turns of the session kept as context


def text_of(row: Row, name: str, surrogate: bool = False) -> str | None:
    """A masked text field, or its surrogate twin when asked (placeholder text if none)."""
    if surrogate:
        value = row.get(f"{name}_surrogate")
        if value is not None:
            return str(value)
    value = row.get(name)
    return None if value is None else str(value)


def json_of(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def call_message(calls: Sequence[Row], surrogate: bool) -> list[dict[str, Any]]:
    """The assistant's tool-call message and one ``tool`` message per call, in call order."""
    if not calls:
        return []
    ordered = sorted(calls, key=lambda c: c.get("call_index") or 0)
    out: list[dict[str, Any]] = [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"name": c.get("name"), "arguments": json_of(text_of(c, "args", surrogate), {})}
                for c in ordered
            ],
        }
    ]
    for c in ordered:
        if c.get("ok"):
            content = text_of(c, "result", surrogate) or "ok"
        else:
            content = "error: " + (text_of(c, "error", surrogate) or "failed")
        out.append({"role": "tool", "name": c.get("name"), "content": content})
    return out


def user_message(turn: Row, surrogate: bool = False) -> dict[str, Any]:
    return {"role": "user", "content": text_of(turn, "text", surrogate) or ""}


def turn_messages(
    turn: Row, calls: Sequence[Row], surrogate: bool = False, answer: str | None = None
) -> list[dict[str, Any]]:
    """One turn as messages; ``answer`` replaces the logged assistant answer (a correction)."""
    final = answer if answer is not None else text_of(turn, "output_text", surrogate)
    msgs = [user_message(turn, surrogate), *call_message(calls, surrogate)]
    msgs.append({"role": "assistant", "content": final or ""})
    return msgs


def history_messages(
    history: Sequence[Row], calls_by_turn: Mapping[str, Sequence[Row]], surrogate: bool = False
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in history[-HISTORY_TURNS:]:
        out.extend(turn_messages(t, calls_by_turn.get(str(t["event_id"]), ()), surrogate))
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def tool_specs(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """JSON-schema-ish specs of the tools called in ``messages`` (from their arguments)."""
    props: dict[str, dict[str, dict[str, str]]] = {}
    for msg in messages:
        for call in msg.get("tool_calls") or []:
            name = str(call.get("name"))
            args = call.get("arguments")
            fields = props.setdefault(name, {})
            if isinstance(args, dict):
                for key, value in args.items():
                    fields.setdefault(str(key), {"type": _json_type(value)})
    return [
        {"name": name, "parameters": {"type": "object", "properties": dict(sorted(p.items()))}}
        for name, p in sorted(props.items())
    ]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)
