"""The raw data-quality figures of one hour, read from the tables the pipeline already wrote.

Each figure is counted where the pipeline counts it: bronze rows are what the conservation check
sums (events + quarantine = landing lines), exact duplicates are the hashes silver's dedupe
dropped (repeats within the hour, or claimed by another hour in ``state/seen_hashes``), PII
counts are the per-turn ``pii_entities`` silver records, residuals are the leak audit
(``pipelines/quality/leakage.py``) and overdue data is the retention plan
(``pipelines/governance/retention.py``). Nothing here holds text: only counts and reason names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
import pyarrow as pa

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.governance.policy import RetentionPolicy
from pipelines.governance.retention import plan_retention
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.io.timestamps import hour_start
from pipelines.quality.leakage import audit_partition

# Quarantine reasons judged after the line passed JSON-Schema validation (bronze/ingest.judge).
AFTER_SCHEMA_REASONS = frozenset({"invalid timestamp", "outside late-arrival window"})
TURN_EVENT = "orchestrator.turn"
TOP_REASONS = 5


def counts_detail(counts: dict[str, int], limit: int | None = None) -> str:
    """``"a:3, b:1"``, largest first; ties by name so the text is stable."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k}:{v}" for k, v in items[:limit])


@dataclass(frozen=True)
class BronzeFigures:
    events: int
    quarantined: int
    schema_failures: int
    reasons: dict[str, int]

    @property
    def lines(self) -> int:
        return self.events + self.quarantined


def bronze_figures(cfg: LakeConfig, hour: str) -> BronzeFigures:
    """Rows of the hour in both bronze tables: together the landing lines the hour owns."""
    so = cfg.storage_options
    ev = delta.read_partition(cfg.table("bronze", "events"), "hour", hour, columns=["event_id"],
                              storage_options=so)  # fmt: skip
    q = delta.read_partition(cfg.table("bronze", "quarantine"), "hour", hour,
                             columns=["reason"], storage_options=so)  # fmt: skip
    reasons: dict[str, int] = {}
    if q is not None and q.height:
        reasons = {str(r): int(n) for r, n in q.group_by("reason").len().iter_rows()}
    failed = sum(n for r, n in reasons.items() if r not in AFTER_SCHEMA_REASONS)
    n_q = 0 if q is None else q.height
    return BronzeFigures(0 if ev is None else ev.height, n_q, failed, reasons)


def exact_duplicates(cfg: LakeConfig, hour: str) -> tuple[int, int]:
    """(turn events in bronze, of them exact duplicates silver dropped), as silver's dedupe
    decides: a repeat of a hash within the hour, or a hash another hour claimed first."""
    so = cfg.storage_options
    ev = delta.read_partition(cfg.table("bronze", "events"), "hour", hour,
                              columns=["event_id", "event"], storage_options=so)  # fmt: skip
    if ev is None:
        return 0, 0
    ids = ev.filter(pl.col("event") == TURN_EVENT)["event_id"]
    if ids.len() == 0:
        return 0, 0
    distinct = ids.unique().to_list()
    in_hour = ids.len() - len(distinct)
    seen = delta.read_table(cfg.table("state", "seen_hashes"),
                            filters=[("event_id", "in", distinct)],
                            columns=["event_id", "first_hour"], storage_options=so)  # fmt: skip
    elsewhere = 0 if seen is None else seen.filter(pl.col("first_hour") != hour).height
    return ids.len(), in_hour + elsewhere


@dataclass(frozen=True)
class TurnFigures:
    turns: int
    near_duplicates: int
    training_ok: int
    pii: dict[str, int]


def turn_figures(cfg: LakeConfig, hour: str) -> TurnFigures:
    """Near-duplicates (non-representative cluster members), consent and masked entities."""
    turns = delta.read_partition(
        cfg.table("silver", "turns"), "hour", hour,
        columns=["is_representative", "training_ok", "pii_entities"],
        storage_options=cfg.storage_options,
    )  # fmt: skip
    if turns is None or turns.height == 0:
        return TurnFigures(0, 0, 0, {})
    pii: Counter[str] = Counter()
    for text in turns["pii_entities"].drop_nulls().to_list():
        pii.update({str(k): int(v) for k, v in json.loads(text).items()})
    return TurnFigures(
        turns=turns.height,
        near_duplicates=turns.filter(pl.col("is_representative") == False).height,  # noqa: E712
        training_ok=turns.filter(pl.col("training_ok")).height,
        pii=dict(pii),
    )


def masking_residuals(cfg: LakeConfig, hour: str) -> tuple[int, str]:
    """Blocking leak-audit findings in the hour's silver tables, and every finding by type
    (name-like residues included, which alone do not count)."""
    paths = [cfg.table("silver", name) for name in SILVER_TABLES]
    report = audit_partition(paths, hour, storage_options=cfg.storage_options)
    return report.blocking, counts_detail(report.by_type)


def _partition_values(cfg: LakeConfig, layer: str, table: str, column: str) -> set[str]:
    dt = delta.open_table(cfg.table(layer, table), cfg.storage_options)
    if dt is None:
        return set()
    actions = pl.DataFrame(pa.table(dt.get_add_actions(flatten=True)))
    part = f"partition.{column}"
    if actions.height == 0 or part not in actions.columns:
        return set()
    return {str(v) for v in actions[part].unique().to_list() if v is not None}


# The partitioned tables retention governs (the change queue is internal bookkeeping).
RETAINED = (("bronze", "events", "hour"), ("bronze", "quarantine", "hour"),
            *(("silver", t, "hour") for t in SILVER_TABLES),
            ("state", "seen_hashes", "day"), ("state", "neardup_bands", "day"))  # fmt: skip


def retention_figures(
    cfg: LakeConfig, policy: RetentionPolicy, now: datetime, grace_hours: float
) -> tuple[int, int, dict[str, int]]:
    """(partitions and landing days present, of them overdue, overdue per table) at
    ``now - grace``: what ``kvarn retention --dry-run`` would delete then."""
    plan = plan_retention(cfg, policy, now - timedelta(hours=grace_hours))
    overdue: Counter[str] = Counter(
        item.table for item in plan.items if item.table != "state.silver_changes"
    )
    total = sum(len(_partition_values(cfg, *spec)) for spec in RETAINED)
    if "://" not in cfg.telemetry:
        total += len(day_dirs(cfg.telemetry))
    return total, sum(overdue.values()), dict(overdue)


def silver_hours(cfg: LakeConfig) -> frozenset[str]:
    """Every hour with a partition in some silver table: one listing per table, to judge a
    batch's hours with (listing them once per hour grew with the lake, hours times partitions)."""
    hours: set[str] = set()
    for name in SILVER_TABLES:
        hours |= _partition_values(cfg, "silver", name, "hour")
    return frozenset(hours)


def newest_clean_hour(with_silver: Iterable[str], hour: str, hour_is_clean: bool) -> str | None:
    """The newest hour up to ``hour`` among ``with_silver`` (see ``silver_hours``); ``hour``
    itself only when its silver passed the leak audit (a silver build that leaks is not a clean
    one)."""
    older = [h for h in with_silver if h < hour or (h == hour and hour_is_clean)]
    return max(older) if older else None


def hours_between_ends(older: str, hour: str) -> float:
    """Hours from the end of ``older`` to the end of ``hour`` (0 when they are the same)."""
    return max(0.0, (hour_start(hour) - hour_start(older)).total_seconds() / 3600)
