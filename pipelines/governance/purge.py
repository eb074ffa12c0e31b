"""Deleting for real from Delta tables: rows, then every file and log entry that held them.

A Delta ``delete`` only writes a new version; the old data files stay on disk and the old
versions stay readable (time travel) until they are vacuumed, and commit files in
``_delta_log`` can still describe them. Retention and erasure therefore end with
``purge_history``: vacuum with zero retention (only files the log has tombstoned, so files a
concurrent writer has not committed yet are never touched), then a checkpoint and a log
cleanup with zero log retention, after which no version before the purge can be loaded.
The table's own log retention setting is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deltalake import DeltaTable

from pipelines.io import delta

_LOG_RETENTION = "delta.logRetentionDuration"
_DEFAULT_LOG_RETENTION = "interval 30 days"


@dataclass
class Purge:
    """What purging one table's history removed."""

    files: int = 0
    versions_before: int = 0


def delete_where(path: str, predicate: str, storage_options: dict[str, str] | None = None) -> int:
    """Delete the rows matching a SQL ``predicate``; returns how many went (0: no commit)."""
    dt = delta.open_table(path, storage_options)
    if dt is None:
        return 0
    metrics = delta.retry_commit(lambda: dt.delete(predicate))
    return int(metrics.get("num_deleted_rows", 0) or 0)


def in_list(column: str, values: Sequence[str]) -> str:
    """``column IN ('a', 'b')`` with quotes escaped (values are ids and hours, never text)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def purge_history(path: str, storage_options: dict[str, str] | None = None) -> Purge:
    """Make every earlier version of the table unreadable and remove its files."""
    dt = delta.open_table(path, storage_options)
    if dt is None:
        return Purge()
    table: DeltaTable = dt
    removed = table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    before = table.version()
    previous = table.metadata().configuration.get(_LOG_RETENTION) or _DEFAULT_LOG_RETENTION
    delta.retry_commit(
        lambda: table.alter.set_table_properties({_LOG_RETENTION: "interval 0 days"})
    )
    table = DeltaTable(path, storage_options=storage_options)
    table.create_checkpoint()
    table.cleanup_metadata()
    delta.retry_commit(lambda: table.alter.set_table_properties({_LOG_RETENTION: previous}))
    return Purge(files=len(removed), versions_before=before)
