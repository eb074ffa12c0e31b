"""Column types of every silver table (one place, so empty hours write the same schema)."""

from __future__ import annotations

from typing import Any

import polars as pl

_TS = pl.Datetime("us", "UTC")
_COMMON: dict[str, Any] = {
    "event_id": pl.Utf8,
    "hour": pl.Utf8,
    "ts": _TS,
    "session_id": pl.Utf8,
    "env": pl.Utf8,
    "consent_scopes": pl.List(pl.Utf8),
    "training_ok": pl.Boolean,
}

TURNS: dict[str, Any] = {
    **_COMMON,
    "turn_id": pl.Utf8,
    "user_pseudo": pl.Utf8,
    "lang": pl.Utf8,
    "route": pl.Utf8,
    "text": pl.Utf8,
    "text_normalized": pl.Utf8,
    "dedupe_text": pl.Utf8,
    "dates": pl.Utf8,
    "input_audio_ref": pl.Utf8,
    "asr_partial_ms": pl.Float64,
    "asr_final_ms": pl.Float64,
    "asr_wer_ref": pl.Float64,
    "intent": pl.Utf8,
    "confidence": pl.Float64,
    "slots": pl.Utf8,
    "alternatives": pl.Utf8,
    "output_text": pl.Utf8,
    "output_text_en": pl.Utf8,
    "output_lang": pl.Utf8,
    "tts_voice": pl.Utf8,
    "tts_cache": pl.Utf8,
    "tts_cached": pl.Boolean,
    "tts_lat_ms": pl.Float64,
    "tts_audio_ref": pl.Utf8,
    "guardian_state": pl.Utf8,
    "guardian_ram_pct": pl.Float64,
    "brownout_level": pl.Utf8,
    "brownout": pl.Boolean,
    "llm_model": pl.Utf8,
    "llm_first_ms": pl.Float64,
    "llm_full_ms": pl.Float64,
    "tokens": pl.Int64,
    "e2e_first_ms": pl.Float64,
    "e2e_full_ms": pl.Float64,
    "ram_peak_mb": pl.Float64,
    "energy_wh": pl.Float64,
    "slo_target_ms": pl.Float64,
    "slo_violation": pl.Boolean,
    "slo_compliance": pl.Boolean,
    "regression_flag": pl.Boolean,
    "test_scenario": pl.Utf8,
    "expected_intent": pl.Utf8,
    "pii_masked_by_producer": pl.Boolean,
    "tool_call_count": pl.Int64,
    "tool_fail_count": pl.Int64,
    "rag_query": pl.Utf8,
    "rag_hit_count": pl.Int64,
    "pii_entities": pl.Utf8,
    "mask_mode": pl.Utf8,
    "cluster_id": pl.Utf8,
    "cluster_size": pl.Int64,
    "is_representative": pl.Boolean,
}
TOOL_CALLS: dict[str, Any] = {
    **_COMMON,
    "turn_id": pl.Utf8,
    "call_index": pl.Int64,
    "name": pl.Utf8,
    "args": pl.Utf8,
    "ok": pl.Boolean,
    "lat_ms": pl.Float64,
    "result": pl.Utf8,
    "error": pl.Utf8,
}
RAG_PAIRS: dict[str, Any] = {
    **_COMMON,
    "turn_id": pl.Utf8,
    "query": pl.Utf8,
    "doc_id": pl.Utf8,
    "rank": pl.Int64,
    "score": pl.Float64,
    "top_k": pl.Int64,
    "intent": pl.Utf8,
}
TEST_RESULTS: dict[str, Any] = {
    **_COMMON,
    "event": pl.Utf8,
    "component": pl.Utf8,
    "action": pl.Utf8,
    "test_name": pl.Utf8,
    "test_scenario": pl.Utf8,
    "expected_intent": pl.Utf8,
    "slo_target_ms": pl.Float64,
    "slo_compliance": pl.Boolean,
    "slo_checks": pl.Utf8,
    "regression_flag": pl.Boolean,
    "e2e_full_ms": pl.Float64,
    "response_time_ms": pl.Float64,
    "success": pl.Boolean,
    "status_code": pl.Int64,
    "metrics": pl.Utf8,
    "environment": pl.Utf8,
    "failure_type": pl.Utf8,
    "severity": pl.Utf8,
    "root_cause": pl.Utf8,
    "message": pl.Utf8,
    "user_impact": pl.Utf8,
    "system_stability": pl.Utf8,
    "reproduction_steps": pl.Utf8,
    "stack_trace": pl.Utf8,
    "system_state": pl.Utf8,
    "input_text": pl.Utf8,
    "response_content": pl.Utf8,
}
FEEDBACK: dict[str, Any] = {
    **_COMMON,
    "user_pseudo": pl.Utf8,
    "target_turn_id": pl.Utf8,
    "rating": pl.Int64,
    "comment": pl.Utf8,
    "preferred_answer": pl.Utf8,
}

# Every masked field also exists with consistent surrogates (``<field>_surrogate``), so exports
# can choose placeholder or surrogate masking without ever needing the raw value again.
SURROGATE_FIELDS: dict[str, tuple[str, ...]] = {
    "turns": ("text", "output_text", "output_text_en", "rag_query", "slots"),
    "tool_calls": ("args", "result", "error"),
    "rag_pairs": ("query",),
    "test_results": (),
    "feedback": ("comment", "preferred_answer"),
}


def _with_surrogates(table: str, schema: dict[str, Any]) -> dict[str, Any]:
    out = dict(schema)
    for name in SURROGATE_FIELDS[table]:
        out[f"{name}_surrogate"] = pl.Utf8
    return out


TURNS = _with_surrogates("turns", TURNS)
TOOL_CALLS = _with_surrogates("tool_calls", TOOL_CALLS)
RAG_PAIRS = _with_surrogates("rag_pairs", RAG_PAIRS)
FEEDBACK = _with_surrogates("feedback", FEEDBACK)

SILVER_SCHEMAS: dict[str, dict[str, Any]] = {
    "turns": TURNS,
    "tool_calls": TOOL_CALLS,
    "rag_pairs": RAG_PAIRS,
    "test_results": TEST_RESULTS,
    "feedback": FEEDBACK,
}

# Statistics only on columns that never hold free text.
STATS_COLUMNS = ["event_id", "hour", "ts", "env", "training_ok"]


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The table's rows as a frame of its schema, built column by column.

    Strict columns take only values already of their type, which is what extraction and
    masking produce; any other value (a producer's ``"5"`` as a rating) sends the whole table
    through polars' row builder, whose casts and errors stay exactly as they were."""
    schema = SILVER_SCHEMAS[table]
    if not rows:
        return pl.DataFrame(schema=schema)
    try:
        return pl.DataFrame({k: [r.get(k) for r in rows] for k in schema}, schema=schema)
    except (TypeError, OverflowError, pl.exceptions.PolarsError):
        cleaned = [{k: r.get(k) for k in schema} for r in rows]
        return pl.DataFrame(cleaned, schema=schema, orient="row")
