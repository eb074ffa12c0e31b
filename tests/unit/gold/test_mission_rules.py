"""The seed's four active-learning rules, on silver-shaped rows built from factory turns."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from pipelines.gold.candidates import load_rules, score_candidates
from tests.factories import turn


def test_the_four_mission_rules() -> None:
    failed = [{"name": "calendar.create", "args": {}, "ok": False}]
    events = [
        turn(turn_id="fine"),
        turn(turn_id="unsure", confidence=0.59),
        turn(turn_id="borderline", confidence=0.6),
        turn(turn_id="tool", tool_calls=failed),
        turn(turn_id="slow", e2e_full_ms=2000.1),
        turn(turn_id="guard", guardian="DEGRADED"),
        turn(
            turn_id="all", confidence=0.2, tool_calls=failed, e2e_full_ms=9000.0, guardian="ALERT"
        ),
        turn(turn_id="noconsent", confidence=0.1, scopes=("analytics:slo",)),
    ]
    cands = score_candidates(_silver_like(events))
    got = {r["turn_id"]: (r["priority"], sorted(r["reasons"])) for r in cands.iter_rows(named=True)}
    assert got == {
        "unsure": ("HIGH", ["nlu_uncertainty"]),
        "tool": ("CRITICAL", ["tool_failure"]),
        "slow": ("MEDIUM", ["slo_violation"]),
        "guard": ("HIGH", ["guardian_event"]),
        "all": (
            "CRITICAL",
            sorted(["nlu_uncertainty", "tool_failure", "slo_violation", "guardian_event"]),
        ),
    }
    assert cands["turn_id"][0] == "all"  # highest score first
    assert [r.name for r in load_rules().rules] == [
        "nlu_uncertainty", "tool_failure", "slo_violation", "guardian_event"
    ]  # fmt: skip


def _silver_like(events: list[dict[str, object]]) -> pl.DataFrame:
    rows = []
    for ev in events:
        calls = ev.get("tool_calls") or []
        rows.append(
            {
                "event_id": ev["hash"],
                "hour": "2025-09-01T10",
                "ts": datetime(2025, 9, 1, 10, tzinfo=UTC),
                "session_id": ev["session_id"],
                "turn_id": ev["turn_id"],
                "env": "prod",
                "intent": ev["nlu"]["intent"],  # type: ignore[index]
                "training_ok": "analytics:training" in ev["consent_scopes"],  # type: ignore[operator]
                "confidence": ev["nlu"]["confidence"],  # type: ignore[index]
                "tool_fail_count": sum(1 for c in calls if not c["ok"]),  # type: ignore[attr-defined, index]
                "e2e_full_ms": ev["metrics"]["e2e_full_ms"],  # type: ignore[index]
                "slo_target_ms": 2000.0,
                "guardian_state": ev["guardian"]["state"],  # type: ignore[index]
            }
        )
    return pl.DataFrame(rows)
