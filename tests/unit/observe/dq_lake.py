"""A tiny lake of real-format events with every data-quality problem the figures must see."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.bronze.build import build_bronze_hour
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.factories import line, turn, write_landing

CLEAN, LEAKY = "2025-09-01T10", "2025-09-01T11"
PLANTED = "mitt personnummer är 19811218-9876"  # the leak a broken masker would let through


def _hour_lines(hour: str) -> list[bytes]:
    ts = f"{hour}:15:00.000Z"
    events = [
        turn(ts, "tänd lampan i köket", turn_id="a", user_id="u-1"),
        turn(ts, "tänd lampan i köket", turn_id="b", user_id="u-2"),  # a near duplicate
        turn(ts, "ring Anna Lindqvist på 070-123 45 67", turn_id="c", user_id="u-3"),
        turn(ts, "vad blir vädret i morgon", turn_id="d", user_id="u-4",
             scopes=("analytics:slo",)),  # no training consent
    ]  # fmt: skip
    lines = [line(e) for e in events]
    lines.append(lines[0])  # an exact duplicate, as a producer retry writes it
    lines.append(b"{not json")  # quarantined before validation
    lines.append(line({"v": 1, "event": "orchestrator.turn", "ts": ts}))  # schema violation
    return lines


def build_lake(root: Path) -> LakeConfig:
    """Two hours through bronze and silver; the second gets a planted leak in silver."""
    landing = root / "landing"
    for hour in (CLEAN, LEAKY):
        write_landing(landing, hour[:10], f"orchestrator-{hour[-2:]}.jsonl", _hour_lines(hour))
    cfg = LakeConfig(data_dir=str(root))
    for hour in (CLEAN, LEAKY):
        build_bronze_hour(cfg, hour)
        build_silver_hour(cfg, hour, SilverOptions(demo=True))
    path = cfg.table("silver", "turns")
    turns = delta.read_partition(path, "hour", LEAKY)
    assert turns is not None
    leaked = turns.with_columns(
        pl.when(pl.col("turn_id") == "d").then(pl.lit(PLANTED)).otherwise(pl.col("text"))
        .alias("text")
    )  # fmt: skip
    delta.overwrite_partition(path, leaked, "hour", LEAKY)
    return cfg
