"""The summary ``make demo`` prints: what is in the lake and how to look at it."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.observe.prometheus import textfile_path
from pipelines.observe.run_report import runs_root


def table_counts(cfg: LakeConfig) -> dict[str, tuple[str, int, int | None]]:
    """View name → (path, rows, Delta version) for every table kvarn knows."""
    out = {}
    for name, path in cfg.all_tables().items():
        out[name] = (
            path,
            delta.count_rows(path, cfg.storage_options),
            delta.table_version(path, cfg.storage_options),
        )
    return out


def quarantine_reasons(cfg: LakeConfig) -> dict[str, int]:
    q = delta.read_table(
        cfg.table("bronze", "quarantine"), columns=["reason"], storage_options=cfg.storage_options
    )
    if q is None or q.height == 0:
        return {}
    counts = q.group_by("reason").len().sort("len", descending=True)
    return {str(r): int(n) for r, n in counts.iter_rows()}


def print_summary(cfg: LakeConfig, console: Console) -> None:
    table = Table(title="kvarn lake", show_lines=False)
    table.add_column("view (kvarn sql)")
    table.add_column("rows", justify="right")
    table.add_column("version", justify="right")
    table.add_column("path")
    for name, (path, rows, version) in table_counts(cfg).items():
        if version is None:
            continue
        table.add_row(name, f"{rows:,}", str(version), path)
    console.print(table)
    reasons = quarantine_reasons(cfg)
    if reasons:
        console.print("[bold]quarantine reasons[/]")
        for reason, n in reasons.items():
            console.print(f"  {n:>6,}  {reason}")
    turns = delta.read_table(
        cfg.table("silver", "turns"), columns=["training_ok"], storage_options=cfg.storage_options
    )
    if turns is not None and turns.height:
        excluded = turns.filter(~pl.col("training_ok")).height
        console.print(
            f"turns without training consent (kept in silver, never exported): {excluded:,}"
        )
    print_flywheel(cfg, console)
    runs = runs_root(cfg)
    try:
        textfile: str = str(textfile_path(cfg))
    except ValueError:
        textfile = "(set KVARN_METRICS_TEXTFILE for an object-storage lake)"
    console.print(
        "\n[bold]where things are[/]\n"
        f"  landing : {cfg.telemetry}\n"
        f"  lake    : {cfg.lake}\n"
        f"  exports : {cfg.exports}\n"
        f"  reports : {runs}/latest/summary.md   (one per run; metrics.csv, log.jsonl beside it)\n"
        f"  metrics : {textfile}   (Prometheus textfile, rules in deploy/prometheus/)\n"
        f"  alerts  : {cfg.data_dir}/alerts/alerts.jsonl\n"
        "\n[bold]next[/]\n"
        '  .venv/bin/kvarn sql "select intent, count(*) from silver_turns group by 1"\n'
        '  .venv/bin/kvarn sql "select hour, component, route, p95, target, compliant '
        'from gold_slo_hourly"\n'
        "  .venv/bin/kvarn report          # HTML trends page (SLO P95, data quality, exports)\n"
        "  .venv/bin/kvarn metrics serve   # /metrics on http://127.0.0.1:9464\n"
        "  .venv/bin/kvarn duckdb          # the duckdb client with every table as a view\n"
        "  make ui                         # Dagster UI on http://127.0.0.1:3000"
    )


def print_flywheel(cfg: LakeConfig, console: Console) -> None:
    """Top failure patterns, new ones and flaky or regressed tests, when tests fed the lake."""
    so = cfg.storage_options
    patterns = delta.read_table(cfg.table("gold", "failure_patterns"), storage_options=so)
    health = delta.read_table(cfg.table("gold", "test_health"), storage_options=so)
    if patterns is None or health is None or health.height == 0:
        return
    table = Table(title="test flywheel: failure patterns (gold_failure_patterns)")
    for column in ("pattern", "type", "status", "failures", "tests", "where"):
        table.add_column(column)
    top = patterns.sort(["count", "pattern_id"], descending=[True, False]).head(10)
    for row in top.iter_rows(named=True):
        table.add_row(row["pattern_id"], row["failure_type"] or "", row["status"],
                      str(row["count"]), str(row["test_count"]), row["frames"] or "")  # fmt: skip
    console.print(table)
    new = patterns.filter(pl.col("status") == "new").height
    flaky = health.filter(pl.col("flaky"))["test_name"].to_list()
    regressed = health.filter(pl.col("regression_flag"))["test_name"].to_list()
    console.print(
        f"tests: {health.height:,} · patterns: {patterns.height} ({new} new) · "
        f"flaky: {len(flaky)} · regressed: {len(regressed)}"
    )
    for name in flaky[:10]:
        console.print(f"  flaky      {name}", highlight=False)
    for name in regressed[:10]:
        console.print(f"  regressed  {name}", highlight=False)
