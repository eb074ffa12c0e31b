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

# ``gold/dq_hourly``: one row per hour × data-quality metric, judged against config thresholds.
DQ_HOURLY: dict[str, Any] = {
    "hour": pl.Utf8,  # YYYY-MM-DDTHH (UTC)
    "metric": pl.Utf8,  # schema_compliance, quarantine_rate, duplicate_rate_exact,
    # duplicate_rate_near, masking_residuals, consent_coverage, retention_compliance,
    # pii_entities_masked, rows_bronze, rows_silver, ... (see pipelines/observe/thresholds.yaml)
    "value": pl.Float64,
    "unit": pl.Utf8,  # ratio | count | hours
    "warn_at": pl.Float64,  # null: no threshold (an informational figure)
    "error_at": pl.Float64,
    "comparison": pl.Utf8,  # ">" breaches when value > threshold, "<" when value < threshold
    "status": pl.Utf8,  # ok | warn | error | info
    "detail": pl.Utf8,  # e.g. the top quarantine reasons; never personal data
}
