"""A near-duplicate store written with another clustering key is rebuilt from silver, and every
silver hour's cluster labels end as a fresh backfill's would."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from deltalake import DeltaTable

from pipelines.config import LakeConfig
from pipelines.dedupe import NearDupStore
from pipelines.io import delta
from tests.integration.small_lake import generate_landing, run_hours

HOURS = ["2025-09-01T08", "2025-09-01T09", "2025-09-01T10"]
LABELS = ["event_id", "cluster_id", "cluster_size", "is_representative"]


def _labels(cfg: LakeConfig) -> pl.DataFrame:
    turns = delta.read_table(cfg.table("silver", "turns"), columns=LABELS)
    assert turns is not None
    return turns.sort("event_id")


def test_an_outdated_store_is_rebuilt_from_silver(
    tmp_path: Path,
) -> None:
    cfg = generate_landing(tmp_path, seed=4, per_hour=60)
    run_hours(cfg, HOURS)
    fresh = _labels(cfg)
    store_path = cfg.table("state", "neardup_bands")
    stored = NearDupStore(store_path).labels().height
    # As a store written by an older kvarn: other key version, every label scrambled.
    DeltaTable(store_path).alter.set_table_description("kvarn near-duplicate state v2 older")
    scrambled = fresh.with_columns(pl.lit("0000000000000000").alias("cluster_id"),
                                   pl.lit(1, pl.Int64).alias("cluster_size"))  # fmt: skip
    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None
    broken = (
        turns.drop("cluster_id", "cluster_size")
        .join(scrambled.select("event_id", "cluster_id", "cluster_size"), on="event_id")
        .select(turns.columns)
    )
    delta.overwrite_partitions(cfg.table("silver", "turns"), broken, "hour", HOURS)

    run_hours(cfg, HOURS[-1:])  # rerunning the last hour heals everything
    assert _labels(cfg).equals(fresh)
    assert NearDupStore(store_path).labels().height == stored


def test_every_member_reports_its_clusters_current_size(
    tmp_path: Path,
) -> None:
    """Sizes are true after clusters grow in later hours: the size each silver turn reports is
    the number of silver turns sharing its cluster id, and exactly one member represents."""
    cfg = generate_landing(tmp_path, seed=6, per_hour=120)
    run_hours(cfg, HOURS)
    turns = _labels(cfg)
    truth = turns.group_by("cluster_id").agg(
        pl.len().alias("members"), pl.col("is_representative").sum().alias("reps")
    )
    checked = turns.join(truth, on="cluster_id")
    assert checked.filter(pl.col("cluster_size") != pl.col("members")).height == 0
    assert set(truth["reps"].to_list()) == {1}
    grown = checked.filter(pl.col("members") > 1)
    hours = delta.read_table(cfg.table("silver", "turns"), columns=["event_id", "hour"])
    assert hours is not None
    spans = grown.join(hours, on="event_id").group_by("cluster_id").agg(pl.col("hour").n_unique())
    assert spans["hour"].max() == len(HOURS)  # clusters that grew across every hour
