"""DuckDB over the Delta tables: one view per table, offline.

DuckDB 1.4.4's ``delta`` extension ships in the ``duckdb-ext-delta`` wheel; we point DuckDB at
that directory and never let it download anything. Connections are read-only over the lake.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from pipelines.config import LakeConfig
from pipelines.io.delta import open_table


class DeltaExtensionMissing(RuntimeError):
    pass


def extension_dir() -> str:
    """The folder holding DuckDB's offline ``delta`` extension."""
    spec = importlib.util.find_spec("duckdb_ext")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        candidate = Path(loc) / "extensions"
        if candidate.is_dir():
            return str(candidate)
    raise DeltaExtensionMissing(
        "DuckDB delta extension not found: install duckdb-ext-delta==1.4.4.20260205"
    )


def existing_tables(cfg: LakeConfig) -> dict[str, str]:
    """View name → path for the Delta tables that exist now."""
    return {
        name: path
        for name, path in cfg.all_tables().items()
        if open_table(path, cfg.storage_options) is not None
    }


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def init_statements(cfg: LakeConfig) -> list[str]:
    """SQL that prepares any DuckDB session (Python or the CLI) with the lake's views."""
    stmts = [
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        f"SET extension_directory = {_quote(extension_dir())}",
        "LOAD delta",
    ]
    for name, path in existing_tables(cfg).items():
        stmts.append(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM delta_scan({_quote(path)})")
    return stmts


def connect(cfg: LakeConfig) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    for stmt in init_statements(cfg):
        con.execute(stmt)
    return con
