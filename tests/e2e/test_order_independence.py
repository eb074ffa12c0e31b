"""Backfilling forward, in reverse, as two ranges (later one first) or one run per hour instead of
one batched run ends in identical tables.

Cluster ids, sizes and representatives are a function of the data (the store relabels members
when an earlier or bridging event arrives, silver refreshes its copies in the hours they live
in) and gold candidates are rebuilt for every hour whose inputs moved. Each order runs in its
own lake from the same generated landing files.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.config import SILVER_TABLES
from pipelines.dedupe import NearDupStore
from pipelines.io import delta
from tests.integration.small_lake import generate_landing, run_hours

HOURS = [f"2025-09-01T{h:02d}" for h in range(6, 12)]
WALL_CLOCK = {"ingested_at", "created_at"}


def _lake(root: Path, orders: list[list[str]], batch_hours: int = 24) -> dict[str, pl.DataFrame]:
    cfg = generate_landing(root, seed=11, per_hour=80)
    for hours in orders:
        # One pseudonym key for every lake: pseudonyms compare.
        run_hours(cfg, hours, batch_hours=batch_hours)
    out: dict[str, pl.DataFrame] = {}
    for name in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", name))
        assert frame is not None
        keep = sorted(c for c in frame.columns if c not in WALL_CLOCK)
        out[f"silver_{name}"] = frame.select(keep).sort(keep)
    cands = delta.read_table(cfg.table("gold", "candidates"))
    assert cands is not None
    keep = sorted(c for c in cands.columns if c not in WALL_CLOCK)
    out["gold_candidates"] = cands.select(keep).sort("candidate_id")
    slo = delta.read_table(cfg.table("gold", "slo_hourly"))
    assert slo is not None
    out["gold_slo_hourly"] = slo.sort("hour", "component", "route")
    out["state_clusters"] = (
        NearDupStore(cfg.table("state", "neardup_bands")).labels().sort("event_id")
    )
    return out


@pytest.fixture(scope="module")
def forward(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    return _lake(tmp_path_factory.mktemp("forward"), [HOURS])


@pytest.mark.parametrize(
    ("orders", "batch_hours"),
    [
        pytest.param([HOURS[::-1]], 24, id="reverse"),
        pytest.param([HOURS[3:], HOURS[:3]], 24, id="split-later-first"),
        pytest.param([HOURS], 1, id="one-run-per-hour"),
    ],
)
def test_any_backfill_order_ends_in_the_same_tables(
    tmp_path: Path, forward: dict[str, pl.DataFrame], orders: list[list[str]], batch_hours: int
) -> None:
    got = _lake(tmp_path, orders, batch_hours)
    turns = forward["silver_turns"]
    assert turns.height > 300
    assert turns["cluster_size"].max() > 5  # clusters really span hours
    assert forward["gold_candidates"].height > 0
    assert forward["gold_slo_hourly"]["hour"].n_unique() == len(HOURS)
    for name, frame in forward.items():
        assert got[name].equals(frame), name
