"""The trends page of ``kvarn report``: one self-contained HTML file for the last N days.

Self-contained means nothing is fetched when it opens (no CDN, font or script from elsewhere),
so it can be mailed, archived or opened offline. It shows ids only — SLO components, routes,
candidate rules, PII entity types, export kinds — and every name is checked against an id
pattern before it is written, so no free text from the lake can reach the page.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from html import escape

import polars as pl

from pipelines.io.timestamps import hour_start
from pipelines.observe.charts import (
    Axis,
    Point,
    Series,
    bar_chart,
    data_table,
    empty_chart,
    fmt_number,
    legend,
    line_chart,
)
from pipelines.observe.report_data import ExportVersion, ReportData

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_PII_COUNT = re.compile(r"\b([A-Z][A-Z_]{1,31})\s*:\s*(\d+)\b")
RATE_METRICS = ("quarantine_rate", "duplicate_rate_exact", "duplicate_rate_near")


def safe_id(name: object) -> str:
    """``name`` when it looks like an id, else a neutral placeholder (never free text)."""
    text = "" if name is None else str(name)
    return text if _ID.match(text) else "(other)"


def _hour_x(hour: str) -> float:
    return hour_start(hour).timestamp()


def _x_hour(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%m-%d %H:00")


def _x_day(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%m-%d %H:%M")


def _percent(value: float) -> str:
    return f"{value * 100:.3g}%"


def _section(heading: str, intro: str, body: str) -> str:
    return f"<section><h2>{escape(heading)}</h2><p>{escape(intro)}</p>{body}</section>"


def _figure(chart: str, table: str, extra: str = "") -> str:
    return f'<figure class="card">{chart}{extra}{table}</figure>'


def slo_section(slo: pl.DataFrame | None) -> str:
    """One chart per SLO component (and LLM route): the judged value per hour against target."""
    heading = "SLO: P95 per component against its target"
    intro = (
        "Latency components plot their P95, rate components their rate, RAM its peak; "
        "the dashed line is the target. Green dots met it, red crosses did not."
    )
    if slo is None:
        return _section(heading, intro, empty_chart("SLO", "gold/slo_hourly does not exist yet."))
    if slo.height == 0:
        return _section(heading, intro, empty_chart("SLO", "No SLO rows in this window."))
    figures = []
    for (component, route), rows in slo.sort(["component", "route", "hour"]).group_by(
        ["component", "route"], maintain_order=True
    ):
        name = safe_id(component) + (f" / {safe_id(route)}" if route else "")
        rows = rows.filter(pl.col("actual").is_not_null())
        unit = safe_id(rows["unit"][0]) if rows.height else ""
        judged = "P95" if unit == "ms" else ("peak" if unit == "mb" else "rate")
        target = rows["target"].drop_nulls()
        comparison = str(rows["comparison"][0] or "") if rows.height else ""
        target_text = f"target {comparison} {fmt_number(target[-1])} {unit}" if len(target) else ""
        points, table = [], []
        for r in rows.iter_rows(named=True):
            status = "" if r["compliant"] is None else ("ok" if r["compliant"] else "bad")
            word = {"ok": "compliant", "bad": "violating", "": "no samples"}[status]
            label = f"{r['hour']}: {fmt_number(r['actual'])} {unit} ({word}, n={r['count']})"
            points.append(Point(_hour_x(r["hour"]), float(r["actual"]), label, status))
            table.append(
                [
                    r["hour"],
                    str(r["count"]),
                    fmt_number(r["actual"]),
                    fmt_number(r["target"]) if r["target"] is not None else "",
                    word,
                ]
            )
        title = f"{name}: {judged} per hour ({target_text})" if target_text else name
        chart = line_chart(
            title,
            f"{judged} of {name} per hour in {unit}; {target_text}.",
            [Series(name, points)],
            Axis("hour (UTC)", _x_hour),
            Axis(f"{judged} ({unit})"),
            target=target[-1] if len(target) else None,
        )
        caption = f"{name} per hour"
        headers = ["hour", "samples", f"{judged} ({unit})", "target", "status"]
        figures.append(
            _figure(f"<h3>{escape(title)}</h3>{chart}", data_table(caption, headers, table))
        )
    return _section(heading, intro, '<div class="grid">' + "".join(figures) + "</div>")


def rates_section(dq: pl.DataFrame | None) -> str:
    """Quarantine and duplicate rates per hour, one line each."""
    heading = "Quarantine and duplicate rates"
    intro = (
        "Share of landing lines quarantined, and of silver turns that were exact or near "
        "duplicates."
    )
    if dq is None:
        return _section(heading, intro, empty_chart(heading, "gold/dq_hourly does not exist yet."))
    rows = dq.filter(pl.col("metric").is_in(RATE_METRICS) & pl.col("value").is_not_null())
    series, table = [], []
    for metric in RATE_METRICS:
        picked = rows.filter(pl.col("metric") == metric).sort("hour")
        points = [
            Point(_hour_x(h), float(v), f"{metric} {h}: {_percent(v)}")
            for h, v in picked.select("hour", "value").iter_rows()
        ]
        if points:
            series.append(Series(metric, points))
        table += [
            [h, metric, _percent(v), s or ""]
            for h, v, s in picked.select("hour", "value", "status").iter_rows()
        ]
    chart = line_chart(
        heading,
        "Quarantine, exact and near duplicate rates per hour, in percent.",
        series,
        Axis("hour (UTC)", _x_hour),
        Axis("share of rows", _percent),
    )
    body = _figure(
        chart,
        data_table(heading, ["hour", "metric", "rate", "status"], table),
        legend(series) if series else "",
    )
    return _section(heading, intro, body)


def pii_counts(dq: pl.DataFrame) -> dict[str, int]:
    """Entities masked per type over the window, from ``pii_entities_masked`` details."""
    counts: Counter[str] = Counter()
    details = dq.filter(pl.col("metric") == "pii_entities_masked")["detail"].drop_nulls()
    for detail in details:
        for entity, n in _PII_COUNT.findall(str(detail)):
            counts[entity] += int(n)
    return dict(counts.most_common())


def pii_section(dq: pl.DataFrame | None) -> str:
    heading = "PII entities masked, by type"
    intro = "Entities the masker replaced in silver over the window (counts only, never text)."
    if dq is None:
        return _section(heading, intro, empty_chart(heading, "gold/dq_hourly does not exist yet."))
    bars = [(safe_id(k), float(v)) for k, v in pii_counts(dq).items()]
    chart = bar_chart(
        heading,
        "Masked PII entities per entity type, summed over the window.",
        bars,
        Axis("entity type"),
        Axis("entities"),
    )
    table = data_table(heading, ["entity type", "entities"], [[k, fmt_number(v)] for k, v in bars])
    return _section(heading, intro, _figure(chart, table))


def candidates_section(candidates: dict[str, int] | None) -> str:
    heading = "Gold candidates per rule"
    intro = (
        "Turns the active-learning rules picked for review in the window's hours; a turn "
        "counts once per rule that fired."
    )
    if candidates is None:
        return _section(heading, intro, empty_chart(heading, "gold/candidates does not exist yet."))
    bars = sorted(((safe_id(k), float(v)) for k, v in candidates.items()), key=lambda b: -b[1])
    chart = bar_chart(
        heading,
        "Gold candidates per active-learning rule in the window.",
        bars,
        Axis("rule"),
        Axis("candidates"),
    )
    table = data_table(heading, ["rule", "candidates"], [[k, fmt_number(v)] for k, v in bars])
    return _section(heading, intro, _figure(chart, table))


def exports_section(exports: list[ExportVersion] | None) -> str:
    heading = "Dataset rows per export version"
    intro = "Rows of every export version made since the window started, one line per dataset kind."
    if exports is None:
        return _section(
            heading, intro, empty_chart(heading, "No export directory yet (kvarn export).")
        )
    series = []
    for kind in sorted({v.kind for v in exports}):
        points = [
            Point(v.created.timestamp(), float(v.rows), f"{kind}/{v.name}: {v.rows:,} rows")
            for v in exports
            if v.kind == kind
        ]
        series.append(Series(safe_id(kind), points))
    chart = line_chart(
        heading,
        "Rows per export version over version time, per dataset kind.",
        series,
        Axis("version time (UTC)", _x_day),
        Axis("rows"),
    )
    table = data_table(
        heading,
        ["dataset", "version", "rows", "latest"],
        [
            [safe_id(v.kind), safe_id(v.name), f"{v.rows:,}", "yes" if v.latest else ""]
            for v in exports
        ],
    )
    return _section(heading, intro, _figure(chart, table, legend(series) if series else ""))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;
padding:1rem 1.5rem;color:#1a1a1a;background:#fafafa}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:.2rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem;margin:0}
svg.chart{width:100%;max-width:760px;height:auto;display:block}
.empty{background:#fff6e0;border:1px solid #e0c070;padding:.6rem;border-radius:6px}
.legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap;font-size:.9rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:middle}
details{font-size:.85rem;margin-top:.3rem}table{border-collapse:collapse;margin:.3rem 0}
td,th{border:1px solid #ddd;padding:.15rem .5rem;text-align:right}caption{text-align:left}
.mark:hover{stroke:#000;stroke-width:2}footer{margin-top:2rem;font-size:.85rem;color:#555}
"""


def render_report(data: ReportData, generated: datetime | None = None) -> str:
    """The whole page as one HTML string."""
    moment = (generated or datetime.now(UTC)).astimezone(UTC)
    w = data.window
    span = f"{w.start}:00 – {w.end}:59 UTC ({w.days} day{'s' if w.days != 1 else ''})"
    parts = [
        slo_section(data.slo),
        rates_section(data.dq),
        pii_section(data.dq),
        candidates_section(data.candidates),
        exports_section(data.exports),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no favicon request to whatever serves the page
        f"<title>kvarn report {escape(w.start)} – {escape(w.end)}</title>"
        f"<style>{_CSS}</style></head><body><header><h1>kvarn report</h1>"
        f"<p>Window: {escape(span)}. Generated {moment:%Y-%m-%d %H:%M} UTC.</p></header>"
        f"<main>{''.join(parts)}</main><footer>Made by <code>kvarn report</code> from "
        "gold_slo_hourly, gold_dq_hourly, gold_candidates and the export metadata. It holds "
        "ids of components, rules and entity types and counts only: no personal data."
        "</footer></body></html>\n"
    )
