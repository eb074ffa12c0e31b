"""Near-duplicate labels of earlier silver hours, kept true as clusters grow and merge.

The near-duplicate store is the truth (``pipelines.dedupe.store``); silver copies each turn's
``cluster_id``, ``cluster_size`` and ``is_representative`` so that SQL users and exports read
them directly. When an hour's turns join, merge or take over clusters, the store returns the
current labels of the clusters' other members and this module rewrites the silver hours whose
copies differ — one commit for all of them — after recording the change for gold.
"""

from __future__ import annotations

import polars as pl

from pipelines.config import LakeConfig
from pipelines.dedupe import NearDupStore
from pipelines.dedupe.store import Census
from pipelines.io import delta
from pipelines.silver.changes import record_changes
from pipelines.silver.schemas import STATS_COLUMNS

LABELS = ("cluster_id", "cluster_size", "is_representative")


_KNOWN = pl.col("__new_cluster_id").is_not_null()


def _with_new_labels(turns: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """``turns`` plus ``__new_<label>`` columns from ``labels`` (one row per event)."""
    new = labels.select("event_id", *[pl.col(c).alias(f"__new_{c}") for c in LABELS])
    return turns.join(new, on="event_id", how="left", maintain_order="left")


def apply_labels(turns: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """``turns`` with the cluster labels of ``labels`` (one row per event) where it has the
    event."""
    joined, known = _with_new_labels(turns, labels), _KNOWN
    return joined.with_columns(
        [pl.when(known).then(pl.col(f"__new_{c}")).otherwise(pl.col(c)).alias(c) for c in LABELS]
    ).select(turns.columns)


REWRITE_ROWS = 25_000
"""Turns rewritten per commit when labels move: a growing template cluster has members in
every hour of the history, and reading all those hours' rows at once grew with the lake."""


def refresh_cluster_labels(cfg: LakeConfig, hour: str, changed: pl.DataFrame) -> dict[str, str]:
    """Rewrite the cluster labels of other hours' turns that differ from ``changed``.

    The copies are compared on narrow columns first; only hours whose copies differ are read
    whole and rewritten, a few hours (about ``REWRITE_ROWS`` turns) per commit. Returns the
    hours rewritten and the kind of change (``identity`` or ``sizes``).
    """
    todo = changed.filter(pl.col("hour").is_not_null() & (pl.col("hour") != hour))
    if todo.height == 0:
        return {}
    path, so = cfg.table("silver", "turns"), cfg.storage_options
    hours = sorted(set(todo["hour"].to_list()))
    narrow = ["hour", "event_id", *LABELS]
    current = delta.read_table(path, filters=[("hour", "in", hours)], columns=narrow,
                               storage_options=so)  # fmt: skip
    if current is None or current.height == 0:
        return {}
    joined, known = _with_new_labels(current, todo), _KNOWN
    moved = known & (
        pl.col("cluster_id").ne_missing(pl.col("__new_cluster_id"))
        | pl.col("is_representative").ne_missing(pl.col("__new_is_representative"))
    )
    grew = known & pl.col("cluster_size").ne_missing(pl.col("__new_cluster_size"))
    flags = joined.select("hour", moved.alias("moved"), grew.alias("grew"))
    per_hour = flags.group_by("hour").agg(pl.col("moved").any(), pl.col("grew").any(), pl.len())
    dirty = {h: (m, n) for h, m, g, n in per_hour.iter_rows() if m or g}
    if not dirty:
        return {}
    kinds = {h: ("identity" if m else "sizes") for h, (m, _) in sorted(dirty.items())}
    record_changes(cfg, sorted(kinds.items()))
    for chunk in _chunks(sorted(dirty), {h: n for h, (_, n) in dirty.items()}):
        rows = delta.read_table(path, filters=[("hour", "in", chunk)], storage_options=so)
        if rows is None:  # the table is gone (erased meanwhile): nothing left to relabel
            break
        delta.overwrite_partitions(path, apply_labels(rows, todo), "hour", chunk,
                                   stats_columns=STATS_COLUMNS, storage_options=so)  # fmt: skip
    return kinds


LABEL_ROWS = 200_000
"""Members whose labels are compared per group when a call's touched clusters are refreshed:
each group scans the store days of its hours once (~0.2 s at a million stored events)."""


def refresh_touched(
    cfg: LakeConfig,
    store: NearDupStore,
    refs: set[int] | None,
    census: Census | None = None,
    skip: set[str] | None = None,
) -> dict[str, str]:
    """``refresh_cluster_labels`` for every stored member of the clusters ``refs`` (None:
    every cluster), a few hours (about ``LABEL_ROWS`` members) at a time, except in the hours
    of ``skip`` (known to be current). ``census``: the store's census of ``refs``, if taken.

    Each group's labels are those of its own turns, with sizes counted once for all groups:
    the members of a template cluster span the history, and reading them all at once grew
    with the lake."""
    census = census or store.census(refs)
    per_hour = {h: n for h, n in census.per_hour.items() if h not in (skip or set())}
    if not per_hour:
        return {}
    kinds: dict[str, str] = {}
    for chunk in _chunks(sorted(per_hour), per_hour, LABEL_ROWS):
        days = sorted(set().union(*(census.days[h] for h in chunk)))
        labels = store.labels_of(chunk, days, refs, census.sizes)
        kinds.update(refresh_cluster_labels(cfg, "", labels))
    return dict(sorted(kinds.items()))


def _chunks(hours: list[str], rows: dict[str, int], limit: int = REWRITE_ROWS) -> list[list[str]]:
    """``hours`` in consecutive groups of about ``limit`` rows (at least one hour each)."""
    out: list[list[str]] = [[]]
    total = 0
    for h in hours:
        if out[-1] and total + rows[h] > limit:
            out.append([])
            total = 0
        out[-1].append(h)
        total += rows[h]
    return out


def rebuild_store(cfg: LakeConfig, store: NearDupStore) -> int:
    """Reset an outdated store and assign every silver hour's turns again, in hour order.

    A new clustering key or signature configuration makes stored sketches incomparable; silver
    holds every turn's ``dedupe_text``, so the store is rebuilt from it (the labels are a function
    of the data, so the result equals a fresh backfill). Returns the events assigned.
    """
    store.reset()
    turns = delta.read_table(cfg.table("silver", "turns"),
                             columns=["hour", "event_id", "ts", "dedupe_text"],
                             storage_options=cfg.storage_options)  # fmt: skip
    if turns is None or turns.height == 0:
        return 0
    batches = turns.rename({"dedupe_text": "text"}).partition_by("hour", as_dict=True)
    for (_hour,), batch in sorted(batches.items(), key=lambda item: str(item[0][0])):
        store.assign_batch(batch.select("event_id", "ts", pl.col("text").fill_null(""), "hour"))
    return turns.height
