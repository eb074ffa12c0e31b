"""``kvarn sql`` and ``kvarn duckdb``: read-only DuckDB over every Delta table."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import polars as pl
import typer

from kvarn.common import DataOpt, KvarnError, lake_config, out
from pipelines.config import LakeConfig

FORMATS = ("table", "csv", "json")


def _local_tables(cfg: LakeConfig) -> list[str]:
    return [p for p in cfg.all_tables().values() if "://" not in p]


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV holds no lists or structs: nested columns are written as their JSON text."""
    import polars as pl

    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    if not nested:
        return frame
    return frame.with_columns(
        pl.col(name).map_elements(
            lambda v: json.dumps(v.to_list() if isinstance(v, pl.Series) else v, default=str,
                                 ensure_ascii=False),
            return_dtype=pl.Utf8,
        )
        for name in nested
    )  # fmt: skip


def sql(
    query: str = typer.Argument(..., help="SQL over the views bronze_events, silver_turns, …"),
    fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    data: Path | None = DataOpt,
) -> None:
    """Run a read-only DuckDB query over every Delta table."""
    if fmt not in FORMATS:
        raise KvarnError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    import duckdb

    from pipelines.io.duck import connect

    cfg = lake_config(data)
    con = connect(cfg)
    try:
        rel = con.sql(query)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        if "does not exist" in first and not any(Path(p).exists() for p in _local_tables(cfg)):
            first += f" (no lake under {cfg.lake}: run `make demo` or set KVARN_DATA)"
        raise KvarnError(first) from exc
    if rel is None:
        return
    frame = rel.pl()
    if fmt == "csv":
        sys.stdout.write(_flat(frame).write_csv())
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
