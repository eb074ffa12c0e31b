"""A run's figures as contract :class:`Metric`\\ s, read from the tables the run left behind.

One function, :func:`collect`, gathers everything a run report shows: SLOs per component (the
latest hour with samples among the run's hours), data quality summed over the run's hours
(``gold/dq_hourly``), candidates per rule, export rows, table rows and the run itself. A table
that does not exist yet simply yields no metrics; the report says what is missing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.diff import compare_metadata
from pipelines.export.options import KINDS
from pipelines.export.writer import VERSION_RE, latest_name, read_metadata
from pipelines.io import delta
from pipelines.io.timestamps import hour_start
from pipelines.observe.metric import STATUSES, Metric, Status
from pipelines.observe.schemas import DQ_HOURLY
from pipelines.observe.slo_metrics import read_slo_rows, slo_metrics

SEVERITY: dict[str, int] = {"info": -1, "ok": 0, "warn": 1, "error": 2}
_ID = re.compile(r"^[A-Za-z0-9_.:/ -]{1,64}$")  # ids, rule names, reasons like "invalid JSON"


@dataclass(frozen=True)
class RunFacts:
    """What a run did, independent of which door (``kvarn run`` or Dagster) started it."""

    id: str
    started: datetime
    ended: datetime
    hours: tuple[str, ...]
    failed_hours: tuple[str, ...] = ()
    source: str = "kvarn run"  # or "dagster"
    error: str = ""  # one line without personal data, e.g. "gold training tables failed"

    @property
    def duration_seconds(self) -> float:
        return max(0.0, (self.ended - self.started).total_seconds())

    @property
    def ok_hours(self) -> tuple[str, ...]:
        return tuple(h for h in self.hours if h not in self.failed_hours)

    @property
    def success(self) -> bool:
        return not self.failed_hours and not self.error


def worst(statuses: list[str]) -> Status:
    """The most severe of ``statuses`` (error > warn > ok > info)."""
    known: list[Status] = [s for s in STATUSES if s in statuses]
    return max(known, key=SEVERITY.__getitem__) if known else "info"


def parse_counts(detail: str) -> Counter[str]:
    """``"a:3, b:1"`` → counts; anything that is not an id is dropped (nothing personal)."""
    out: Counter[str] = Counter()
    for part in (detail or "").split(","):
        key, _, n = part.strip().rpartition(":")
        if key and _ID.match(key) and n.strip().isdigit():
            out[key] += int(n)
    return out


def _read(cfg: LakeConfig, layer: str, name: str, hours: tuple[str, ...]) -> pl.DataFrame | None:
    if not hours:
        return None
    frame = delta.read_table(
        cfg.table(layer, name),
        where=pl.col("hour").is_in(list(hours)),
        storage_options=cfg.storage_options,
    )
    return frame if frame is not None and frame.height else None


def guardian_metrics(cfg: LakeConfig, hours: tuple[str, ...]) -> list[Metric]:
    """Share of the run's silver turns per guardian state."""
    turns = _read(cfg, "silver", "turns", hours)
    if turns is None or "guardian_state" not in turns.columns:
        return []
    counts = turns.group_by("guardian_state").len().sort("guardian_state")
    total = turns.height
    return [
        Metric("guardian_state_ratio", n / total, Metric.labelled(state=str(state)))
        for state, n in counts.iter_rows()
        if state is not None and _ID.match(str(state))
    ]


# --- data quality (gold/dq_hourly) ------------------------------------------------------------

_COUNTS = {
    "rows_input",
    "rows_bronze",
    "rows_quarantine",
    "rows_silver_turns",
    "pii_entities_masked",
    "masking_residuals",
}
_PLAIN: dict[str, tuple[str, dict[str, str]]] = {
    "rows_input": ("run_input_lines", {}),
    "rows_bronze": ("run_rows", {"layer": "bronze", "table": "events"}),
    "rows_quarantine": ("run_rows", {"layer": "bronze", "table": "quarantine"}),
    "rows_silver_turns": ("run_rows", {"layer": "silver", "table": "turns"}),
    "quarantine_rate": ("quarantine_ratio", {}),
    "schema_compliance": ("schema_compliance_ratio", {}),
    "duplicate_rate_exact": ("duplicate_ratio", {"kind": "exact"}),
    "duplicate_rate_near": ("duplicate_ratio", {"kind": "near"}),
    "masking_residuals": ("masking_residuals", {}),
    "consent_coverage": ("consent_coverage_ratio", {}),
    "retention_compliance": ("retention_compliance_ratio", {}),
    "freshness_hours": ("freshness_seconds", {}),
}


def _aggregate(name: str, rows: pl.DataFrame, sums: dict[str, float]) -> float:
    """One figure for the run's hours: counts add up, rates are recomputed or averaged."""
    if name in _COUNTS:
        return float(rows["value"].sum())
    if name == "freshness_hours":
        return float(rows.sort("hour")["value"][-1]) * 3600.0
    if name == "quarantine_rate" and sums.get("rows_input"):
        return sums.get("rows_quarantine", 0.0) / sums["rows_input"]
    return float(rows["value"].mean())  # type: ignore[arg-type]


def _breakdown(base: Metric, label: str, total: float, detail: Counter[str]) -> list[Metric]:
    """Per-id counts from a detail string; what the detail leaves out is ``other``."""
    rest = int(total) - sum(detail.values())
    if rest > 0:
        detail = detail + Counter({"other": rest})
    return [
        replace(base, value=float(n), labels=Metric.labelled(**{label: k}))
        for k, n in sorted(detail.items())
    ]


def dq_metrics(cfg: LakeConfig, hours: tuple[str, ...]) -> list[Metric]:
    """The run's hours of ``gold/dq_hourly`` as one metric per figure, worst status kept."""
    frame = _read(cfg, "gold", "dq_hourly", hours)
    if frame is None:
        return []
    frame = frame.select(list(DQ_HOURLY)).filter(pl.col("value").is_not_null())
    by_name = {str(k[0]): g for k, g in frame.group_by("metric", maintain_order=True)}
    sums = {n: float(g["value"].sum()) for n, g in by_name.items() if n in _COUNTS}
    out: list[Metric] = []
    for name in sorted(by_name):
        rows = by_name[name].sort("hour")
        last = rows.row(-1, named=True)
        status = worst([str(s) for s in rows["status"].to_list()])
        value = _aggregate(name, rows, sums)
        extra = {
            "dq_metric": name,
            "unit": str(last["unit"] or ""),
            "comparison": str(last["comparison"] or ""),
        }
        for key in ("warn_at", "error_at"):
            if last[key] is not None:
                extra[key] = repr(float(last[key]))
        breached = rows.filter(pl.col("status").is_in(["warn", "error"]))
        if breached.height:  # the hour that breached worst, for the report's issue line
            worst_row = breached.sort(
                [pl.col("status") == "error", pl.col("value")],
                descending=[True, last["comparison"] != "<"],
            ).row(0, named=True)
            extra |= {"breached_hours": str(breached.height), "hours": str(rows.height),
                      "worst_hour": str(worst_row["hour"]),
                      "worst_value": repr(float(worst_row["value"]))}  # fmt: skip
        details = parse_counts(",".join(str(d or "") for d in rows["detail"]))
        detail = ", ".join(f"{k}:{n}" for k, n in details.most_common())
        threshold = last["error_at"] if last["error_at"] is not None else last["warn_at"]
        metric, labels = _PLAIN.get(name, ("dq_figure", {"metric": name}))
        base = Metric(
            metric,
            value,
            Metric.labelled(**labels),
            status,
            target=threshold,
            detail=detail,
            extra=extra,
        )
        if name == "pii_entities_masked":
            out += _breakdown(
                replace(base, name="run_pii_entities_masked"), "entity", value, details
            )
            continue
        out.append(base)
        if name == "quarantine_rate" and "rows_quarantine" in sums:
            plain = Metric("run_quarantined_lines", 0.0, extra={"unit": "lines"})
            out += _breakdown(plain, "reason", sums["rows_quarantine"], details)
        if last["warn_at"] is not None or last["error_at"] is not None:
            level = float(max(SEVERITY.get(status, 0), 0))
            out.append(
                Metric(
                    "dq_check_status",
                    level,
                    Metric.labelled(check=name),
                    status,
                    target=threshold,
                    extra=extra,
                )
            )
    return out


def lake_totals(cfg: LakeConfig) -> list[Metric]:
    """Prometheus counters: lines read, lines quarantined per reason and PII masked per type,
    summed over every hour ``gold/dq_hourly`` holds (a rerun replaces its hour, so they only
    move forward as hours are added)."""
    frame = delta.read_table(cfg.table("gold", "dq_hourly"), storage_options=cfg.storage_options,
                             columns=["metric", "value", "detail"])  # fmt: skip
    if frame is None or frame.is_empty():
        return []
    totals = {str(k[0]): g for k, g in frame.group_by("metric")}

    def total(name: str) -> tuple[float, Counter[str]]:
        rows = totals.get(name)
        if rows is None:
            return 0.0, Counter()
        detail = parse_counts(",".join(str(d or "") for d in rows["detail"]))
        return float(rows["value"].fill_null(0).sum()), detail

    lines, _ = total("rows_input")
    quarantined, _ = total("rows_quarantine")
    _, reasons = total("quarantine_rate")  # its detail names the top reasons; the rest is other
    masked, entities = total("pii_entities_masked")
    out = [Metric("input_lines_total", lines, scope="lake")]
    out += _breakdown(Metric("quarantined_lines_total", 0.0, scope="lake"), "reason",
                      quarantined, reasons)  # fmt: skip
    out += _breakdown(Metric("pii_entities_masked_total", 0.0, scope="lake"), "entity",
                      masked, entities)  # fmt: skip
    return out


# --- gold, exports, tables, the run -----------------------------------------------------------


def candidate_metrics(cfg: LakeConfig, hours: tuple[str, ...]) -> list[Metric]:
    """Candidates of the run's hours per active-learning rule (one candidate, many rules)."""
    cands = _read(cfg, "gold", "candidates", hours)
    if cands is None:
        return []
    counts: Counter[str] = Counter()
    for reasons in cands["reasons"].to_list():
        counts.update(r for r in reasons or [] if _ID.match(r))
    return [
        Metric("gold_candidates", float(n), Metric.labelled(rule=r))
        for r, n in sorted(counts.items())
    ]


def export_metrics(cfg: LakeConfig) -> list[Metric]:
    """Rows of each dataset's latest export version, and its quality change against the
    version before it (a drop of more than 10% is a warning)."""
    root = Path(cfg.exports)
    if "://" in cfg.exports or not root.is_dir():
        return []
    out: list[Metric] = []
    for kind in KINDS:
        kind_dir = root / kind
        name = latest_name(kind_dir) if kind_dir.is_dir() else None
        if name is None:
            continue
        meta = read_metadata(kind_dir / name)
        rows = float((meta.get("counts") or {}).get("total", 0))
        extra = {"version": name}
        out.append(
            Metric("export_rows", rows, Metric.labelled(dataset=kind), scope="lake", extra=extra)
        )
        older = sorted(
            p.name for p in kind_dir.iterdir() if VERSION_RE.match(p.name) and p.name < name
        )
        if not older:
            continue
        for change in compare_metadata(read_metadata(kind_dir / older[-1]), meta):
            ratio = change.change
            if ratio is None:
                continue
            labels = Metric.labelled(dataset=kind, metric=change.name)
            status: Status = "warn" if change.dropped else "ok"
            out.append(
                Metric(
                    "export_quality_change_ratio",
                    ratio,
                    labels,
                    status,
                    scope="lake",
                    extra={**extra, "before": older[-1]},
                )
            )
    return out


def table_metrics(cfg: LakeConfig) -> list[Metric]:
    """Rows of every lake table that exists, as it stands after the run."""
    out = []
    for view, path in cfg.all_tables().items():
        if delta.table_version(path, cfg.storage_options) is None:
            continue
        layer, _, table = view.partition("_")
        rows = float(delta.count_rows(path, cfg.storage_options))
        out.append(
            Metric("table_rows", rows, Metric.labelled(layer=layer, table=table), scope="lake")
        )
    return out


def run_metrics(run: RunFacts) -> list[Metric]:
    ok: Status = "ok" if run.success else "error"
    out = [
        Metric("run_duration_seconds", run.duration_seconds),
        Metric("run_success", float(run.success), status=ok),
        Metric("last_run_timestamp_seconds", run.ended.timestamp()),
        Metric("run_partitions", float(len(run.ok_hours)), Metric.labelled(result="ok")),
        Metric(
            "run_partitions",
            float(len(run.failed_hours)),
            Metric.labelled(result="failed"),
            status="error" if run.failed_hours else "ok",
        ),
    ]
    if run.ok_hours:
        newest = hour_start(max(run.ok_hours)).timestamp()
        out.append(Metric("last_successful_hour_timestamp_seconds", newest))
    return out


def collect(cfg: LakeConfig, hours: tuple[str, ...] | list[str], run: RunFacts) -> list[Metric]:
    """Every figure of a run report, stamped with the run's end time unless an hour's own."""
    wanted = tuple(hours)
    found = [
        *run_metrics(run),
        *slo_metrics(read_slo_rows(cfg, wanted)),
        *guardian_metrics(cfg, wanted),
        *dq_metrics(cfg, wanted),
        *lake_totals(cfg),
        *candidate_metrics(cfg, wanted),
        *export_metrics(cfg),
        *table_metrics(cfg),
    ]
    return [m if m.timestamp is not None else replace(m, timestamp=run.ended) for m in found]
