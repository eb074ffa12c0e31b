"""Raw bronze events → plain records for each silver table, before any masking.

Kept separate from masking so the shape of silver is readable in one place and testable on
crafted events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_SLO_MS = 2000.0
TRAINING_SCOPE = "analytics:training"


@dataclass
class Extracted:
    turns: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    rag_pairs: list[dict[str, Any]] = field(default_factory=list)
    test_results: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)


def _get(obj: dict[str, Any] | None, *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _base(ev: dict[str, Any], event_id: str, hour: str, ts: datetime) -> dict[str, Any]:
    scopes = [s for s in ev.get("consent_scopes") or [] if isinstance(s, str)]
    return {
        "event_id": event_id,
        "hour": hour,
        "ts": ts,
        "session_id": ev.get("session_id"),
        "env": ev.get("env"),
        "consent_scopes": sorted(scopes),
        "training_ok": TRAINING_SCOPE in scopes,
    }


def extract_event(
    out: Extracted, ev: dict[str, Any], event_id: str, hour: str, ts: datetime
) -> None:
    """Append the records one valid event contributes to each silver table."""
    base = _base(ev, event_id, hour, ts)
    kind = ev.get("event")
    if kind == "orchestrator.turn":
        _turn(out, ev, base)
    elif kind in ("test.baseline", "test.failure"):
        _test(out, ev, base, kind)
    elif kind == "feedback":
        fb = ev.get("feedback") or {}
        out.feedback.append(
            {
                **base,
                "user_id": ev.get("user_id"),
                "target_turn_id": fb.get("target_turn_id"),
                "rating": fb.get("rating"),
                "comment": fb.get("comment"),
                "preferred_answer": fb.get("preferred_answer"),
            }
        )


def _turn(out: Extracted, ev: dict[str, Any], base: dict[str, Any]) -> None:
    calls = [c for c in ev.get("tool_calls") or [] if isinstance(c, dict)]
    hits = [h for h in _get(ev, "rag", "hits") or [] if isinstance(h, dict)]
    slo = _num(_get(ev, "test_metadata", "slo_target_ms")) or DEFAULT_SLO_MS
    e2e_full = _num(_get(ev, "metrics", "e2e_full_ms"))
    turn_id = ev.get("turn_id")
    intent = _get(ev, "nlu", "intent")
    out.turns.append(
        {
            **base,
            "turn_id": turn_id,
            "user_id": ev.get("user_id"),
            "lang": ev.get("lang"),
            "route": ev.get("route"),
            "text": _get(ev, "input", "text"),
            "asr_final_ms": _num(_get(ev, "input", "asr", "final_ms")),
            "intent": intent,
            "confidence": _num(_get(ev, "nlu", "confidence")),
            "slots": _get(ev, "nlu", "slots") or {},
            "alternatives": _get(ev, "nlu", "alternatives") or [],
            "output_text": _get(ev, "output", "text"),
            "guardian_state": _get(ev, "guardian", "state") or "NORMAL",
            "guardian_ram_pct": _num(_get(ev, "guardian", "ram_pct")),
            "brownout": bool(_get(ev, "guardian", "brownout")),
            "llm_model": _get(ev, "llm", "model"),
            "llm_first_ms": _num(_get(ev, "llm", "first_ms")),
            "llm_full_ms": _num(_get(ev, "llm", "full_ms")),
            "tokens": _get(ev, "llm", "tokens"),
            "e2e_first_ms": _num(_get(ev, "metrics", "e2e_first_ms")),
            "e2e_full_ms": e2e_full,
            "ram_peak_mb": _num(_get(ev, "metrics", "ram_peak_mb")),
            "energy_wh": _num(_get(ev, "metrics", "energy_wh")),
            "slo_target_ms": slo,
            "slo_violation": e2e_full is not None and e2e_full > slo,
            "regression_flag": bool(_get(ev, "test_metadata", "regression_flag")),
            "tool_call_count": len(calls),
            "tool_fail_count": sum(1 for c in calls if c.get("ok") is False),
            "rag_query": _get(ev, "rag", "query"),
            "rag_hit_count": len(hits),
        }
    )
    for i, call in enumerate(calls):
        out.tool_calls.append(
            {
                **base,
                "turn_id": turn_id,
                "call_index": i,
                "name": call.get("name"),
                "args": call.get("args") or {},
                "ok": bool(call.get("ok")),
                "lat_ms": _num(call.get("lat_ms")),
                "result": call.get("result"),
                "error": call.get("error"),
            }
        )
    for rank, hit in enumerate(hits, start=1):
        out.rag_pairs.append(
            {
                **base,
                "turn_id": turn_id,
                "query": _get(ev, "rag", "query") or _get(ev, "input", "text"),
                "doc_id": hit.get("doc_id"),
                "rank": rank,
                "score": _num(hit.get("score")),
                "top_k": _get(ev, "rag", "top_k"),
                "intent": intent,
            }
        )


def _test(out: Extracted, ev: dict[str, Any], base: dict[str, Any], kind: str) -> None:
    meta = ev.get("test_metadata") or {}
    failure = ev.get("failure") or {}
    out.test_results.append(
        {
            **base,
            "event": kind,
            "test_scenario": meta.get("test_scenario"),
            "slo_target_ms": _num(meta.get("slo_target_ms")),
            "slo_compliance": meta.get("slo_compliance"),
            "regression_flag": bool(meta.get("regression_flag")),
            "e2e_full_ms": _num(_get(ev, "metrics", "e2e_full_ms")),
            "test_name": failure.get("test_name"),
            "failure_type": failure.get("failure_type"),
            "severity": failure.get("severity"),
            "root_cause": failure.get("root_cause"),
            "message": failure.get("message"),
            "stack_trace": failure.get("stack_trace"),
            "system_state": failure.get("system_state"),
        }
    )
