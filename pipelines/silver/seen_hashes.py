"""Exact deduplication with a persistent seen-hash table in Delta.

The first hour that processes an event hash claims it: an append of the hashes it has not
seen. Later sightings in other hours are dropped and counted; a rerun of the claiming hour
keeps its own events and appends nothing, so reruns are idempotent.

The table is partitioned by the claiming hour's ``day``. Each hour appends one small file to
its day; once a day is over (a claim for a later day arrives) its files are compacted into one,
so a lookup opens about one file per day and the hourly write never touches older days — no
part of an hour's write grows with history. The lookup itself reads the ``event_id`` column of
every day (a re-delivery may come months later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
from deltalake import DeltaTable

from pipelines.io import delta

SEEN_SCHEMA = {
    "day": pl.Utf8,
    "event_id": pl.Utf8,
    "first_hour": pl.Utf8,
    "first_source_file": pl.Utf8,
    "first_line_no": pl.Int64,
    "claimed_at": pl.Datetime("us", "UTC"),
}
PARTITION = "day"


@dataclass(frozen=True)
class ClaimResult:
    keep: pl.DataFrame  # rows of the input whose hash this hour owns
    dropped_seen: int  # hashes already claimed by another hour
    newly_claimed: int


def claim_hashes(
    path: str,
    hour: str,
    rows: pl.DataFrame,
    storage_options: dict[str, str] | None = None,
) -> ClaimResult:
    """``rows`` has ``event_id, source_file, line_no``, one row per distinct hash."""
    if rows.height == 0:
        return ClaimResult(rows, 0, 0)
    dt = delta.open_table(path, storage_options)
    if dt is not None and migrate_layout(dt, path, storage_options):
        dt = delta.open_table(path, storage_options)
    ids = rows["event_id"].to_list()
    seen = delta.read_table(
        path,
        filters=[("event_id", "in", ids)],
        columns=["event_id", "first_hour"],
        storage_options=storage_options,
    )
    if seen is None:
        seen = pl.DataFrame(schema={"event_id": pl.Utf8, "first_hour": pl.Utf8})
    # Two claims of one hash can only come from runs racing past the silver pool: the
    # earliest hour owns it, for every hour that asks.
    seen = seen.sort("first_hour").unique(subset="event_id", keep="first")
    joined = rows.join(seen, on="event_id", how="left")
    keep_mask = pl.col("first_hour").is_null() | (pl.col("first_hour") == hour)
    keep = joined.filter(keep_mask).drop("first_hour")
    dropped = joined.height - keep.height
    new = joined.filter(pl.col("first_hour").is_null())
    if new.height:
        claims = new.select(
            pl.lit(hour[:10]).alias(PARTITION),
            "event_id",
            pl.lit(hour).alias("first_hour"),
            pl.col("source_file").alias("first_source_file"),
            pl.col("line_no").alias("first_line_no"),
            pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")).alias("claimed_at"),
        )
        delta.append_rows(path, claims, partition_by=[PARTITION], storage_options=storage_options)
        if dt is not None:  # the append only adds to this hour's day, which stays open
            for day in delta.fragmented_partitions(dt, PARTITION):
                if day < hour[:10]:
                    delta.compact_partition(path, PARTITION, day, storage_options)
    return ClaimResult(keep, dropped, new.height)


def migrate_layout(
    dt: DeltaTable, path: str, storage_options: dict[str, str] | None = None
) -> bool:
    """Rewrite a table of the earlier layout (partitioned by the hash's first hex digit) into
    day partitions, once. Returns whether it did."""
    if dt.metadata().partition_columns == [PARTITION]:
        return False
    old = delta.read_table(path, storage_options=storage_options)
    assert old is not None
    frame = old.select(
        pl.col("first_hour").str.slice(0, 10).alias(PARTITION),
        *[c for c in SEEN_SCHEMA if c != PARTITION],
    )
    delta.replace_table(path, frame, partition_by=[PARTITION], storage_options=storage_options)
    return True
