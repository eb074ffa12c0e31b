"""Exact deduplication with a persistent seen-hash table in Delta.

The first hour that processes an event hash claims it. Later sightings in other hours are
dropped and counted; a rerun of the claiming hour keeps its own events, so reruns are idempotent.
The table is partitioned by the hash's first hex digit so lookups touch a sixteenth of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from pipelines.io import delta

SEEN_SCHEMA = {
    "bucket": pl.Utf8,
    "event_id": pl.Utf8,
    "first_hour": pl.Utf8,
    "first_source_file": pl.Utf8,
    "first_line_no": pl.Int64,
    "claimed_at": pl.Datetime("us", "UTC"),
}


MAX_FILES = 96
"""Files the seen-hash table may hold before it is compacted: every hour's merge adds up to one
file per bucket, and every lookup reads all of them."""


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
    ids = rows["event_id"].to_list()
    buckets = sorted({i[0] for i in ids})
    seen = delta.read_table(
        path,
        filters=[("bucket", "in", buckets), ("event_id", "in", ids)],
        columns=["event_id", "first_hour"],
        storage_options=storage_options,
    )
    if seen is None:
        seen = pl.DataFrame(schema={"event_id": pl.Utf8, "first_hour": pl.Utf8})
    joined = rows.join(seen, on="event_id", how="left")
    keep_mask = pl.col("first_hour").is_null() | (pl.col("first_hour") == hour)
    keep = joined.filter(keep_mask).drop("first_hour")
    dropped = joined.height - keep.height
    new = joined.filter(pl.col("first_hour").is_null())
    if new.height:
        claims = new.select(
            pl.col("event_id").str.slice(0, 1).alias("bucket"),
            "event_id",
            pl.lit(hour).alias("first_hour"),
            pl.col("source_file").alias("first_source_file"),
            pl.col("line_no").alias("first_line_no"),
            pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")).alias("claimed_at"),
        )
        delta.merge_rows(
            path,
            claims,
            keys=["bucket", "event_id"],
            update_columns=[],
            partition_by=["bucket"],
            storage_options=storage_options,
        )
        delta.compact_if_fragmented(path, MAX_FILES, storage_options)
    return ClaimResult(keep, dropped, new.height)
