"""A lake holding what ``kvarn report`` reads, written through the declared schemas.

gold/slo_hourly and gold/dq_hourly through ``pipelines/observe/schemas.py``, gold/candidates
through ``CANDIDATE_SCHEMA``, export versions as ``metadata.json`` with ``latest`` moved by the
exporter's own ``update_latest``. Values are deterministic, with some SLO violations.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.writer import update_latest
from pipelines.gold.candidates import CANDIDATE_SCHEMA
from pipelines.io import delta
from pipelines.io.timestamps import hour_key
from pipelines.observe.schemas import DQ_HOURLY, SLO_HOURLY

START = datetime(2025, 9, 1, tzinfo=UTC)
# component, route, unit, target, comparison, base value
SLO_COMPONENTS = (
    ("voice_e2e", "", "ms", 2000.0, "<", 1500.0),
    ("llm_first_token", "micro", "ms", 300.0, "<", 250.0),
    ("tool_success", "", "ratio", 0.95, ">=", 0.97),
    ("ram_peak", "", "mb", 15000.0, "<", 12000.0),
)
RULES = ("nlu_uncertainty", "tool_failure", "slo_violation", "negative_feedback")


def hours(n: int) -> list[str]:
    return [hour_key(START + timedelta(hours=i)) for i in range(n)]


def slo_frame(n_hours: int) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, hour in enumerate(hours(n_hours)):
        for component, route, unit, target, comparison, base in SLO_COMPONENTS:
            swing = 1 + 0.4 * ((i * 7) % 5 - 2) / 2  # 0.6 … 1.4 of the base: some hours violate
            actual = base * swing if unit != "ratio" else min(1.0, base * (2 - swing) ** 0.1)
            ok = actual < target if comparison == "<" else actual >= target
            quantiles = (actual * 0.6, actual, actual * 1.2) if unit == "ms" else (None,) * 3
            rows.append({"hour": hour, "component": component, "route": route, "unit": unit,
                         "count": 40 + i, "p50": quantiles[0], "p95": quantiles[1],
                         "p99": quantiles[2], "actual": actual, "target": target,
                         "comparison": comparison, "compliant": ok})  # fmt: skip
    return pl.DataFrame(rows, schema=SLO_HOURLY)


def dq_frame(n_hours: int) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, hour in enumerate(hours(n_hours)):
        figures = (
            ("quarantine_rate", 0.01 + 0.002 * (i % 6), "ratio", 0.05, 0.1, ">", ""),
            ("duplicate_rate_exact", 0.05 + 0.01 * (i % 3), "ratio", None, None, ">", ""),
            ("duplicate_rate_near", 0.12 + 0.01 * (i % 4), "ratio", None, None, ">", ""),
            ("pii_entities_masked", 15.0, "count", None, None, ">", "PERSON:12, PHONE:3"),
            ("schema_compliance", 0.99, "ratio", 0.98, 0.95, "<", ""),
        )
        for metric, value, unit, warn, error, comparison, detail in figures:
            status = "info" if warn is None else "ok"
            rows.append({"hour": hour, "metric": metric, "value": value, "unit": unit,
                         "warn_at": warn, "error_at": error, "comparison": comparison,
                         "status": status, "detail": detail})  # fmt: skip
    return pl.DataFrame(rows, schema=DQ_HOURLY)


def candidates_frame(n_hours: int) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, hour in enumerate(hours(n_hours)):
        for j in range(3):
            reasons = [RULES[(i + j) % len(RULES)]] + ([RULES[0]] if j == 2 else [])
            rows.append({"candidate_id": f"c{i}-{j}", "event_ids": [f"e{i}-{j}"], "hour": hour,
                         "session_id": f"s{i}", "turn_id": f"t{j}", "env": "prod",
                         "intent": "lights.on", "reasons": reasons, "priority": "high",
                         "priority_rank": 1, "score": 0.5, "status": "pending"})  # fmt: skip
    return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA)


def write_export_version(exports: Path, kind: str, name: str, total: int) -> Path:
    folder = exports / kind / name
    folder.mkdir(parents=True)
    meta = {"kind": kind, "counts": {"total": total, "splits": {"train": total}}}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    update_latest(exports / kind, name)
    return folder


def write_report_lake(root: Path, n_hours: int = 48) -> LakeConfig:
    """SLO, DQ and candidate tables for ``n_hours`` from 2025-09-01T00, and five export versions."""
    cfg = LakeConfig(data_dir=str(root))
    delta.replace_table(cfg.table("gold", "slo_hourly"), slo_frame(n_hours))
    delta.replace_table(cfg.table("gold", "dq_hourly"), dq_frame(n_hours))
    delta.replace_table(cfg.table("gold", "candidates"), candidates_frame(n_hours))
    exports = Path(cfg.exports)
    for kind, name, total in (
        ("sft", "v20250901_060000", 120),
        ("sft", "v20250901_180000", 150),
        ("sft", "v20250902_060000", 135),
        ("nlu", "v20250901_120000", 300),
        ("nlu", "v20250902_120000", 340),
    ):
        write_export_version(exports, kind, name, total)
    return cfg
