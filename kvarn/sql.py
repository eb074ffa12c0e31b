"""``kvarn sql`` and ``kvarn duckdb``: read-only DuckDB over every Delta table."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, lake_config, out


def sql(
    query: str = typer.Argument(..., help="SQL over the views bronze_events, silver_turns, …"),
    fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    data: Path | None = DataOpt,
) -> None:
    """Run a read-only DuckDB query over every Delta table."""
    import duckdb

    from pipelines.io.duck import connect

    con = connect(lake_config(data))
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


def duckdb_shell(
    data: Path | None = DataOpt,
    print_init: bool = typer.Option(False, "--print-init", help="Print the init SQL and exit."),
) -> None:
    """Open the real `duckdb` client with every Delta table as a view."""
    import shutil
    import tempfile

    from pipelines.io.duck import init_statements

    stmts = init_statements(lake_config(data))
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
