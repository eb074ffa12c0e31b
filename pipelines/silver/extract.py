"""Raw bronze events → plain records for each silver table, before any masking.

Kept separate from masking so the shape of silver is readable in one place and testable on
crafted events. Events come in the producers' unified format (string enums such as
``brownout: "NONE"`` and ``tts.cache: "HIT"``, ``output.text_en``, the ``test.*`` family with
top-level test fields) and in kvarn's earlier dialect (booleans, a ``failure`` object); both
land in the same typed columns. JSON-valued fields stay Python values here and are masked
and serialized by ``silver.privacy``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipelines.bronze.envelope import derive_env
from pipelines.silver.consent import consent_scopes, training_allowed

DEFAULT_SLO_MS = 2000.0
NO_BROWNOUT = frozenset({"NONE", "OFF", "FALSE", "NO", "0"})


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
    """A finite number as float; anything else (bool, text, NaN, ±Infinity) is None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _level(value: Any, true: str, false: str) -> str | None:
    """A status the producers write as text ("NONE", "HIT"); legacy producers wrote booleans."""
    if isinstance(value, bool):
        return true if value else false
    return value.upper() if isinstance(value, str) and value else None


def _base(ev: dict[str, Any], event_id: str, hour: str, ts: datetime) -> dict[str, Any]:
    scopes = consent_scopes(ev.get("consent_scopes"))
    return {
        "event_id": event_id,
        "hour": hour,
        "ts": ts,
        "session_id": _str(ev.get("session_id")),
        "env": derive_env(ev)[0],
        "consent_scopes": scopes,
        "training_ok": training_allowed(scopes),
    }


def extract_event(
    out: Extracted, ev: dict[str, Any], event_id: str, hour: str, ts: datetime
) -> None:
    """Append the records one valid event contributes to each silver table."""
    base = _base(ev, event_id, hour, ts)
    kind = ev.get("event")
    if kind == "orchestrator.turn":
        _turn(out, ev, base)
    elif isinstance(kind, str) and kind.startswith("test."):
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
    meta = _obj(ev.get("test_metadata"))
    slo = _num(meta.get("slo_target_ms")) or DEFAULT_SLO_MS
    e2e_full = _num(_get(ev, "metrics", "e2e_full_ms"))
    turn_id = _str(ev.get("turn_id"))
    intent = _str(_get(ev, "nlu", "intent"))
    output = _obj(ev.get("output"))
    tts = _obj(output.get("tts"))
    answer, answer_en = _str(output.get("text")), _str(output.get("text_en"))
    brownout = _level(_get(ev, "guardian", "brownout"), "ACTIVE", "NONE")
    cache = _level(tts.get("cache"), "HIT", "MISS")
    out.turns.append(
        {
            **base,
            "turn_id": turn_id,
            "user_id": _str(ev.get("user_id")),
            "lang": _str(ev.get("lang")),
            "route": _str(ev.get("route")),
            "text": _str(_get(ev, "input", "text")),
            "input_audio_ref": _str(_get(ev, "input", "audio_ref")),
            "asr_partial_ms": _num(_get(ev, "input", "asr", "partial_ms")),
            "asr_final_ms": _num(_get(ev, "input", "asr", "final_ms")),
            "asr_wer_ref": _num(_get(ev, "input", "asr", "wer_ref")),
            "intent": intent,
            "confidence": _num(_get(ev, "nlu", "confidence")),
            "slots": _obj(_get(ev, "nlu", "slots")),
            "alternatives": _get(ev, "nlu", "alternatives") or [],
            # The answer as logged: Swedish ``text`` when written, else the English ``text_en``.
            "output_text": answer if answer is not None else answer_en,
            "output_text_en": answer_en,
            "output_lang": "sv"
            if answer is not None
            else ("en" if answer_en is not None else None),
            "tts_voice": _str(tts.get("voice")),
            "tts_cache": cache,
            "tts_cached": None if cache is None else cache == "HIT",
            "tts_lat_ms": _num(tts.get("lat_ms")),
            "tts_audio_ref": _str(tts.get("audio_ref")),
            "guardian_state": _str(_get(ev, "guardian", "state")) or "NORMAL",
            "guardian_ram_pct": _num(_get(ev, "guardian", "ram_pct")),
            "brownout_level": brownout,
            "brownout": brownout is not None and brownout not in NO_BROWNOUT,
            "llm_model": _str(_get(ev, "llm", "model")),
            "llm_first_ms": _num(_get(ev, "llm", "first_ms")),
            "llm_full_ms": _num(_get(ev, "llm", "full_ms")),
            "tokens": _int(_get(ev, "llm", "tokens")),
            "e2e_first_ms": _num(_get(ev, "metrics", "e2e_first_ms")),
            "e2e_full_ms": e2e_full,
            "ram_peak_mb": _num(_get(ev, "metrics", "ram_peak_mb")),
            "energy_wh": _num(_get(ev, "metrics", "energy_wh")),
            "slo_target_ms": slo,
            "slo_violation": e2e_full is not None and e2e_full > slo,
            "slo_compliance": meta.get("slo_compliance")
            if isinstance(meta.get("slo_compliance"), bool)
            else None,
            "regression_flag": meta.get("regression_flag") is True,
            "test_scenario": _str(meta.get("test_scenario")) or _str(meta.get("scenario")),
            "expected_intent": _str(meta.get("expected_intent")),
            "pii_masked_by_producer": ev.get("pii_masked") is True,
            "tool_call_count": len(calls),
            "tool_fail_count": sum(1 for c in calls if c.get("ok") is False),
            "rag_query": _str(_get(ev, "rag", "query")),
            "rag_hit_count": len(hits),
        }
    )
    for i, call in enumerate(calls):
        out.tool_calls.append(
            {
                **base,
                "turn_id": turn_id,
                "call_index": i,
                "name": _str(call.get("name")),
                "args": _obj(call.get("args")),
                "ok": call.get("ok") is not False,
                "lat_ms": _num(call.get("lat_ms")),
                "result": _text(call.get("result")),
                "error": _text(call.get("error")),
            }
        )
    for rank, hit in enumerate(hits, start=1):
        out.rag_pairs.append(
            {
                **base,
                "turn_id": turn_id,
                "query": _str(_get(ev, "rag", "query")) or _str(_get(ev, "input", "text")),
                "doc_id": _str(hit.get("doc_id")),
                "rank": rank,
                "score": _num(hit.get("score")),
                "top_k": _int(_get(ev, "rag", "top_k")),
                "intent": intent,
            }
        )


def _text(value: Any) -> str | None:
    """Free text as text; any other JSON value (a tool result object) as its JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _test(out: Extracted, ev: dict[str, Any], base: dict[str, Any], kind: str) -> None:
    """One row per ``test.*`` event: the seed's top-level fields (``log_performance_baseline``,
    ``log_test_failure``, ``test.<component>.<action>``) or the legacy ``failure`` object."""
    meta = _obj(ev.get("test_metadata"))
    legacy = _obj(ev.get("failure"))
    impact = _obj(ev.get("impact_assessment"))
    metrics = _obj(ev.get("metrics"))
    checks = ev.get("slo_compliance")
    parts = kind.split(".")
    action = parts[2] if len(parts) > 2 else None
    component = _str(ev.get("component")) or (parts[1] if len(parts) > 2 else None)
    compliance = meta.get("slo_compliance")
    if not isinstance(compliance, bool):
        if isinstance(checks, dict) and checks:
            compliance = all(v is not False for v in checks.values())
        else:
            compliance = checks if isinstance(checks, bool) else None
    steps = ev.get("reproduction_steps")
    trace = _first(ev.get("stack_trace"), legacy.get("stack_trace"))
    severity = _str(_first(impact.get("severity"), legacy.get("severity")))
    inp = _obj(ev.get("input"))
    response = _obj(ev.get("response"))
    out.test_results.append(
        {
            **base,
            "event": kind,
            "component": component,
            "action": action,
            "test_name": _str(_first(ev.get("test_name"), legacy.get("test_name"))),
            "test_scenario": _str(meta.get("test_scenario")) or _str(meta.get("scenario")),
            "expected_intent": _str(meta.get("expected_intent")),
            "slo_target_ms": _num(meta.get("slo_target_ms")),
            "slo_compliance": compliance,
            "slo_checks": json.dumps(checks, sort_keys=True) if isinstance(checks, dict) else None,
            "regression_flag": meta.get("regression_flag") is True,
            "e2e_full_ms": _num(metrics.get("e2e_full_ms")),
            "response_time_ms": _num(metrics.get("response_time_ms")),
            "success": metrics.get("success") if isinstance(metrics.get("success"), bool) else None,
            "status_code": _int(response.get("status_code")),
            "metrics": metrics or None,
            "environment": ev.get("environment")
            if isinstance(ev.get("environment"), dict)
            else None,
            "failure_type": _str(_first(ev.get("failure_type"), legacy.get("failure_type"))),
            "severity": severity.lower() if severity else None,
            "root_cause": _text(_first(ev.get("root_cause"), legacy.get("root_cause"))),
            "message": _text(legacy.get("message")),
            "user_impact": _text(impact.get("user_impact")),
            "system_stability": _text(impact.get("system_stability")),
            "reproduction_steps": [steps] if isinstance(steps, str) else steps,
            "stack_trace": "\n".join(map(str, trace)) if isinstance(trace, list) else _text(trace),
            "system_state": _first(ev.get("system_state"), legacy.get("system_state")),
            "input_text": _str(inp.get("text")) or _str(inp.get("message")),
            "response_content": response.get("content"),
        }
    )


def _first(*values: Any) -> Any:
    """The first value that is not None (seed fields first, then the legacy ones)."""
    return next((v for v in values if v is not None), None)
