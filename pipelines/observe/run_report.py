"""The report of one run: ``data/runs/YYYYMMDD_HHMM/`` with summary.md, metrics.csv, log.jsonl.

Laid out like the seed's test-run report, built only from the run's :class:`Metric` list (so it
shows the numbers Prometheus and the HTML report show) and the run's facts. Written into a hidden
staging directory and renamed into place, then ``runs/latest`` moves (a relative symlink and a
``LATEST`` file). Only ids of components, rules, reasons and entity types appear, never text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.config import LakeConfig
from pipelines.export.writer import update_latest
from pipelines.observe.catalogue import spec
from pipelines.observe.metric import Metric
from pipelines.observe.snapshot import RunFacts

CSV_HEADER = ("timestamp", "scope", "metric", "value", "unit", "status")
LATEST_FILE = "LATEST"
_INDEX = ".by-run"  # run id → report directory name, so one run never gets two reports
_COMPONENTS = {
    "voice_e2e": "Voice E2E", "asr_partial": "ASR partial", "asr_final": "ASR final",
    "guardian_response": "Guardian response", "llm_first_token": "LLM first token",
    "llm_completion": "LLM completion", "tts_cached": "TTS cached", "tts_uncached": "TTS uncached",
    "tool_success": "Tool success rate", "wer_clean": "Swedish WER clean",
    "wer_noisy": "Swedish WER noisy", "intent_accuracy": "Intent accuracy", "ram_peak": "RAM peak",
}  # fmt: skip


def runs_root(cfg: LakeConfig) -> Path:
    """``<data>/runs``; with the lake on object storage, ``./data/runs`` on this machine."""
    if "://" in cfg.data_dir:
        return Path("data/runs").resolve()
    return Path(cfg.data_dir) / "runs"


# --- formatting ------------------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "ms":
        return f"{value:.0f}ms"
    if unit == "mb":
        return f"{value / 1024:.1f}GB" if value >= 1024 else f"{value:.0f}MB"
    return f"{value:g}"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _component(m: Metric) -> str:
    name = _COMPONENTS.get(m.label("component"), m.label("component"))
    route = m.label("route")
    quantile = " P95" if m.extra.get("unit") == "ms" else ""
    return f"{name}{f' ({route})' if route else ''}{quantile}"


def _target(m: Metric) -> str:
    if m.target is None:
        return "—"
    return f"{m.extra.get('comparison', '')}{_fmt(m.target, m.extra.get('unit', ''))}"


def _named(metrics: Iterable[Metric], name: str) -> list[Metric]:
    return [m for m in metrics if m.name == name]


def _one(metrics: Iterable[Metric], name: str, **labels: str) -> Metric | None:
    want = Metric.labelled(**labels) if labels else None
    for m in metrics:
        if m.name == name and (want is None or m.labels == want):
            return m
    return None


def slo_violations(metrics: list[Metric]) -> list[Metric]:
    return [m for m in _named(metrics, "slo_actual") if m.status == "error"]


def threshold_breaches(metrics: list[Metric]) -> list[Metric]:
    return [m for m in _named(metrics, "dq_check_status") if m.status in ("warn", "error")]


def quality_drops(metrics: list[Metric]) -> list[Metric]:
    return [m for m in _named(metrics, "export_quality_change_ratio") if m.status == "warn"]


def overall_status(run: RunFacts, metrics: list[Metric]) -> str:
    """FAILED when an hour or the run failed; DEGRADED with SLO violations or threshold errors;
    PASS otherwise."""
    if not run.success:
        return "❌ FAILED"
    slo = len(slo_violations(metrics))
    breaches = sum(m.status == "error" for m in threshold_breaches(metrics))
    if not slo and not breaches:
        return "✅ PASS"
    parts = [f"{slo} SLO violation{'s' * (slo != 1)}"] if slo else []
    if breaches:
        parts.append(f"{breaches} threshold breach{'es' * (breaches != 1)}")
    return f"⚠️ DEGRADED ({', '.join(parts)})"


# --- summary.md ------------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} minutes {secs} seconds" if minutes else f"{secs} seconds"


def _slo_section(metrics: list[Metric]) -> list[str]:
    actuals = _named(metrics, "slo_actual")
    lines = ["## SLO Compliance"]
    if not actuals:
        return [
            *lines,
            "",
            "_No SLO figures for these hours: gold/slo_hourly is missing or has "
            "no samples for them._",
            "",
        ]
    lines += ["| Metric | Target | Actual | Status |", "|--------|--------|--------|--------|"]
    for m in actuals:
        status = {"ok": "✅ PASS", "error": "❌ FAIL"}.get(m.status, "➖ n/a")
        actual = _fmt(m.value, m.extra.get("unit", ""))
        lines.append(f"| {_component(m)} | {_target(m)} | {actual} | {status} |")
    return [*lines, ""]


def _issues(run: RunFacts, metrics: list[Metric]) -> list[str]:
    issues = []
    for m in slo_violations(metrics):
        unit = m.extra.get("unit", "")
        issues.append(
            f"**SLO violation, {_component(m)}**: {_fmt(m.value, unit)} vs target "
            f"{_target(m)} (hour {m.extra.get('hour', '?')})"
        )
    for m in threshold_breaches(metrics):
        check = m.label("check")
        figures = [x for x in metrics if x.extra.get("dq_metric") == check and x is not m]
        unit = m.extra.get("unit", "")
        value = sum(x.value for x in figures) if figures else m.value
        if check == "freshness_hours":
            value /= 3600.0
        shown = _fmt(value, unit) if unit == "ratio" else f"{value:g}"
        cmp = m.extra.get("comparison", "")
        limits = [f"{key} {cmp}{_fmt(float(m.extra[f'{key}_at']), unit)}"
                  for key in ("warn", "error") if f"{key}_at" in m.extra]  # fmt: skip
        line = f"**Threshold {m.status.upper()}, {check}**: {shown} ({', '.join(limits)})"
        if "worst_hour" in m.extra:
            worst = float(m.extra["worst_value"])
            worst_shown = _fmt(worst, unit) if unit == "ratio" else f"{worst:g}"
            line = (
                f"**Threshold {m.status.upper()}, {check}**: {worst_shown} in hour "
                f"{m.extra['worst_hour']}, {m.extra['breached_hours']} of {m.extra['hours']} "
                f"hour(s) breached; the run's hours together {shown} ({', '.join(limits)})"
            )
        issues.append(line + (f" — {m.detail}" if m.detail else ""))
    if run.failed_hours:
        shown = ", ".join(run.failed_hours[:10]) + (" …" if len(run.failed_hours) > 10 else "")
        issues.append(
            f"**{len(run.failed_hours)} hour(s) failed**: {shown} — re-run them with "
            "`kvarn run --from … --to …`; the Dagster UI (`make ui`) has the errors"
        )
    if run.error:
        issues.append(f"**Run error**: {run.error}")
    for m in quality_drops(metrics):
        issues.append(
            f"**Quality drop, {m.label('dataset')} {m.label('metric')}**: "
            f"{m.value:+.1%} against {m.extra.get('before', 'the previous version')}"
        )
    lines = ["## Issues Identified"]
    if not issues:
        return [*lines, "None.", ""]
    return [*lines, *(f"{i}. {text}" for i, text in enumerate(issues, 1)), ""]


def _dq_line(metrics: list[Metric], label: str, name: str, **labels: str) -> str | None:
    m = _one(metrics, name, **labels)
    if m is None:
        return None
    mark = {"ok": " ✅", "warn": " ⚠️", "error": " ❌"}.get(m.status, "")
    unit = spec(name).unit
    shown = _fmt(m.value, "ratio") if unit == "ratio" else _count(m.value)
    if name == "freshness_seconds":
        shown = f"{m.value / 3600:.1f} hours"
    return f"- **{label}**: {shown}{mark}"


def _breakdown_line(
    metrics: list[Metric], label: str, name: str, key: str, total: bool = True
) -> str | None:
    """``label: total (a 3, b 1)``; without the total where one item counts under many keys."""
    items = sorted(_named(metrics, name), key=lambda m: -m.value)
    if not items:
        return None
    parts = ", ".join(f"{m.label(key)} {_count(m.value)}" for m in items)
    if not total:
        return f"- **{label}**: {parts}"
    return f"- **{label}**: {_count(sum(m.value for m in items))} ({parts})"


def _dq_section(metrics: list[Metric]) -> list[str]:
    lines = ["## Data Quality"]
    run_rows = _named(metrics, "run_rows")
    if run_rows or _one(metrics, "run_input_lines"):
        parts = [f"{m.label('layer')}.{m.label('table')} {_count(m.value)}" for m in run_rows]
        inputs = _one(metrics, "run_input_lines")
        if inputs:
            parts.insert(0, f"landing lines {_count(inputs.value)}")
        lines.append(f"- **Rows of the run's hours**: {', '.join(parts)}")
    else:
        lines.append(
            "- _No data-quality figures for these hours: gold/dq_hourly is missing or "
            "has no rows for them._"
        )
    quarantine = _dq_line(metrics, "Quarantine rate", "quarantine_ratio")
    if quarantine:
        reasons = _one(metrics, "quarantine_ratio")
        top = f" — top reasons: {reasons.detail}" if reasons and reasons.detail else ""
        lines.append(quarantine + top)
    found = [
        _dq_line(metrics, "Schema compliance", "schema_compliance_ratio"),
        _breakdown_line(metrics, "PII entities masked", "run_pii_entities_masked", "entity"),
        _dq_line(metrics, "Masking residuals", "masking_residuals"),
        _dq_line(metrics, "Duplicate rate (exact)", "duplicate_ratio", kind="exact"),
        _dq_line(metrics, "Duplicate rate (near)", "duplicate_ratio", kind="near"),
        _dq_line(metrics, "Consent coverage", "consent_coverage_ratio"),
        _dq_line(metrics, "Retention compliance", "retention_compliance_ratio"),
        _dq_line(metrics, "Freshness of the last good hour", "freshness_seconds"),
        _breakdown_line(metrics, "Candidates per rule", "gold_candidates", "rule", total=False),
    ]
    lines += [line for line in found if line]
    for m in _named(metrics, "dq_figure"):
        lines.append(f"- **{m.label('metric')}**: {m.value:g} {m.extra.get('unit', '')}".rstrip())
    exports = _named(metrics, "export_rows")
    if exports:
        shown = ", ".join(
            f"{m.label('dataset')} {_count(m.value)} ({m.extra.get('version')})" for m in exports
        )
        lines.append(f"- **Latest exports**: {shown}")
    tables = [m for m in _named(metrics, "table_rows") if m.label("layer") != "state"]
    if tables:
        shown = ", ".join(
            f"{m.label('layer')}_{m.label('table')} {_count(m.value)}" for m in tables
        )
        lines.append(f"- **Lake tables now**: {shown}")
    return [*lines, ""]


def _resource_section(metrics: list[Metric]) -> list[str]:
    lines = ["## Resource Usage"]
    ram = _one(metrics, "slo_actual", component="ram_peak", route="")
    if ram:
        mark = {"ok": " ✅", "error": " ❌"}.get(ram.status, "")
        target = f" (target {_target(ram)})" if ram.target is not None else ""
        lines.append(f"- **Peak RAM**: {_fmt(ram.value, 'mb')}{target}{mark}")
    else:
        lines.append("- **Peak RAM**: no samples in these hours")
    states = sorted(_named(metrics, "guardian_state_ratio"), key=lambda m: -m.value)
    if states:
        only_normal = [m.label("state") for m in states] == ["NORMAL"]
        parts = ", ".join(f"{m.label('state')} {_fmt(m.value, 'ratio')}" for m in states)
        lines.append(f"- **Guardian State**: {'NORMAL throughout ✅' if only_normal else parts}")
    else:
        lines.append("- **Guardian State**: no turns in these hours")
    return [*lines, ""]


def render_summary(run: RunFacts, metrics: list[Metric]) -> str:
    """summary.md: status, SLO table, issues, data quality and resource usage."""
    span = f"{run.hours[0]} → {run.hours[-1]}" if run.hours else "none"
    head = [
        f"# kvarn Run Summary — {run.started.strftime('%Y%m%d_%H%M')}",
        f"**Date**: {run.started.strftime('%Y-%m-%d %H:%M:%S')} UTC  ",
        f"**Duration**: {_duration(run.duration_seconds)}  ",
        f"**Overall Status**: {overall_status(run, metrics)}  ",
        f"**Run**: `{run.id}` ({run.source}), {len(run.hours)} hour(s) {span}, "
        f"{len(run.failed_hours)} failed",
        "",
    ]
    body = [
        *_slo_section(metrics),
        *_issues(run, metrics),
        *_dq_section(metrics),
        *_resource_section(metrics),
    ]
    return "\n".join(head + body)


# --- metrics.csv and log.jsonl ---------------------------------------------------------------


def metric_key(m: Metric) -> str:
    """``name{label=value,…}`` with empty labels left out."""
    labels = ",".join(f"{k}={v}" for k, v in m.labels if v)
    return f"{m.name}{{{labels}}}" if labels else m.name


def metric_unit(m: Metric) -> str:
    unit = spec(m.name).unit
    return m.extra.get("unit", unit) if " " in unit else unit


def _float(text: str | None) -> float | None:
    return None if text is None else float(text)


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def metrics_csv(run: RunFacts, metrics: list[Metric]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for m in metrics:
        when = _iso(m.timestamp or run.ended)
        writer.writerow([when, m.scope, metric_key(m), f"{m.value:.12g}", metric_unit(m), m.status])
    return buf.getvalue()


def log_events(run: RunFacts, metrics: list[Metric]) -> list[dict[str, Any]]:
    """run_start, one event per hour, SLO violations, threshold breaches, run_end."""
    base = {"run_id": run.id}
    events: list[dict[str, Any]] = [
        {
            "timestamp": _iso(run.started),
            "event": "run_start",
            **base,
            "source": run.source,
            "hours": len(run.hours),
            "from": run.hours[0] if run.hours else None,
            "to": run.hours[-1] if run.hours else None,
        },
    ]
    for hour in run.hours:
        event = "hour_failed" if hour in run.failed_hours else "hour_done"
        events.append({"timestamp": _iso(run.ended), "event": event, **base, "hour": hour})
    for m in slo_violations(metrics):
        events.append(
            {
                "timestamp": _iso(m.timestamp),
                "event": "slo_violation",
                **base,
                "metric": m.label("component"),
                "route": m.label("route"),
                "hour": m.extra.get("hour"),
                "value": m.value,
                "threshold": m.target,
                "comparison": m.extra.get("comparison"),
                "unit": m.extra.get("unit"),
            }
        )
    for m in threshold_breaches(metrics):
        events.append(
            {
                "timestamp": _iso(run.ended),
                "event": "threshold_breach",
                **base,
                "metric": m.label("check"),
                "severity": m.status,
                "warn_at": _float(m.extra.get("warn_at")),
                "error_at": _float(m.extra.get("error_at")),
                "comparison": m.extra.get("comparison"),
            }
        )
    status = overall_status(run, metrics).split(" ", 1)[1].split(" ")[0]
    events.append(
        {
            "timestamp": _iso(run.ended),
            "event": "run_end",
            **base,
            "status": status,
            "success": run.success,
            "duration_seconds": round(run.duration_seconds, 3),
            "failed_hours": len(run.failed_hours),
        }
    )
    return events


# --- the directory ---------------------------------------------------------------------------


def report_for_run(root: Path, run_id: str) -> Path | None:
    """The report already written for ``run_id``, if any."""
    marker = root / _INDEX / run_id
    if not marker.is_file():
        return None
    found = root / marker.read_text(encoding="utf-8").strip()
    return found if found.is_dir() else None


def latest_report(root: Path) -> Path | None:
    """The directory ``runs/latest`` points at (``LATEST`` file first, then the symlink)."""
    marker = root / LATEST_FILE
    if marker.is_file():
        found = root / marker.read_text(encoding="utf-8").strip()
        if found.is_dir():
            return found
    link = root / "latest"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def _publish(staging: Path, root: Path, stem: str) -> Path:
    """Rename ``staging`` to ``stem``, or ``stem_2``, ``stem_3``… when a run of the same
    minute already has it."""
    for n in range(1, 1000):
        final = root / (stem if n == 1 else f"{stem}_{n}")
        if final.exists():
            continue
        try:
            os.rename(staging, final)
        except OSError:  # another writer took the name between the check and the rename
            continue
        return final
    raise RuntimeError(f"no free report directory for {stem} under {root}")


def write_report(
    cfg: LakeConfig, run: RunFacts, metrics: list[Metric], root: Path | None = None
) -> Path:
    """Write the run's report directory atomically, move ``latest`` to it; returns its path."""
    root = root or runs_root(cfg)
    root.mkdir(parents=True, exist_ok=True)
    stem = run.started.strftime("%Y%m%d_%H%M")
    staging = root / f".staging-{stem}-{os.getpid()}-{run.id[:16]}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        (staging / "summary.md").write_text(render_summary(run, metrics), encoding="utf-8")
        (staging / "metrics.csv").write_text(metrics_csv(run, metrics), encoding="utf-8")
        events = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in log_events(run, metrics))
        (staging / "log.jsonl").write_text(events, encoding="utf-8")
        final = _publish(staging, root, stem)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    update_latest(root, final.name)
    index = root / _INDEX
    index.mkdir(exist_ok=True)
    (index / run.id).write_text(final.name + "\n", encoding="utf-8")
    return final
