"""Delta Lake access: typed partition overwrites, merges and reads.

We write Delta ourselves instead of through an IO manager so that every write states exactly what
it replaces (``hour = '…'``) and nothing else in the table can be touched. Column statistics are
collected only for the columns a table declares safe, so raw free text never lands in the
``_delta_log`` as min/max values.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

T = TypeVar("T")
_RETRIES = 8


def retry_commit(fn: Callable[[], T]) -> T:
    """Retry a commit that lost a race with a concurrent writer."""
    for attempt in range(_RETRIES):
        try:
            return fn()
        except CommitFailedError:
            if attempt == _RETRIES - 1:
                raise
            time.sleep(0.05 * (2**attempt))
    raise AssertionError("unreachable")


def to_arrow(frame: pl.DataFrame | pa.Table) -> pa.Table:
    """Arrow table with large_string columns (polars' string_view breaks filters downstream)."""
    table = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_string_view(t) or pa.types.is_string(t):
            t = pa.large_string()
        elif pa.types.is_binary_view(t):
            t = pa.large_binary()
        fields.append(pa.field(f.name, t, f.nullable))
    return table.cast(pa.schema(fields))


_Key = tuple[str, str]
_OPEN: ContextVar[dict[_Key, DeltaTable] | None] = ContextVar("kvarn_delta_tables", default=None)


@contextmanager
def table_cache() -> Iterator[None]:
    """Keep the tables opened inside the block open, and bring them up to date incrementally.

    Loading a table reads its last checkpoint and every commit since (a dozen requests on object
    storage); an hour's step opens its tables ~140 times. Inside this block a table is loaded
    once and afterwards only asks for commits newer than the one it holds (one listing), so
    every read still sees the latest version, other writers' commits included. Meant for a
    step's work, where nothing deletes a whole table; outside the block nothing is kept.
    """
    token = _OPEN.set({})
    try:
        yield
    finally:
        _OPEN.reset(token)


def open_table(path: str, storage_options: dict[str, str] | None = None) -> DeltaTable | None:
    """The Delta table at ``path`` at its latest version, or None when none exists yet."""
    cache = _OPEN.get()
    key = (path, json.dumps(storage_options or {}, sort_keys=True))
    if cache is not None and key in cache:
        dt = cache[key]
        dt.update_incremental()
        return dt
    try:
        dt = DeltaTable(path, storage_options=storage_options)
    except TableNotFoundError:
        return None
    if cache is not None:
        cache[key] = dt
    return dt


def _target(path: str, storage_options: dict[str, str] | None) -> str | DeltaTable:
    """What to write to: the open table when one is kept (no reload), else its path."""
    if _OPEN.get() is None:
        return path
    return open_table(path, storage_options) or path


def table_version(path: str, storage_options: dict[str, str] | None = None) -> int | None:
    dt = open_table(path, storage_options)
    return None if dt is None else dt.version()


CHECKPOINT_INTERVAL = "10"
"""Commits between Delta checkpoints. Hourly runs commit to every table each hour; with the
default of 100, opening a table replays up to 99 JSON commits (≈15–25 ms, and a run opens its
tables ~30 times), so hour cost grew with the number of hours already run."""


def _checkpointing(dt: DeltaTable) -> DeltaTable:
    """Give a table made before ``CHECKPOINT_INTERVAL`` existed the same interval (one commit)."""
    if dt.metadata().configuration.get("delta.checkpointInterval") is None:
        retry_commit(
            lambda: dt.alter.set_table_properties({"delta.checkpointInterval": CHECKPOINT_INTERVAL})
        )
    return dt


def _config(stats_columns: Sequence[str] | None) -> dict[str, str | None]:
    config: dict[str, str | None] = {"delta.checkpointInterval": CHECKPOINT_INTERVAL}
    if stats_columns is not None:
        config["delta.dataSkippingStatsColumns"] = ",".join(stats_columns)
    return config


def overwrite_partition(
    path: str,
    frame: pl.DataFrame | pa.Table,
    partition_col: str,
    value: str,
    *,
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> int:
    """Replace exactly one partition's rows with ``frame``; returns the new table version.

    Writing the same frame twice leaves the same table contents (idempotent), and an empty frame
    empties the partition.
    """
    return overwrite_partitions(
        path,
        frame,
        partition_col,
        [value],
        stats_columns=stats_columns,
        storage_options=storage_options,
    )


def overwrite_partitions(
    path: str,
    frame: pl.DataFrame | pa.Table | Sequence[pl.DataFrame],
    partition_col: str,
    values: Sequence[str],
    *,
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> int:
    """Replace the rows of several partitions with ``frame`` in one commit (all or nothing).

    ``frame`` may be a list of frames (one per partition, say): they are streamed to the
    writer one at a time, so a batch of hours is never converted for writing all at once."""
    if not values:
        raise ValueError("no partition to overwrite")
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    predicate = f"{partition_col} IN ({quoted})"

    def write() -> None:
        write_deltalake(
            _target(path, storage_options),
            _writable(frame),
            mode="overwrite",
            partition_by=[partition_col],
            predicate=predicate,
            configuration=_config(stats_columns),
            storage_options=storage_options,
        )

    retry_commit(write)
    dt = open_table(path, storage_options)
    assert dt is not None
    return _checkpointing(dt).version()


def _writable(
    frame: pl.DataFrame | pa.Table | Sequence[pl.DataFrame],
) -> pa.Table | pa.RecordBatchReader:
    """What ``write_deltalake`` takes: one table, or a reader converting frames as it goes
    (their common schema, as a relaxed concatenation would give it)."""
    if isinstance(frame, pl.DataFrame | pa.Table):
        return to_arrow(frame)
    frames = list(frame)
    if not frames:
        raise ValueError("no frame to write")
    common = pl.concat([f.clear() for f in frames], how="vertical_relaxed")
    schema = to_arrow(common).schema

    def batches() -> Iterator[pa.RecordBatch]:
        for f in frames:
            yield from to_arrow(f.select(common.columns).cast(dict(common.schema))).to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def merge_rows(
    path: str,
    frame: pl.DataFrame | pa.Table,
    keys: Sequence[str],
    *,
    update_columns: Sequence[str] | None = None,
    delete_scope: str | None = None,
    partition_by: Sequence[str] | None = None,
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Upsert rows by ``keys``. ``update_columns`` limits what a match may change (None: all).

    ``delete_scope`` (an SQL predicate over ``t.`` columns, "" for every row) also deletes, in
    the same commit, target rows it matches that are absent from ``frame``: derived tables can
    drop rows that no longer follow from their inputs. Creates the table on first use (with the
    frame's schema, even when empty). Returns deltalake's merge metrics.
    """
    table = to_arrow(frame)
    dt = open_table(path, storage_options)
    if dt is None:
        write_deltalake(
            path,
            table,
            mode="append",
            partition_by=list(partition_by) if partition_by else None,
            configuration=_config(stats_columns),
            storage_options=storage_options,
        )
        return {"num_target_rows_inserted": table.num_rows, "created": True}
    _checkpointing(dt)
    if table.num_rows == 0 and delete_scope is None:
        return {"num_target_rows_inserted": 0}
    predicate = " AND ".join(f"t.{k} = s.{k}" for k in keys)

    def run() -> dict[str, Any]:
        current = open_table(path, storage_options)
        assert current is not None
        builder = current.merge(table, predicate, source_alias="s", target_alias="t")
        if update_columns is None:
            builder = builder.when_matched_update_all()
        elif update_columns:
            builder = builder.when_matched_update({c: f"s.{c}" for c in update_columns})
        builder = builder.when_not_matched_insert_all()
        if delete_scope is not None:
            builder = builder.when_not_matched_by_source_delete(delete_scope or None)
        return dict(builder.execute())

    return retry_commit(run)


def append_rows(
    path: str,
    frame: pl.DataFrame | pa.Table,
    *,
    partition_by: Sequence[str] | None = None,
    stats_columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> None:
    table = to_arrow(frame)

    def write() -> None:
        write_deltalake(
            _target(path, storage_options),
            table,
            mode="append",
            partition_by=list(partition_by) if partition_by else None,
            configuration=_config(stats_columns),
            storage_options=storage_options,
        )

    retry_commit(write)


def _predicate(c: pl.Expr, op: str, val: Any) -> pl.Expr:
    if op == "in":
        return c.is_in(list(val))
    ops: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    return ops[op](c, val)


def read_table(
    path: str,
    *,
    where: pl.Expr | None = None,
    filters: list[tuple[str, str, Any]] | None = None,
    columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
    version: int | None = None,
) -> pl.DataFrame | None:
    """Read a Delta table (optionally filtered / some columns); None when it does not exist.

    Reads through polars, which copes with files whose strings are stored as ``string_view``
    (delta-rs merges write them) next to files with ``large_string``.
    """
    dt = open_table(path, storage_options)
    if dt is None:
        return None
    # Read the table just opened; time travel opens its own (a kept table never moves back).
    source = path if version is not None else dt
    lf = pl.scan_delta(source, version=version, storage_options=storage_options)
    if where is not None:
        lf = lf.filter(where)
    for col, op, val in filters or []:
        lf = lf.filter(_predicate(pl.col(col), op, val))
    if columns:
        lf = lf.select(list(columns))
    return lf.collect()


def read_partition(
    path: str,
    partition_col: str,
    value: str,
    *,
    columns: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> pl.DataFrame | None:
    return read_table(
        path,
        filters=[(partition_col, "=", value)],
        columns=columns,
        storage_options=storage_options,
    )


def count_rows(path: str, storage_options: dict[str, str] | None = None) -> int:
    dt = open_table(path, storage_options)
    if dt is None:
        return 0
    return int(dt.to_pyarrow_dataset().count_rows())


def replace_table(
    path: str,
    frame: pl.DataFrame | pa.Table,
    *,
    partition_by: Sequence[str] | None = None,
    storage_options: dict[str, str] | None = None,
) -> None:
    """Overwrite the whole table, schema and partitioning included (a layout migration)."""
    table = to_arrow(frame)
    retry_commit(
        lambda: write_deltalake(
            path,
            table,
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(partition_by) if partition_by else None,
            configuration=_config(None),
            storage_options=storage_options,
        )
    )
    dt = open_table(path, storage_options)
    assert dt is not None
    _checkpointing(dt)


def fragmented_partitions(
    dt: DeltaTable, column: str, *, small_bytes: int | None = None
) -> list[str]:
    """Values of partition ``column`` that hold more than one data file (only files under
    ``small_bytes`` counted, when given: a partition larger than the writer's target file size
    is several files even when compacted), sorted."""
    actions = pl.from_arrow(pa.table(dt.get_add_actions(flatten=True)))
    assert isinstance(actions, pl.DataFrame)
    key = f"partition.{column}"
    if small_bytes is not None:
        actions = actions.filter(pl.col("size_bytes") < small_bytes)
    counts = actions.group_by(key).len()
    return sorted(counts.filter(pl.col("len") > 1)[key].to_list())


def partition_rows(
    path: str, column: str, values: Sequence[str], storage_options: dict[str, str] | None = None
) -> int:
    """Rows in the partitions ``column`` = any of ``values``, from the log's file statistics
    (no data file is read); 0 for a missing table."""
    dt = open_table(path, storage_options)
    if dt is None or not values:
        return 0
    actions = pl.from_arrow(pa.table(dt.get_add_actions(flatten=True)))
    assert isinstance(actions, pl.DataFrame)
    wanted = actions.filter(pl.col(f"partition.{column}").is_in(list(values)))
    return int(wanted["num_records"].sum() or 0)


def compact_partition(
    path: str, column: str, value: str, storage_options: dict[str, str] | None = None
) -> None:
    """Bin-pack the files of one partition into as few as possible."""

    def compact() -> None:
        dt = open_table(path, storage_options)
        if dt is not None:
            dt.optimize.compact(partition_filters=[(column, "=", value)])

    retry_commit(compact)
