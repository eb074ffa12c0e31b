"""Delta writes the gold layer needs beyond ``pipelines.io.delta``: merges that also delete.

Gold tables are derived state: a rerun must be able to *remove* rows that no longer follow from
their inputs (a candidate that fell out of the hour's budget, a gold row whose candidate was
rejected), in the same commit as the upserts, so readers never see a half-applied rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from pipelines.io import delta


def read_gold(
    path: str,
    where: pl.Expr | None = None,
    *,
    columns: Sequence[str] | None = None,
    version: int | None = None,
    storage_options: dict[str, str] | None = None,
) -> pl.DataFrame | None:
    """Read a gold table (optionally filtered); None when it does not exist yet."""
    return delta.read_table(
        path, where=where, columns=columns, version=version, storage_options=storage_options
    )


def merge_scoped(
    path: str,
    frame: pl.DataFrame,
    keys: Sequence[str],
    *,
    update_columns: Sequence[str] | None = None,
    delete_scope: str | None = None,
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Upsert by ``keys`` and, in the same commit, delete rows in ``delete_scope`` that are
    absent from ``frame`` (see ``delta.merge_rows``)."""
    return delta.merge_rows(
        path,
        frame,
        keys,
        update_columns=update_columns,
        delete_scope=delete_scope,
        stats_columns=stats_columns,
        storage_options=storage_options,
    )


def _rows_by_key(
    frame: pl.DataFrame, key: str, compare: Sequence[str]
) -> dict[Any, tuple[Any, ...]]:
    out: dict[Any, tuple[Any, ...]] = {}
    for row in frame.select([key, *compare]).iter_rows():
        out[row[0]] = tuple(tuple(v) if isinstance(v, list) else v for v in row[1:])
    return out


def replace_rows(
    path: str,
    frame: pl.DataFrame,
    key: str,
    *,
    keep_columns: Sequence[str] = (),
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> int | None:
    """Make the table at ``path`` hold exactly ``frame`` (keyed by ``key``), touching only rows
    whose content changed; returns the new version, or None when nothing changed.

    ``keep_columns`` (e.g. build time, versions read) are ignored when comparing and keep their
    stored values on unchanged rows, so an idempotent rebuild writes nothing at all.
    """
    existing = read_gold(path, storage_options=storage_options)
    if existing is None:
        delta.append_rows(path, frame, stats_columns=stats_columns, storage_options=storage_options)
        return delta.table_version(path, storage_options)
    compare = [c for c in frame.columns if c != key and c not in keep_columns]
    old = _rows_by_key(existing, key, compare) if set(compare) <= set(existing.columns) else {}
    new = _rows_by_key(frame, key, compare)
    if old == new and existing.height == frame.height:
        return None
    unchanged = [k for k, v in new.items() if old.get(k) == v]
    if unchanged and keep_columns:
        kept = existing.filter(pl.col(key).is_in(unchanged)).select([key, *keep_columns])
        frame = (
            frame.join(kept, on=key, how="left", suffix="__old", maintain_order="left")
            .with_columns(
                [pl.coalesce(pl.col(f"{c}__old"), pl.col(c)).alias(c) for c in keep_columns]
            )
            .select(frame.columns)
        )
    merge_scoped(path, frame, [key], delete_scope="", storage_options=storage_options)
    return delta.table_version(path, storage_options)
