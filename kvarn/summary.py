"""The summary ``make demo`` prints: what is in the lake and how to look at it."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from pipelines.config import LakeConfig
from pipelines.io import delta


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
    console.print(
        "\n[bold]where things are[/]\n"
        f"  landing : {cfg.telemetry}\n"
        f"  lake    : {cfg.lake}\n"
        f"  exports : {cfg.exports}\n"
        "\n[bold]next[/]\n"
        '  .venv/bin/kvarn sql "select intent, count(*) from silver_turns group by 1"\n'
        "  .venv/bin/kvarn duckdb          # the duckdb client with every table as a view\n"
        "  make ui                         # Dagster UI on http://127.0.0.1:3000"
    )
