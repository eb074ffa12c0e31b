"""Where each SLO component's measurements come from in silver, one hour at a time.

Every sample is a field the assistant's producers write (seed 000's unified event format and
test helpers) as it lands in silver: turn latencies in ``silver.turns``, tool outcomes in
``silver.tool_calls``, ``guardian_ms`` of ``test.baseline`` in ``silver.test_results.metrics``
(JSON) and the chat test's returned intent in ``response_content`` (JSON). Rate components
yield 1.0/0.0 per measurement, so every component is one float series.
"""

from __future__ import annotations

import polars as pl

# The only columns the SLO table reads, so an hour's read stays small.
TURN_COLUMNS = [
    "route", "asr_partial_ms", "asr_final_ms", "asr_wer_ref", "intent", "expected_intent",
    "output_text", "tts_cached", "tts_lat_ms", "llm_first_ms", "llm_full_ms", "e2e_full_ms",
    "ram_peak_mb", "test_scenario",
]  # fmt: skip
TOOL_CALL_COLUMNS = ["ok"]
TEST_RESULT_COLUMNS = ["metrics", "expected_intent", "response_content"]

# The seed's uncached TTS target holds for answers of at most this many characters.
TTS_UNCACHED_MAX_CHARS = 40
# Test scenarios recorded with background noise (the seed's café, traffic and rain profiles).
NOISY_SCENARIO = r"(?i)nois|cafe|café|traffic|rain"


def _floats(frame: pl.DataFrame, expr: pl.Expr) -> pl.Series:
    return frame.select(expr.cast(pl.Float64, strict=False).alias("v"))["v"].drop_nulls()


def _json_number(column: str, key: str) -> pl.Expr:
    return pl.col(column).str.json_path_match(f"$.{key}").cast(pl.Float64, strict=False)


def component_samples(
    component: str,
    route: str,
    turns: pl.DataFrame,
    tool_calls: pl.DataFrame,
    test_results: pl.DataFrame,
) -> pl.Series:
    """The hour's measurements of one component (and route); empty when there are none."""
    if component == "voice_e2e":
        return _floats(turns, pl.col("e2e_full_ms"))
    if component == "asr_partial":
        return _floats(turns, pl.col("asr_partial_ms"))
    if component == "asr_final":
        return _floats(turns, pl.col("asr_final_ms"))
    if component == "guardian_response":
        return _floats(test_results, _json_number("metrics", "guardian_ms"))
    if component in ("llm_first_token", "llm_completion"):
        col = "llm_first_ms" if component == "llm_first_token" else "llm_full_ms"
        return _floats(turns.filter(pl.col("route") == route), pl.col(col))
    if component == "tts_cached":
        return _floats(turns.filter(pl.col("tts_cached")), pl.col("tts_lat_ms"))
    if component == "tts_uncached":
        short = pl.col("output_text").str.len_chars() <= TTS_UNCACHED_MAX_CHARS
        return _floats(turns.filter(~pl.col("tts_cached") & short), pl.col("tts_lat_ms"))
    if component == "tool_success":
        return _floats(tool_calls, pl.col("ok"))
    if component in ("wer_clean", "wer_noisy"):
        noisy = pl.col("test_scenario").fill_null("").str.contains(NOISY_SCENARIO)
        which = noisy if component == "wer_noisy" else ~noisy
        return _floats(turns.filter(which), pl.col("asr_wer_ref"))
    if component == "intent_accuracy":
        return pl.concat([_intent_hits_turns(turns), _intent_hits_chat_tests(test_results)])
    if component == "ram_peak":
        return _floats(turns, pl.col("ram_peak_mb"))
    raise KeyError(f"no measurement for SLO component {component!r}")


def _intent_hits_turns(turns: pl.DataFrame) -> pl.Series:
    """Test turns that say which intent they expected: 1.0 when NLU found it."""
    scored = turns.filter(pl.col("expected_intent").is_not_null())
    return _floats(scored, pl.col("intent").fill_null("") == pl.col("expected_intent"))


def _intent_hits_chat_tests(test_results: pl.DataFrame) -> pl.Series:
    """Chat tests with an expected intent and an answer that names the intent it found."""
    found = pl.col("response_content").str.json_path_match("$.intent")
    scored = test_results.filter(pl.col("expected_intent").is_not_null() & found.is_not_null())
    return _floats(scored, found == pl.col("expected_intent"))
