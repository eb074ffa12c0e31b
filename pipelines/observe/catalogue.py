"""Every metric kvarn publishes: name, kind, base unit, help text and label names.

Names follow Prometheus conventions (rendered with the ``kvarn_`` prefix): base units in the
name (``_seconds``, ``_bytes``, ``_ratio``), ``_total`` for counters. ``docs/metrics.md`` documents
each entry and a test keeps the two in step. Add a metric here before anything emits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["gauge", "counter"]
PREFIX = "kvarn_"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: Kind
    unit: str
    help: str
    labels: tuple[str, ...] = ()

    @property
    def exposed_name(self) -> str:
        return PREFIX + self.name


_SPECS = (
    # SLOs (gold/slo_hourly, latest complete hour in the window)
    # `percentile` (p50/p95/p99, as gold/slo_hourly's columns), not `quantile`: Prometheus
    # reserves that label for summaries and `promtool check metrics` rejects it on a gauge.
    MetricSpec("slo_latency_seconds", "gauge", "seconds",
               "Latency percentile of an SLO component over the latest hour with samples.",
               ("component", "route", "percentile")),
    MetricSpec("slo_target", "gauge", "component unit",
               "The SLO target of a component, in the unit of its actual value.",
               ("component", "route")),
    MetricSpec("slo_actual", "gauge", "component unit",
               "The value compared with the target (P95 for latencies, the rate for ratios).",
               ("component", "route")),
    MetricSpec("slo_compliant", "gauge", "boolean",
               "1 when the component met its target in the latest hour with samples, else 0.",
               ("component", "route")),
    MetricSpec("slo_samples", "gauge", "samples",
               "How many measurements the latest hour's SLO value rests on.",
               ("component", "route")),
    MetricSpec("guardian_state_ratio", "gauge", "ratio",
               "Share of turns in each guardian state over the latest hour.", ("state",)),
    # Pipeline volume and quality
    # Counters run over every hour gold/dq_hourly holds (reruns of an hour replace, not add).
    MetricSpec("input_lines_total", "counter", "lines",
               "Landing lines read into bronze (every line lands in events or quarantine).", ()),
    MetricSpec("table_rows", "gauge", "rows", "Rows in a lake table.", ("layer", "table")),
    MetricSpec("quarantined_lines_total", "counter", "lines",
               "Landing lines quarantined, by reason.", ("reason",)),
    MetricSpec("quarantine_ratio", "gauge", "ratio",
               "Quarantined share of the lines of the hours this run processed.", ()),
    MetricSpec("duplicate_ratio", "gauge", "ratio",
               "Duplicate share of silver turns, exact (hash) or near (MinHash LSH).", ("kind",)),
    MetricSpec("pii_entities_masked_total", "counter", "entities",
               "PII entities masked in silver turns, by entity type.", ("entity",)),
    MetricSpec("consent_coverage_ratio", "gauge", "ratio",
               "Share of silver turns whose consent allows training.", ()),
    MetricSpec("gold_candidates", "gauge", "rows", "Gold candidates by active-learning rule.",
               ("rule",)),
    MetricSpec("export_rows", "gauge", "rows", "Rows in the latest export version of a dataset.",
               ("dataset",)),
    MetricSpec("export_quality_change_ratio", "gauge", "ratio",
               "Relative change of an export quality metric against the previous version.",
               ("dataset", "metric")),
    # Runs and freshness
    MetricSpec("run_duration_seconds", "gauge", "seconds", "Wall time of the last run.", ()),
    MetricSpec("run_success", "gauge", "boolean", "1 when the last run succeeded.", ()),
    MetricSpec("last_run_timestamp_seconds", "gauge", "seconds",
               "Unix time the last run ended.", ()),
    MetricSpec("last_successful_hour_timestamp_seconds", "gauge", "seconds",
               "Unix time of the start of the newest hour whose silver built cleanly.", ()),
    MetricSpec("dq_check_status", "gauge", "level",
               "Data-quality threshold result per check: 0 ok, 1 warn, 2 error.", ("check",)),
    # The exporter itself (added by `kvarn metrics serve` at scrape time, not in the textfile)
    MetricSpec("metrics_textfile_age_seconds", "gauge", "seconds",
               "Seconds since the metrics textfile was last written, at scrape time.", ()),
    # Run reports (pipelines/observe/snapshot.py): the run's hours as gold/dq_hourly sums them
    MetricSpec("run_rows", "gauge", "rows",
               "Rows of the run's hours in a layer's table.", ("layer", "table")),
    MetricSpec("run_input_lines", "gauge", "lines",
               "Landing lines of the run's hours.", ()),
    MetricSpec("run_quarantined_lines", "gauge", "lines",
               "Quarantined lines of the run's hours, by reason.", ("reason",)),
    MetricSpec("run_pii_entities_masked", "gauge", "entities",
               "PII entities masked in the silver turns of the run's hours, by entity type.",
               ("entity",)),
    MetricSpec("run_partitions", "gauge", "partitions",
               "Hours the run materialized, by result (ok or failed).", ("result",)),
    MetricSpec("schema_compliance_ratio", "gauge", "ratio",
               "Share of the run's landing lines that met the event schema.", ()),
    MetricSpec("masking_residuals", "gauge", "findings",
               "Masking residuals the hourly check found in the run's silver hours.", ()),
    MetricSpec("retention_compliance_ratio", "gauge", "ratio",
               "Share of partitions inside the retention policy, over the run's hours.", ()),
    MetricSpec("freshness_seconds", "gauge", "seconds",
               "Age of the last good hour when the run's newest hour was judged.", ()),
    MetricSpec("dq_figure", "gauge", "dq_hourly unit",
               "A gold/dq_hourly figure without a metric of its own, over the run's hours.",
               ("metric",)),
)  # fmt: skip

CATALOGUE: dict[str, MetricSpec] = {spec.name: spec for spec in _SPECS}


def spec(name: str) -> MetricSpec:
    """The catalogue entry of ``name``; a clear error for a metric nobody declared."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"metric {name!r} is not in pipelines/observe/catalogue.py") from None
