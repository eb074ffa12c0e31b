"""Small builders of valid telemetry events for tests (independent of the generator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.bronze.hashing import event_hash


def turn(
    ts: str = "2025-09-01T10:15:00.000Z",
    text: str = "tänd lampan i köket",
    *,
    turn_id: str = "t1",
    session_id: str = "s1",
    user_id: str = "u-1",
    intent: str = "lights.on",
    confidence: float = 0.93,
    slots: dict[str, Any] | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    e2e_full_ms: float = 800.0,
    guardian: str = "NORMAL",
    scopes: tuple[str, ...] = ("analytics:slo", "analytics:training"),
    output: str = "Okej, jag tänder lampan i köket.",
    env: str = "prod",
    **extra: Any,
) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "v": 1,
        "event": "orchestrator.turn",
        "ts": ts,
        "user_id": user_id,
        "session_id": session_id,
        "turn_id": turn_id,
        "lang": "sv",
        "input": {"text": text, "audio_ref": None},
        "nlu": {"intent": intent, "confidence": confidence, "slots": slots or {}},
        "guardian": {"state": guardian, "ram_pct": 41.0, "brownout": False},
        "route": "micro",
        "tool_calls": tool_calls or [],
        "output": {"text": output},
        "metrics": {"e2e_first_ms": 200.0, "e2e_full_ms": e2e_full_ms},
        "consent_scopes": list(scopes),
        "pii_masked": False,
        "env": env,
    }
    ev.update(extra)
    ev["hash"] = event_hash(ev)
    return ev


def line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def write_landing(
    root: Path, day: str, name: str, lines: list[bytes], terminated: bool = True
) -> Path:
    folder = root / "telemetry" / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = b"\n".join(lines) + (b"\n" if terminated else b"")
    path.write_bytes(data)
    return path
