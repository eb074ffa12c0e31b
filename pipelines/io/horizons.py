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


def expired_before(cfg: LakeConfig, layer: str) -> str | None:
    """The horizon of ``layer`` ("bronze", "silver", …): partitions before it have expired.
    None when retention never ran."""
    ledger = delta.read_table(cfg.table(*LEDGER), where=pl.col("layer") == layer,
                              columns=["cutoff"], storage_options=cfg.storage_options)  # fmt: skip
    if ledger is None or ledger.height == 0:
        return None
    value = ledger["cutoff"].max()
    return str(value) if value is not None else None


def hour_expired(cfg: LakeConfig, hour: str, *layers: str) -> bool:
    """Whether ``hour`` lies before the horizon of any of ``layers``."""
    return any((h := expired_before(cfg, layer)) is not None and hour < h for layer in layers)
