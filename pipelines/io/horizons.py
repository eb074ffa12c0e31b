"""Retention horizons as the hour builders read them.

Retention (``pipelines/governance``) records, in ``state/retention_ledger``, the first hour it
keeps per layer. An hour before the bronze horizon is never ingested again (its landing files
may be gone); an hour before the bronze or silver horizon never rebuilds silver; gold keeps
what it built from hours before the silver horizon. Reading the ledger is one small table.
"""

from __future__ import annotations

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta

LEDGER = ("state", "retention_ledger")


def horizons(cfg: LakeConfig) -> dict[str, str]:
    """The horizon of every layer retention has run for ("bronze", "silver", …): partitions
    before it have expired. Empty when retention never ran."""
    ledger = delta.read_table(cfg.table(*LEDGER), columns=["layer", "cutoff"],
                              storage_options=cfg.storage_options)  # fmt: skip
    if ledger is None or ledger.height == 0:
        return {}
    latest = ledger.group_by("layer").agg(pl.col("cutoff").max())
    return {layer: str(cutoff) for layer, cutoff in latest.iter_rows() if cutoff is not None}


def expired_before(cfg: LakeConfig, layer: str) -> str | None:
    """The horizon of ``layer``, or None when retention never ran."""
    return horizons(cfg).get(layer)


def hour_expired(cfg: LakeConfig, hour: str, *layers: str) -> bool:
    """Whether ``hour`` lies before the horizon of any of ``layers`` (one ledger read)."""
    known = horizons(cfg)
    return any(layer in known and hour < known[layer] for layer in layers)
