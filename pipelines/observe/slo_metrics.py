"""``gold/slo_hourly`` as catalogue :class:`Metric` values, for reports, Prometheus and alerts.

Each component (and route) is shown by its latest hour with measurements in the window, so a
quiet last hour does not blank a component out; ``scope`` says which hour that was. Latency
quantiles go out in seconds (``slo_latency_seconds``); targets and actual values stay in the
component's own unit, as the catalogue declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.observe.metric import Metric, Status


def read_slo_rows(cfg: LakeConfig, hours: Sequence[str] | None = None) -> pl.DataFrame | None:
    """The table's rows, for ``hours`` only when given; None when no hour was built yet."""
    where = pl.col("hour").is_in(list(hours)) if hours is not None else None
    return delta.read_table(cfg.table("gold", "slo_hourly"), where=where,
                            storage_options=cfg.storage_options)  # fmt: skip


def latest_with_samples(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Per component and route, the row of the newest hour that had measurements."""
    measured = rows.filter(pl.col("count") > 0).sort("hour")
    latest = measured.group_by("component", "route", maintain_order=True).last()
    return latest.sort("component", "route").to_dicts()


def slo_metrics(rows: pl.DataFrame) -> list[Metric]:
    """The SLO metrics of the catalogue for the latest measured hour of each component."""
    out: list[Metric] = []
    for row in latest_with_samples(rows):
        labels = Metric.labelled(component=row["component"], route=row["route"])
        status: Status = "ok" if row["compliant"] else "error"
        scope = f"hour:{row['hour']}"
        detail = f"{row['comparison']} {row['target']:g} {row['unit']}"
        out += [
            Metric("slo_actual", row["actual"], labels, status, scope, target=row["target"],
                   detail=detail),
            Metric("slo_target", row["target"], labels, "info", scope),
            Metric("slo_compliant", 1.0 if row["compliant"] else 0.0, labels, status, scope),
            Metric("slo_samples", float(row["count"]), labels, "info", scope),
        ]  # fmt: skip
        if row["unit"] == "ms" and row["p95"] is not None:
            for quantile, col in (("0.5", "p50"), ("0.95", "p95"), ("0.99", "p99")):
                q_labels = Metric.labelled(
                    component=row["component"], route=row["route"], quantile=quantile
                )
                q_status: Status = status if col == "p95" else "info"
                out.append(
                    Metric("slo_latency_seconds", row[col] / 1000.0, q_labels, q_status, scope)
                )
    return out
