"""``gold/slo_hourly`` as catalogue :class:`Metric` values, for reports, Prometheus and alerts.

Each component (and route) is shown by its latest hour with measurements in the window, so a
quiet last hour does not blank a component out; ``scope`` says which hour that was. Latency
quantiles go out in seconds (``slo_latency_seconds``); targets and actual values stay in the
component's own unit, as the catalogue declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.timestamps import hour_start
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


def slo_metrics(rows: pl.DataFrame | None) -> list[Metric]:
    """The SLO metrics of the catalogue for the latest measured hour of each component.

    ``extra`` carries the component's unit, comparison and hour for the run report's table;
    latency percentiles go out as ``percentile=p50|p95|p99`` (Prometheus reserves ``quantile``).
    """
    if rows is None or rows.is_empty():
        return []
    out: list[Metric] = []
    for row in latest_with_samples(rows):
        route = row["route"] or ""
        labels = Metric.labelled(component=row["component"], route=route)
        compliant = row["compliant"]
        status: Status = "info" if compliant is None else "ok" if compliant else "error"
        scope = f"hour:{row['hour']}"
        when = hour_start(row["hour"])
        extra = {"unit": row["unit"] or "", "comparison": row["comparison"] or "",
                 "hour": row["hour"]}  # fmt: skip
        base = Metric("slo_samples", float(row["count"]), labels, "info", scope, when, extra=extra)
        target = row["target"]
        if row["actual"] is not None:
            detail = f"{row['comparison']} {target:g} {row['unit']}" if target is not None else ""
            out.append(replace(base, name="slo_actual", value=float(row["actual"]),
                               status=status, target=target, detail=detail))  # fmt: skip
        if target is not None:
            out.append(replace(base, name="slo_target", value=float(target)))
        if compliant is not None:
            out.append(replace(base, name="slo_compliant", value=float(compliant), status=status))
        out.append(base)
        if row["unit"] == "ms":
            for col in ("p50", "p95", "p99"):
                if row[col] is not None:
                    q_labels = Metric.labelled(component=row["component"], route=route,
                                               percentile=col)  # fmt: skip
                    q_status: Status = status if col == "p95" else "info"
                    out.append(replace(base, name="slo_latency_seconds", value=row[col] / 1000.0,
                                       labels=q_labels, status=q_status))  # fmt: skip
    return out
