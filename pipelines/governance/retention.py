"""Retention: data older than the policy allows is deleted for real, and nothing else is.

``plan_retention`` lists what has expired at ``now`` (partitions with their rows and bytes,
landing day directories), which is what ``kvarn retention --dry-run`` prints.
``apply_retention`` first records the new horizons in ``state/retention_ledger``, then deletes:
expired hour partitions of bronze and silver, expired days of the seen-hash and near-duplicate
state (silver's cluster labels follow the clusters that lose members), consumed change-queue
entries, and landing days every hour of which has expired in bronze. Every table it touched has
its history purged (``purge.py``), so time travel cannot bring the data back.

The horizons are what keep reruns honest: an hour before the bronze horizon is never ingested
again (its landing files may be gone), an hour before either horizon never rebuilds silver, and
gold never drops candidates or training rows because their silver aged out
(``expired_before``, read by the hour builders and the gold rebuild).
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.dedupe.store import NearDupStore
from pipelines.governance.policy import RetentionPolicy
from pipelines.governance.purge import delete_where, in_list, purge_history
from pipelines.io import delta
from pipelines.io.horizons import LEDGER
from pipelines.io.landing import day_dirs
from pipelines.silver.clusters import refresh_cluster_labels

LEDGER_SCHEMA: dict[str, Any] = {
    "run_id": pl.Utf8,
    "expired_at": pl.Datetime("us", "UTC"),
    "layer": pl.Utf8,
    "table": pl.Utf8,
    "partition": pl.Utf8,
    "cutoff": pl.Utf8,
    "rows": pl.Int64,
    "bytes": pl.Int64,
}
# Horizons are recorded per layer even when nothing expired, so a later rerun knows them.
HORIZON = "*"


@dataclass(frozen=True)
class Expiry:
    """One thing that goes: a table partition or a landing day directory."""

    layer: str
    table: str
    partition: str
    rows: int
    bytes: int


@dataclass
class RetentionPlan:
    now: datetime
    cutoffs: dict[str, str]  # layer -> first partition value that is kept
    items: list[Expiry] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(i.rows for i in self.items)

    @property
    def bytes(self) -> int:
        return sum(i.bytes for i in self.items)

    def summary(self) -> dict[str, tuple[int, int, int]]:
        """(partitions, rows, bytes) per table."""
        out: dict[str, tuple[int, int, int]] = {}
        for item in self.items:
            n, r, b = out.get(item.table, (0, 0, 0))
            out[item.table] = (n + 1, r + item.rows, b + item.bytes)
        return out


@dataclass
class RetentionReport:
    plan: RetentionPlan
    deleted_rows: dict[str, int] = field(default_factory=dict)
    purged_files: dict[str, int] = field(default_factory=dict)
    landing_days_removed: list[str] = field(default_factory=list)
    cluster_hours_relabelled: int = 0


def _floor_hour(now: datetime) -> datetime:
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def cutoffs(policy: RetentionPolicy, now: datetime) -> dict[str, str]:
    """The first kept partition value per layer (hours ``YYYY-MM-DDTHH``, days ``YYYY-MM-DD``)."""
    top = _floor_hour(now)
    out: dict[str, str] = {}
    for layer, days in (("bronze", policy.bronze_days), ("silver", policy.silver_days),
                        ("changes", policy.changes_days)):  # fmt: skip
        if days is not None:
            out[layer] = _hour_key(top - timedelta(days=days))
    for layer, days in (("seen_hashes", policy.seen_hashes_days),
                        ("neardup", policy.neardup_days)):  # fmt: skip
        if days is not None:
            out[layer] = (top - timedelta(days=days)).date().isoformat()
    if policy.landing_days is not None and "bronze" in out:
        # A landing day feeds the hours of the day before and after it (late-arrival window):
        # it goes when it is old enough and every hour it can feed has expired in bronze.
        by_age = (top - timedelta(days=policy.landing_days)).date()
        by_bronze = date.fromisoformat(out["bronze"][:10]) - timedelta(days=1)
        out["landing"] = min(by_age, by_bronze).isoformat()
    return out


_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # layer -> (lake layer, table, partition column)
    "bronze": (("bronze", "events", "hour"), ("bronze", "quarantine", "hour")),
    "silver": tuple(("silver", t, "hour") for t in SILVER_TABLES),
    "seen_hashes": (("state", "seen_hashes", "day"),),
    "neardup": (("state", "neardup_bands", "day"),),
    "changes": (("state", "silver_changes", "hour"),),
}


def _expired_partitions(
    cfg: LakeConfig, layer: str, table: str, column: str, cutoff: str
) -> list[Expiry]:
    path = cfg.table(layer, table)
    dt = delta.open_table(path, cfg.storage_options)
    if dt is None:
        return []
    actions = pl.DataFrame(pa.table(dt.get_add_actions(flatten=True)))
    if actions.height == 0:
        return []
    part = f"partition.{column}"
    if part not in actions.columns:  # an unpartitioned table (the change queue): by rows
        frame = delta.read_table(path, columns=[column], storage_options=cfg.storage_options)
        if frame is None:
            return []
        old = frame.filter(pl.col(column) < cutoff).group_by(column).len()
        return [
            Expiry(layer, f"{layer}.{table}", value, int(n), 0)
            for value, n in sorted(old.iter_rows())
        ]
    grouped = (
        actions.filter(pl.col(part) < cutoff)
        .group_by(part)
        .agg(pl.col("num_records").sum(), pl.col("size_bytes").sum())
        .sort(part)
    )
    return [
        Expiry(layer, f"{layer}.{table}", str(value), int(rows or 0), int(size or 0))
        for value, rows, size in grouped.iter_rows()
    ]


def plan_retention(cfg: LakeConfig, policy: RetentionPolicy, now: datetime) -> RetentionPlan:
    """Everything that has expired at ``now``; nothing is changed."""
    plan = RetentionPlan(now=now, cutoffs=cutoffs(policy, now))
    for key, tables in _TABLES.items():
        cutoff = plan.cutoffs.get(key)
        if cutoff is None:
            continue
        for layer, table, column in tables:
            plan.items.extend(_expired_partitions(cfg, layer, table, column, cutoff))
    landing_cutoff = plan.cutoffs.get("landing")
    if landing_cutoff is not None and "://" not in cfg.telemetry:
        for day in day_dirs(cfg.telemetry):
            if day.isoformat() < landing_cutoff:
                folder = Path(cfg.telemetry) / day.isoformat()
                files = [p for p in folder.rglob("*") if p.is_file()]
                size = sum(p.stat().st_size for p in files)
                plan.items.append(Expiry("landing", "landing", day.isoformat(), len(files), size))
    return plan


def _record(cfg: LakeConfig, plan: RetentionPlan, run_id: str) -> None:
    """Write the horizons and the expiring partitions before anything is deleted, so an hour
    rebuilt meanwhile already sees itself as expired. Entries already recorded by an
    interrupted earlier run are not written twice."""
    path = cfg.table(*LEDGER)
    at = datetime.now(UTC)
    rows = [
        {"run_id": run_id, "expired_at": at, "layer": layer, "table": HORIZON,
         "partition": HORIZON, "cutoff": cutoff, "rows": 0, "bytes": 0}
        for layer, cutoff in sorted(plan.cutoffs.items())
    ]  # fmt: skip
    rows.extend(
        {"run_id": run_id, "expired_at": at, "layer": i.layer, "table": i.table,
         "partition": i.partition, "cutoff": plan.cutoffs.get(_cutoff_key(i), ""),
         "rows": i.rows, "bytes": i.bytes}
        for i in plan.items
    )  # fmt: skip
    existing = delta.read_table(path, columns=["table", "partition", "cutoff"],
                                storage_options=cfg.storage_options)  # fmt: skip
    seen = set(existing.iter_rows()) if existing is not None else set()
    new = [r for r in rows if (r["table"], r["partition"], r["cutoff"]) not in seen]
    if new:
        delta.append_rows(path, pl.DataFrame(new, schema=LEDGER_SCHEMA),
                          storage_options=cfg.storage_options)  # fmt: skip


def _cutoff_key(item: Expiry) -> str:
    """The policy setting (a ``cutoffs`` key) an expired item answers to."""
    by_table = {f"{layer}.{table}": key for key, tables in _TABLES.items()
                for layer, table, _ in tables}  # fmt: skip
    return by_table.get(item.table, item.layer)


def _finish_interrupted_landing(cfg: LakeConfig) -> None:
    """Remove day directories an interrupted run had already set aside."""
    root = Path(cfg.telemetry)
    if "://" in cfg.telemetry or not root.is_dir():
        return
    for trash in root.glob(".*.expired"):
        shutil.rmtree(trash, ignore_errors=True)


def apply_retention(cfg: LakeConfig, plan: RetentionPlan) -> RetentionReport:
    """Delete what ``plan`` lists and purge the history of every table touched. Rerunning an
    interrupted application finishes it (each step is a no-op once done)."""
    report = RetentionReport(plan)
    _finish_interrupted_landing(cfg)
    _record(cfg, plan, uuid.uuid4().hex)
    so = cfg.storage_options
    touched: set[str] = set()
    for key, tables in _TABLES.items():
        for layer, table, column in tables:
            name = f"{layer}.{table}"
            parts = sorted({i.partition for i in plan.items if i.table == name})
            if not parts:
                continue
            path = cfg.table(layer, table)
            if key == "neardup":
                store = NearDupStore(path, storage_options=so)
                before = delta.count_rows(path, so)
                changed = store.expire(plan.cutoffs["neardup"])
                report.deleted_rows[name] = before - delta.count_rows(path, so)
                kinds = refresh_cluster_labels(cfg, "", changed)
                report.cluster_hours_relabelled = len(kinds)
                if kinds:
                    touched.add(cfg.table("silver", "turns"))
            else:
                report.deleted_rows[name] = delete_where(path, in_list(column, parts), so)
            touched.add(path)
    for path in sorted(touched):
        report.purged_files[path] = purge_history(path, so).files
    for item in plan.items:
        if item.layer == "landing":
            folder = Path(cfg.telemetry) / item.partition
            if folder.exists():
                trash = folder.with_name(f".{item.partition}.expired")
                folder.rename(trash)  # one step: readers see the day whole or not at all
                shutil.rmtree(trash)
            report.landing_days_removed.append(item.partition)
    return report


def run_retention(
    cfg: LakeConfig, policy: RetentionPolicy, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Plan, and unless ``dry_run`` apply, under the lake's write lock: a purge vacuums with
    zero retention, so no ``kvarn run`` may be half-way through a write meanwhile."""
    from pipelines.io.lock import lake_write_lock

    moment = now or datetime.now(UTC)
    if dry_run:
        return RetentionReport(plan_retention(cfg, policy, moment))
    with lake_write_lock(cfg.data_dir):
        return apply_retention(cfg, plan_retention(cfg, policy, moment))
