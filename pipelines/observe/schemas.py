"""Schema of ``gold/slo_hourly``: one row per hour × SLO component (× LLM route)."""

from __future__ import annotations

from typing import Any

import polars as pl

SLO_HOURLY: dict[str, Any] = {
    "hour": pl.Utf8,  # YYYY-MM-DDTHH (UTC), the partition
    "component": pl.Utf8,  # voice_e2e, asr_partial, asr_final, guardian_response, llm_first_token,
    # llm_completion, tts_cached, tts_uncached, tool_success, wer_clean, wer_noisy,
    # intent_accuracy, ram_peak
    "route": pl.Utf8,  # micro | planner | deep for the LLM components, "" otherwise
    "unit": pl.Utf8,  # ms | ratio | mb
    "count": pl.Int64,  # measurements behind the row
    "p50": pl.Float64,  # quantiles (null for rate components)
    "p95": pl.Float64,
    "p99": pl.Float64,
    "actual": pl.Float64,  # the value judged: P95 for latencies, the rate for ratios, max for RAM
    "target": pl.Float64,
    "comparison": pl.Utf8,  # "<", "<=", ">=": actual <comparison> target is compliant
    "compliant": pl.Boolean,  # null when count is 0
}
