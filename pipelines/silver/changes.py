"""Which silver hours changed since gold last looked: a small queue in Delta.

Gold candidates of an hour read more than that hour (next-hour feedback, a novelty window, the
cluster labels silver refreshes in earlier hours), so an hour built out of order, or a cluster
that grew, can leave candidates of other hours stale. Silver appends one row per hour it is
about to change — ``written`` for the hour it builds, ``identity`` when a turn's cluster id or
representative flag moves, ``sizes`` when only sizes grow — *before* it writes, so a crash in
between costs a recomputation, never a missed one. Gold consumes rows by ``change_id``: rows
appended meanwhile are never lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta

KINDS = ("written", "identity", "sizes")
SCHEMA = {"change_id": pl.Utf8, "hour": pl.Utf8, "kind": pl.Utf8}


def _path(cfg: LakeConfig) -> str:
    return cfg.table("state", "silver_changes")


def record_changes(cfg: LakeConfig, changes: Iterable[tuple[str, str]]) -> None:
    """Append ``(hour, kind)`` rows (one commit)."""
    rows = [{"change_id": uuid.uuid4().hex, "hour": h, "kind": k} for h, k in changes]
    if not rows:
        return
    unknown = {r["kind"] for r in rows} - set(KINDS)
    if unknown:
        raise ValueError(f"unknown change kinds: {sorted(unknown)}")
    delta.append_rows(_path(cfg), pl.DataFrame(rows, schema=SCHEMA),
                      storage_options=cfg.storage_options)  # fmt: skip


def pending_changes(cfg: LakeConfig) -> pl.DataFrame:
    """Every change not consumed yet."""
    found = delta.read_table(_path(cfg), storage_options=cfg.storage_options)
    return found if found is not None else pl.DataFrame(schema=SCHEMA)


def consume_changes(cfg: LakeConfig, change_ids: Sequence[str]) -> None:
    """Delete the given changes (after gold has acted on them)."""
    if not change_ids:
        return
    if any(not c.isalnum() for c in change_ids):
        raise ValueError("change ids are hex strings")
    for chunk in range(0, len(change_ids), 500):
        predicate = "change_id IN (" + ", ".join(f"'{c}'" for c in change_ids[chunk:][:500]) + ")"

        def delete(predicate: str = predicate) -> None:
            # Reopened per attempt: a silver hour may append changes meanwhile.
            dt = delta.open_table(_path(cfg), cfg.storage_options)
            if dt is not None:
                dt.delete(predicate)

        delta.retry_commit(delete)
