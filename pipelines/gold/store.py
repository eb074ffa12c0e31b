"""Delta writes the gold layer needs beyond ``pipelines.io.delta``: merges that also delete.

Gold tables are derived state: a rerun must be able to *remove* rows that no longer follow from
their inputs (a candidate that fell out of the hour's budget, a gold row whose candidate was
rejected), in the same commit as the upserts, so readers never see a half-applied rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from deltalake import DeltaTable, write_deltalake

from pipelines.io import delta

retry_commit = delta.retry_commit


def read_gold(
    path: str,
    where: pl.Expr | None = None,
    *,
    columns: Sequence[str] | None = None,
    version: int | None = None,
    storage_options: dict[str, str] | None = None,
) -> pl.DataFrame | None:
    """Read a table this module merges into; None when it does not exist yet.

    Merges write ``string_view`` parquet columns, and pyarrow-dataset filters (what
    ``delta.read_table`` uses) then fail with "no kernel matching (string, string_view)";
    polars' Delta scanner reads them fine and still prunes files by statistics.
    """
    if delta.open_table(path, storage_options) is None:
        return None
    lf = pl.scan_delta(path, version=version, storage_options=storage_options)
    if where is not None:
        lf = lf.filter(where)
    if columns is not None:
        lf = lf.select(list(columns))
    return lf.collect()


def _create(
    path: str,
    frame: pl.DataFrame,
    stats_columns: Sequence[str] | None,
    storage_options: dict[str, str] | None,
) -> None:
    config = {"delta.dataSkippingStatsColumns": ",".join(stats_columns)} if stats_columns else None
    write_deltalake(
        path,
        delta.to_arrow(frame),
        mode="append",
        configuration=config,
        storage_options=storage_options,
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
    """Upsert ``frame`` by ``keys`` and, in the same commit, delete target rows that match the SQL
    predicate ``delete_scope`` (over ``t.`` columns) but are absent from ``frame``.

    ``update_columns`` limits what a match may change (None: every column). The table is created
    (with ``frame``'s schema, even when empty) on first use.
    """
    if delta.open_table(path, storage_options) is None:
        _create(path, frame, stats_columns, storage_options)
        return {"num_target_rows_inserted": frame.height, "created": True}
    source = delta.to_arrow(frame)
    predicate = " AND ".join(f"t.{k} = s.{k}" for k in keys)

    def run() -> dict[str, Any]:
        dt = DeltaTable(path, storage_options=storage_options)
        builder = dt.merge(source, predicate, source_alias="s", target_alias="t")
        if update_columns is None:
            builder = builder.when_matched_update_all()
        elif update_columns:
            builder = builder.when_matched_update({c: f"s.{c}" for c in update_columns})
        builder = builder.when_not_matched_insert_all()
        if delete_scope is not None:
            builder = builder.when_not_matched_by_source_delete(delete_scope or None)
        return dict(builder.execute())

    return retry_commit(run)


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
        _create(path, frame, stats_columns, storage_options)
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
