"""Keep gold candidates a function of silver, whatever order the hours were built in.

Candidates of hour X read silver beyond X: feedback and test results of X and X+1, test
history over ``TEST_HISTORY_DAYS`` before X, intent counts over the novelty window, and the
cluster labels of X's turns, which silver refreshes when later (or earlier) hours grow or merge
clusters. Silver queues each change (``pipelines.silver.changes``); after building its own hour,
the candidates step turns the queue into the hours whose inputs moved and rebuilds those:

- ``written`` hour h: X = h-1 (its next hour), h … h+window (novelty), and h-1 … h+history
  when h holds test results — only hours silver has built;
- ``identity`` hour h (a cluster id or representative flag moved): X = h;
- ``sizes`` hour h (only sizes grew): X = h when a turn rule that reads ``cluster_size`` now
  picks other turns than the hour's candidates hold for it, or a held candidate's reason shows
  a size that changed; otherwise only the candidates' copied ``cluster_size`` is brought up to
  date, in one merge for all such hours.

Forward hourly runs rebuild the hour before and little else; a reverse backfill rebuilds more,
and ends with exactly the candidates a forward one has.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

from pipelines.config import LakeConfig
from pipelines.gold.candidates import RuleSet, build_candidates_hours, load_rules
from pipelines.gold.candidates_extra import TEST_HISTORY_DAYS, shift_hour
from pipelines.gold.store import merge_scoped, read_gold
from pipelines.io import delta
from pipelines.silver.changes import consume_changes, pending_changes

REBUILD_CHUNK = 168
"""Hours rebuilt per commit: every input is read once per chunk (a week bounds the memory)."""


@dataclass
class RefreshReport:
    rebuilt: list[str] = field(default_factory=list)
    sizes_updated: int = 0
    changes_consumed: int = 0


def _partitions(cfg: LakeConfig, layer: str, table: str) -> set[str]:
    dt = delta.open_table(cfg.table(layer, table), cfg.storage_options)
    if dt is None:
        return set()
    actions = pa.table(dt.get_add_actions(flatten=True))
    if "partition.hour" not in actions.column_names:
        return set()
    return {v for v in actions.column("partition.hour").to_pylist() if v is not None}


def _neighbours(hour: str, window: int, with_tests: bool) -> Iterable[str]:
    yield shift_hour(hour, -1)
    for i in range(window + 1):
        yield shift_hour(hour, i)
    if with_tests:
        for i in range(-1, 24 * TEST_HISTORY_DAYS + 1):
            yield shift_hour(hour, i)


def _size_rules(rs: RuleSet) -> list[tuple[str, str]]:
    return [
        (r.name, r.when) for r in rs.all_rules if r.source == "turns" and "cluster_size" in r.when
    ]


def _size_rules_moved(
    cfg: LakeConfig, hours: list[str], rs: RuleSet
) -> tuple[set[str], pl.DataFrame]:
    """Hours whose size-reading rules now pick other turns than their candidates hold, and
    the current sizes of every candidate turn of ``hours``."""
    so = cfg.storage_options
    turns = delta.read_table(cfg.table("silver", "turns"), filters=[("hour", "in", hours)],
                             storage_options=so)  # fmt: skip
    cands = read_gold(cfg.table("gold", "candidates"), pl.col("hour").is_in(hours),
                      columns=["candidate_id", "hour", "reasons", "cluster_size"],
                      storage_options=so)  # fmt: skip
    if turns is None or cands is None:
        return set(hours), pl.DataFrame()
    moved: set[str] = set()
    consented = turns.filter(pl.col("training_ok").fill_null(False))
    for name, when in _size_rules(rs):
        now = consented.filter(pl.sql_expr(when).fill_null(False)).select(
            "hour", pl.col("event_id").alias("candidate_id")
        )
        held = cands.filter(pl.col("reasons").list.contains(name)).select("hour", "candidate_id")
        diff = pl.concat([now.join(held, on=["hour", "candidate_id"], how="anti"),
                          held.join(now, on=["hour", "candidate_id"], how="anti")])  # fmt: skip
        moved |= set(diff["hour"].to_list())
    stale = cands.join(
        turns.select(pl.col("event_id").alias("candidate_id"),
                     pl.col("cluster_size").alias("__size")),
        on="candidate_id",
        how="inner",
    ).filter(pl.col("cluster_size").ne_missing(pl.col("__size")))  # fmt: skip
    for rule in rs.all_rules:  # a reason that shows the size must show the current one
        if "cluster_size" in rule.show:
            shown = stale.filter(pl.col("reasons").list.contains(rule.name))
            moved |= set(shown["hour"].to_list())
    return moved, stale


def refresh_candidates(
    cfg: LakeConfig, built_hours: Collection[str] = (), rules: RuleSet | None = None
) -> RefreshReport:
    """Rebuild the candidates of every hour whose inputs changed since they were built.

    ``built_hours`` were built just now, after every change recorded so far: they are current
    and left alone."""
    rs = rules or load_rules()
    changes = pending_changes(cfg)
    report = RefreshReport()
    if changes.height == 0:
        return report
    built = _partitions(cfg, "silver", "turns")
    with_tests = _partitions(cfg, "silver", "test_results")
    window = rs.selection.novelty_window_hours
    targets: set[str] = set()
    sizes_only: set[str] = set()
    for hour, kind in changes.select("hour", "kind").unique().iter_rows():
        if kind == "written":
            targets.update(_neighbours(hour, window, hour in with_tests))
        elif kind == "identity":
            targets.add(hour)
        else:
            sizes_only.add(hour)
    sizes_only -= targets
    sizes = pl.DataFrame()
    if sizes_only:
        moved, sizes = _size_rules_moved(cfg, sorted(sizes_only & built), rs)
        targets |= moved
    rebuild = sorted((targets & built) - set(built_hours))
    for start in range(0, len(rebuild), REBUILD_CHUNK):
        build_candidates_hours(cfg, rebuild[start : start + REBUILD_CHUNK], rs)
    report.rebuilt = rebuild
    if sizes.height:
        fresh = sizes.filter(~pl.col("hour").is_in(rebuild))
        if fresh.height:
            update = fresh.select(
                "candidate_id", pl.col("__size").cast(pl.Int64).alias("cluster_size")
            )
            merge_scoped(
                cfg.table("gold", "candidates"),
                update,
                ["candidate_id"],
                update_columns=["cluster_size"],
                storage_options=cfg.storage_options,
            )
            report.sizes_updated = fresh.height
    consume_changes(cfg, changes["change_id"].to_list())
    report.changes_consumed = changes.height
    return report
