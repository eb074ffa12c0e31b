"""``kvarn review``: the review loop, and the Label Studio export / import (a Typer sub-app).

Mounted by the main CLI as ``app.add_typer(review_app, name="review")``:

    kvarn review [--data DIR] [--limit N] [--reviewer NAME]      interactive loop
    kvarn review export --format labelstudio --out FILE          tasks JSON (+ FILE.xml config)
    kvarn review import FILE                                     Label Studio's JSON export

After decisions land, the gold tables are rebuilt (``--no-build`` to skip), so what was just
decided is queryable at once with ``kvarn sql``.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from pipelines.config import LakeConfig

review_app = typer.Typer(
    help="Review pending gold candidates, best first: a accept, e edit, r reject, s skip, "
    "u undo, q quit. `export` / `import` do the same through Label Studio.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
DataOpt = typer.Option(None, "--data", help="Data directory (default: $KVARN_DATA or ./data).")
BuildOpt = typer.Option(True, "--build/--no-build", help="Rebuild the gold tables afterwards.")
FORMATS = ("labelstudio",)


def _cfg(ctx: typer.Context, data: Path | None) -> LakeConfig:
    chosen = data or (ctx.obj or {}).get("data")
    return LakeConfig.from_env(str(Path(chosen).resolve()) if chosen else None)


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


def default_reviewer() -> str:
    return os.environ.get("KVARN_REVIEWER") or getpass.getuser()


def _rebuild(cfg: LakeConfig, console: Console) -> None:
    from pipelines.gold.build import build_gold

    report = build_gold(cfg)
    table = Table(title="gold tables", show_edge=False)
    for col in ("table", "rows", "by source"):
        table.add_column(col)
    for kind, n in report.rows.items():
        sources = ", ".join(f"{k} {v}" for k, v in report.by_source.get(kind, {}).items())
        table.add_row(f"gold_{kind}", str(n), sources)
    console.print(table)


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    data: Path | None = DataOpt,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Review at most N candidates."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Name recorded on decisions."),
    build: bool = BuildOpt,
) -> None:
    """Review pending candidates, best first: a accept, e edit, r reject, s skip, q quit."""
    ctx.obj = {"data": data}
    if ctx.invoked_subcommand is not None:
        return
    from kvarn.review_tui import run_review
    from pipelines.gold.queue import load_queue

    console = Console()
    cfg = _cfg(ctx, data)
    items = load_queue(cfg, limit=limit)
    if not items:
        console.print("nothing to review: no pending candidates (run the pipeline first?)")
        return
    who = reviewer or default_reviewer()
    tally = run_review(cfg, items, reviewer=who, console=console)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(tally.counts.items())) or "no decisions"
    console.print(f"{tally.done} of {tally.total} reviewed by {who}: {summary}")
    if build and any(k != "skip" for k in tally.counts):
        _rebuild(cfg, console)


@review_app.command("export")
def export_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Tasks JSON file to write."),
    fmt: str = typer.Option("labelstudio", "--format", help="labelstudio"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Export at most N tasks."),
    data: Path | None = DataOpt,
) -> None:
    """Write pending candidates as Label Studio tasks (and the labeling config next to it)."""
    from pipelines.gold.labelstudio import LABEL_CONFIG, export_tasks
    from pipelines.gold.queue import load_queue
    from pipelines.governance.erase_files import register_task_file

    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    cfg = _cfg(ctx, data)
    tasks = export_tasks(load_queue(cfg, limit=limit))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tasks, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    register_task_file(cfg, out)  # an erasure (kvarn forget) rewrites it without the person
    config = out.with_suffix(".xml")
    config.write_text(LABEL_CONFIG, encoding="utf-8")
    Console().print(f"wrote {len(tasks)} task(s) to {out} and the labeling config to {config}")


@review_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Label Studio JSON export (a list of tasks)."),
    data: Path | None = DataOpt,
    build: bool = BuildOpt,
) -> None:
    """Record the annotations of a Label Studio JSON export as review decisions."""
    from pipelines.gold.labelstudio import import_tasks
    from pipelines.gold.review import apply_decisions

    console = Console()
    try:
        tasks = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(f"cannot read {file}: {type(exc).__name__}")
    if not isinstance(tasks, list):
        _fail(f"{file} is not a Label Studio JSON export (expected a list of tasks)")
    cfg = _cfg(ctx, data)
    result = import_tasks(tasks)
    report = apply_decisions(cfg, result.decisions)
    actions = ", ".join(f"{k} {v}" for k, v in sorted(report.by_action.items())) or "none"
    console.print(
        f"imported {report.applied} decision(s): {actions}; "
        f"{result.unannotated} task(s) without annotations"
    )
    for err in result.errors:
        console.print(f"[yellow]skipped[/] {err}", highlight=False)
    if report.unknown:
        console.print(f"[yellow]unknown candidate ids:[/] {len(report.unknown)}")
    if build and any(k != "skip" for k in report.by_action):
        _rebuild(cfg, console)
