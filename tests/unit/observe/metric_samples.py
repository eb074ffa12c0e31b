"""A realistic metric list: every catalogue entry with label values a real run produces."""

from __future__ import annotations

from itertools import product

from pipelines.observe.catalogue import CATALOGUE
from pipelines.observe.metric import Metric

LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "component": ("voice_e2e", "llm_first_token"),
    "route": ("", "micro", "deep"),
    "percentile": ("p50", "p95", "p99"),
    "state": ("NORMAL", "ALERT", "DEGRADED", "EMERGENCY"),
    "layer": ("bronze", "silver"),
    "table": ("events", "turns"),
    "reason": ("invalid_json", "schema_violation"),
    "kind": ("exact", "near"),
    "entity": ("PERSON", "SE_PERSONNUMMER", "PHONE_NUMBER"),
    "result": ("ok", "failed"),
    "rule": ("low_confidence", "negative_feedback"),
    "dataset": ("sft", "dpo"),
    "metric": ("rows", "mean_quality"),
    "check": ("quarantine_rate", "masking_residuals"),
}
SPECIAL = {"slo_actual": float("nan"), "slo_target": float("inf"), "run_duration_seconds": 12.75}


def every_catalogue_metric() -> list[Metric]:
    """One metric per label combination of every catalogue entry, values varied and special."""
    out: list[Metric] = []
    for i, (name, entry) in enumerate(CATALOGUE.items()):
        combos = product(*(LABEL_VALUES[label] for label in entry.labels))
        for j, values in enumerate(combos):
            value = SPECIAL.get(name, float(i * 10 + j) + (0.25 if entry.kind == "gauge" else 0))
            labels = Metric.labelled(**dict(zip(entry.labels, values, strict=True)))
            out.append(Metric(name, value, labels, scope="lake"))
    return out


def published_metrics() -> list[Metric]:
    """What a run writes to the textfile: everything but the age the scrape adds itself."""
    return [m for m in every_catalogue_metric() if m.name != "metrics_textfile_age_seconds"]
