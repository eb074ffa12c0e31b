"""``kvarn``: the command line over the same engine the Dagster assets call.

Heavy imports (dagster, presidio, great-expectations) happen inside the commands that need them,
so ``kvarn --help`` and the streaming contracts start fast. Errors print one line and exit 1.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console

from pipelines.config import LakeConfig

app = typer.Typer(
    name="kvarn",
    help="kvarn grinds Swedish assistant telemetry into privacy-safe training data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

DataOpt = typer.Option(None, "--data", help="Data directory (default: $KVARN_DATA or ./data).")


class KvarnError(Exception):
    """An error meant for the user: printed as one line."""


def _cfg(data: Path | None) -> LakeConfig:
    return LakeConfig.from_env(str(data.resolve()) if data else None)


def _parse_hour(text: str) -> str:
    """Accept 2025-09-01T10, 2025-09-01-10:00, '2025-09-01 10:00' and ISO instants."""
    t = text.strip().replace(" ", "T")
    if len(t) >= 13 and t[10] == "-" and t[4] == "-":
        t = f"{t[:10]}T{t[11:13]}"
    try:
        parsed = datetime.fromisoformat(t if len(t) > 13 else t + ":00")
    except ValueError as exc:
        raise KvarnError(f"not an hour: {text!r} (use YYYY-MM-DDTHH)") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H")


def _stream(fn: Callable[[Iterable[str]], Iterator[str]]) -> None:
    """Run a JSONL contract: stdin → stdout, flushing line by line."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    for line in fn(sys.stdin):
        sys.stdout.write(line.rstrip("\n") + "\n")
    sys.stdout.flush()


@app.command()
def generate(
    out_dir: Path = typer.Option(Path("data/landing"), "--out", help="Landing directory."),
    days: int = typer.Option(2, min=1, help="Days of traffic."),
    events_per_hour: int = typer.Option(200, min=1, help="Events per hour."),
    seed: int = typer.Option(7, help="Random seed (same seed, same bytes)."),
    start: str | None = typer.Option(None, help="First day (UTC, YYYY-MM-DD); default: recent."),
    legacy_share: float = typer.Option(
        0.05, min=0.0, max=1.0, help="Share of events in kvarn's earlier dialect (0 = none)."
    ),
) -> None:
    """Generate realistic Swedish assistant telemetry in the producers' own format (and the RAG
    documents it cites)."""
    from rich.progress import Progress

    from pipelines.generate import generate as run_generate

    begin = datetime.fromisoformat(start).replace(tzinfo=UTC) if start else None
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("generating", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        stats = run_generate(out_dir, days=days, events_per_hour=events_per_hour, seed=seed,
                             start=begin, legacy_share=legacy_share,
                             progress=progress)  # fmt: skip
    out.print(
        f"wrote {stats.lines:,} lines ({stats.events:,} events, {stats.broken_lines:,} broken, "
        f"{stats.redeliveries:,} re-deliveries) in {stats.files} files and {stats.docs} docs "
        f"under {out_dir}"
    )


def _hours_to_run(cfg: LakeConfig, hour_from: str | None, hour_to: str | None) -> list[str]:
    from pipelines.ingest import all_owner_hours
    from pipelines.io.landing import day_dirs

    if hour_from and hour_to:
        start = datetime.strptime(_parse_hour(hour_from), "%Y-%m-%dT%H")
        end = datetime.strptime(_parse_hour(hour_to), "%Y-%m-%dT%H")
        if end < start:
            raise KvarnError("--to is before --from")
        n = int((end - start).total_seconds() // 3600) + 1
        return [(start + timedelta(hours=i)).strftime("%Y-%m-%dT%H") for i in range(n)]
    days = day_dirs(cfg.telemetry)
    if not days:
        raise KvarnError(f"no landing data under {cfg.telemetry} (run `kvarn generate` first)")
    hours = all_owner_hours(cfg.telemetry, days)
    if hour_from:
        hours = [h for h in hours if h >= _parse_hour(hour_from)]
    if hour_to:
        hours = [h for h in hours if h <= _parse_hour(hour_to)]
    return hours


def _check_pseudonym_key(cfg: LakeConfig, demo: bool) -> None:
    """Fail before any run starts when silver could not pseudonymize user ids."""
    from pipelines.pii.pseudonym import PseudonymKeyError, load_pseudonym_key

    demo = demo or os.environ.get("KVARN_DEMO") == "1"
    try:
        load_pseudonym_key(demo=demo, key_file=f"{cfg.secrets}/pseudonym.key")
    except PseudonymKeyError as exc:
        raise KvarnError(str(exc).replace("run in demo mode", "pass --demo")) from exc


@app.command()
def run(
    hour_from: str | None = typer.Option(None, "--from", help="First hour (YYYY-MM-DDTHH, UTC)."),
    hour_to: str | None = typer.Option(None, "--to", help="Last hour, inclusive."),
    mask_mode: str = typer.Option("placeholder", help="placeholder | surrogate"),
    demo: bool = typer.Option(False, help="Demo mode: generate a local pseudonym key if missing."),
    data: Path | None = DataOpt,
) -> None:
    """Materialize bronze → silver → gold for each hour, in-process, with Dagster."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assets.runner import materialize_gold_tables, materialize_hours

    cfg = _cfg(data)
    hours = _hours_to_run(cfg, hour_from, hour_to)
    if not hours:
        raise KvarnError("no hours to run in that range")
    _check_pseudonym_key(cfg, demo)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("materializing hours", total=len(hours))

        def tick(hour: str) -> None:
            bar.update(task, advance=1, description=f"hour {hour}")

        failed = materialize_hours(cfg, hours, mask_mode=mask_mode, demo=demo, on_hour=tick)
        if failed:
            raise KvarnError(f"{len(failed)} hour(s) failed: {', '.join(failed[:5])}")
        bar.update(task, description="gold training tables")
        if not materialize_gold_tables(cfg, demo=demo):
            raise KvarnError("building the gold training tables failed (see `make ui` runs)")
    out.print(f"materialized {len(hours)} hour(s) from {hours[0]} to {hours[-1]}")


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL over the views bronze_events, silver_turns, …"),
    fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    data: Path | None = DataOpt,
) -> None:
    """Run a read-only DuckDB query over every Delta table."""
    import duckdb

    from pipelines.io.duck import connect

    con = connect(_cfg(data))
    try:
        rel = con.sql(query)
    except duckdb.Error as exc:
        raise KvarnError(str(exc).splitlines()[0]) from exc
    if rel is None:
        return
    frame = rel.pl()
    if fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        for row in frame.iter_rows(named=True):
            sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    else:
        import polars as pl

        with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
            out.print(str(frame), highlight=False)


@app.command("duckdb")
def duckdb_shell(
    data: Path | None = DataOpt,
    print_init: bool = typer.Option(False, "--print-init", help="Print the init SQL and exit."),
) -> None:
    """Open the real `duckdb` client with every Delta table as a view."""
    import shutil
    import tempfile

    from pipelines.io.duck import init_statements

    stmts = init_statements(_cfg(data))
    text = ";\n".join(stmts) + ";\n"
    if print_init:
        sys.stdout.write(text)
        return
    binary = shutil.which("duckdb") or str(Path(sys.executable).parent / "duckdb")
    if not Path(binary).exists():
        raise KvarnError("duckdb client not found: install duckdb-cli==1.4.4.post2")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(text)
    os.execv(binary, [binary, "-init", fh.name])


@app.command()
def pii() -> None:
    """Contract: JSONL {id,text} → {id,masked,entities} (see DESIGN.md)."""
    from pipelines.pii.stream import pii_stream

    _stream(pii_stream)


@app.command()
def dates() -> None:
    """Contract: JSONL {id,text,ref,tz?} → {id,normalized,dates} (see DESIGN.md)."""
    from pipelines.dates.stream import dates_stream

    _stream(dates_stream)


@app.command()
def dedupe(
    threshold: float | None = typer.Option(None, help="Jaccard threshold (default documented)."),
) -> None:
    """Contract: JSONL {id,text} → {id,cluster,duplicate_of} (see DESIGN.md)."""
    from pipelines.dedupe import DEFAULT_THRESHOLD
    from pipelines.dedupe.stream import dedupe_stream

    t = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 < t <= 1.0:
        raise KvarnError("--threshold must be in (0, 1]")
    _stream(lambda lines: dedupe_stream(lines, threshold=t))


@app.command()
def audit(
    data: Path | None = DataOpt,
    exports: bool = typer.Option(True, help="Also scan export files."),
) -> None:
    """Leakage audit: fail if any personnummer, phone, e-mail, IBAN or card survives."""
    from pipelines.audit_lake import audit_lake

    report = audit_lake(_cfg(data), include_exports=exports)
    for line in report.lines():
        out.print(line, highlight=False)
    if report.blocking:
        raise typer.Exit(1)


@app.command()
def summary(data: Path | None = DataOpt) -> None:
    """Rows per table, quarantine reasons, and where everything is."""
    from pipelines.summary import print_summary

    print_summary(_cfg(data), out)


def _mount_subcommands() -> None:
    """Sub-apps live next to their engine; mounting them here keeps one ``kvarn``."""
    from pipelines.export.cli import export_app
    from pipelines.gold.cli_review import review_app

    app.add_typer(export_app, name="export", help="Versioned training files (sft, dpo, rag, nlu).")
    app.add_typer(review_app, name="review", help="Review gold candidates.")


_mount_subcommands()


def main() -> None:
    try:
        app()
    except KvarnError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except (FileNotFoundError, PermissionError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
