"""One hour of bronze events → every silver table, masked before anything is written."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.dedupe import NearDupStore
from pipelines.dedupe.store import Census, StoreOutdated, cluster_name, cluster_ref, event_days
from pipelines.io import delta
from pipelines.io.horizons import hour_expired
from pipelines.io.processes import Task, in_order
from pipelines.pii import load_pseudonym_key
from pipelines.silver.changes import record_changes
from pipelines.silver.clusters import (
    LABEL_ROWS,
    apply_labels,
    rebuild_store,
    refresh_cluster_labels,
    refresh_touched,
)
from pipelines.silver.erased import drop_erased
from pipelines.silver.options import SilverOptions
from pipelines.silver.prepare import Prepared, prepare_hour
from pipelines.silver.schemas import SILVER_SCHEMAS, STATS_COLUMNS
from pipelines.silver.seen_hashes import claim_hashes
from pipelines.silver.workers import HourPool, silver_workers


@dataclass
class SilverReport:
    hour: str
    bronze_rows: int
    duplicates_in_hour: int
    duplicates_seen_before: int
    rows: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    pii_entities: dict[str, int] = field(default_factory=dict)
    dates_found: int = 0
    near_dup_clusters: int = 0
    clusters_refreshed: dict[str, str] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    expired: bool = False  # before a retention horizon: silver kept as it is
    erased_events: int = 0  # events of people asked to be forgotten, dropped


@dataclass(frozen=True)
class _Loaded:
    """An hour's bronze events that survived erasure and exact dedupe, and the counts."""

    kept: pl.DataFrame
    bronze_rows: int = 0
    in_hour: int = 0
    seen_before: int = 0
    erased: int = 0


def _load_kept_events(cfg: LakeConfig, hour: str, key: bytes) -> _Loaded:
    """Read the hour's bronze, drop erased people's events and exact duplicates (claiming the
    hour's hashes in the seen-hash state)."""
    bronze = delta.read_partition(
        cfg.table("bronze", "events"),
        "hour",
        hour,
        columns=["event_id", "ts", "source_file", "line_no", "raw", "user_id", "session_id"],
        storage_options=cfg.storage_options,
    )
    if bronze is None or bronze.height == 0:
        empty = pl.DataFrame(
            schema={"event_id": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "raw": pl.Utf8}
        )
        return _Loaded(empty)
    rows = bronze.height
    bronze, erased = drop_erased(cfg, bronze, key)
    ordered = bronze.sort(["source_file", "line_no"])
    firsts = ordered.unique(subset=["event_id"], keep="first", maintain_order=True)
    in_hour = ordered.height - firsts.height
    claim = claim_hashes(
        cfg.table("state", "seen_hashes"),
        hour,
        firsts.select("event_id", "source_file", "line_no"),
        cfg.storage_options,
    )
    kept = firsts.join(claim.keep.select("event_id"), on="event_id", how="semi")
    kept = kept.select("event_id", "ts", "raw")
    return _Loaded(kept, rows, in_hour, claim.dropped_seen, erased)


FLUSH_BYTES = 32 * 1024 * 1024
"""Silver frames held back before they are written: a batch of hours is written in one commit
per table, or in several when its frames would outgrow this (a day at 1,000 events/h holds
~27 MB). A write briefly needs about four times what it writes (the Delta writer's buffers), so
the held hours are written before an hour that would take them past this is added: an hour of
20,000 events (~29 MB) is written on its own."""


@dataclass
class _Built:
    """One hour built but not written yet: its report and its tables."""

    report: SilverReport
    frames: dict[str, pl.DataFrame]


def _frames_bytes(built: _Built) -> int:
    return sum(int(f.estimated_size()) for f in built.frames.values())


class _HeldBack:
    """Built hours waiting for their write, and the near-duplicate clusters this call touched:
    the held turns are labelled at their write from the store's current labels of those
    turns; other hours' copies of the touched clusters' labels are refreshed once per call,
    after the last write (``everything``: after a store rebuild, every cluster). The touched
    clusters' census is taken once while no hour is built in between (the store only changes
    when an hour is assigned)."""

    def __init__(self) -> None:
        self.built: list[_Built] = []
        self.bytes = 0
        self.refs: set[int] = set()
        self.everything = False
        self.census: Census | None = None
        self.labels: pl.DataFrame | None = None  # every touched member's, when few
        self.last: _Built | None = None
        self.last_hours: set[str] = set()
        self.last_current = False  # the last write's labels are still the store's

    def holds(self, hour: str) -> bool:
        return any(b.report.hour == hour for b in self.built)

    def touch(self, refs: set[int] | None) -> None:
        """An hour was assigned: the store moved, and ``refs`` are the clusters it touched
        (None: every cluster, after a rebuild)."""
        self.census, self.last_current = None, False
        if refs is None:
            self.everything = True
        else:
            self.refs |= refs

    def add(self, built: _Built, size: int) -> None:
        """Hold ``built``, whose frames take ``size`` bytes (``_frames_bytes``)."""
        self.built.append(built)
        self.bytes += size

    def _census(self, store: NearDupStore) -> Census:
        if self.census is None:
            self.census = store.census(None if self.everything else self.refs)
        return self.census

    def write(self, cfg: LakeConfig, opts: SilverOptions) -> None:
        """Write the held-back hours (see ``build_silver_hours``) and hold nothing."""
        if self.built:
            store = _neardup_store(cfg, opts)
            days = event_days(pl.concat([b.frames["turns"].select("ts") for b in self.built]))
            hours = [b.report.hour for b in self.built]
            census = self._census(store)
            if sum(census.per_hour.values()) <= LABEL_ROWS:  # read once, for the refresh too
                hours = sorted(set(hours).union(census.per_hour))
                days = sorted(set(days).union(*census.days.values()))
                refs = None if self.everything else self.refs
                self.labels = labels = store.labels_of(hours, days, refs, census.sizes)
            else:
                self.labels, labels = None, store.labels_of(hours, days, None, census.sizes)
            _write_built(cfg, self.built, labels)
            written = {b.report.hour for b in self.built}
            self.last, self.last_hours, self.last_current = self.built[-1], written, True
        self.built, self.bytes = [], 0

    def refresh_others(self, cfg: LakeConfig, opts: SilverOptions) -> None:
        """Refresh the labels other hours' turns copy, once: a growing cluster's members span
        the history, so this rewrites most of it. The last write's hours are skipped while
        their labels are still the store's."""
        if self.last is None:
            return
        skip = self.last_hours if self.last_current else set()
        if self.last_current and self.labels is not None:  # still the store's: no hour since
            others = self.labels.filter(~pl.col("hour").is_in(sorted(skip)))
            self.last.report.clusters_refreshed = refresh_cluster_labels(cfg, "", others)
            return
        store = _neardup_store(cfg, opts)
        refs = None if self.everything else self.refs
        self.last.report.clusters_refreshed = refresh_touched(
            cfg, store, refs, self._census(store), skip
        )


def build_silver_hour(
    cfg: LakeConfig, hour: str, options: SilverOptions | None = None
) -> SilverReport:
    """Build and write every silver table's ``hour`` partition from bronze."""
    return build_silver_hours(cfg, [hour], options)[0]


def build_silver_hours(
    cfg: LakeConfig,
    hours: Sequence[str],
    options: SilverOptions | None = None,
    *,
    flush_bytes: int = FLUSH_BYTES,
) -> list[SilverReport]:
    """Build every silver table's partitions of ``hours``, in the given order; one report each.

    Each hour is built as alone (its own exact-dedupe claims and near-duplicate assignment, so
    the tables equal hour-by-hour builds), but the tables are written together: one commit per
    table for the hours held back, instead of one per hour, and the other hours whose cluster
    labels moved are relabelled once, at the end. The labels of every member of the clusters
    the held-back hours touched are read at their write; the ones other hours copy, once more
    at the end when there was more than one write. A crash before the write leaves state
    ahead of silver, which a rerun of the hours repairs (claims and assignments are idempotent).

    An hour whose bronze (or silver) retention has expired is left as it is: rebuilding it
    from the bronze that is gone would empty it."""
    opts = options or SilverOptions()
    if opts.mask_mode not in ("placeholder", "surrogate"):
        raise ValueError("mask mode must be placeholder or surrogate")
    key = load_pseudonym_key(demo=opts.demo, key_file=f"{cfg.secrets}/pseudonym.key")
    reports: list[SilverReport] = []
    held = _HeldBack()
    with closing(_prepared_hours(cfg, hours, opts, key)) as prepared:
        for hour, loaded, work in prepared:
            if loaded is None or work is None:
                reports.append(SilverReport(hour, 0, 0, 0, expired=True))
                continue
            if held.holds(hour):  # the same hour twice: the first build is written first
                held.write(cfg, opts)
            try:
                built, refs = _finish_hour(cfg, hour, loaded, work, opts)
            except StoreOutdated:  # rebuilt from silver: what is held back must be there first
                held.write(cfg, opts)
                built, refs = _finish_hour(cfg, hour, loaded, work, opts, rebuild=True)
            held.touch(refs)
            size = _frames_bytes(built)
            if held.built and held.bytes + size > flush_bytes:
                held.write(cfg, opts)  # the held hours alone: a write's memory is ~4x its frames
            held.add(built, size)
            reports.append(built.report)
            if held.bytes >= flush_bytes:
                held.write(cfg, opts)
    held.write(cfg, opts)
    held.refresh_others(cfg, opts)
    return reports


_Work = tuple[str, _Loaded | None, Prepared | None]


def _prepared_hours(
    cfg: LakeConfig, hours: Sequence[str], opts: SilverOptions, key: bytes
) -> Generator[_Work, None, None]:
    """Each hour of ``hours`` in order, loaded (claims taken) and prepared; (hour, None, None)
    for an hour whose retention has expired.

    Loading stays in this process and in order. Preparing runs here, or in worker processes
    when the call is large enough (``_workers_for``): then up to one hour per worker and one
    more are loaded and in preparation ahead of the hour the caller is finishing."""
    workers = _workers_for(cfg, hours, opts)
    pool = HourPool(workers) if workers > 1 else None

    def tasks() -> Iterator[Task[tuple[str, _Loaded | None], Prepared]]:
        for hour in hours:
            if hour_expired(cfg, hour, "bronze", "silver"):
                yield (hour, None), None, ()
            else:
                loaded = _load_kept_events(cfg, hour, key)
                yield (hour, loaded), prepare_hour, (loaded.kept, hour, opts, key)

    for (hour, loaded), prepared in in_order(tasks(), pool):
        yield hour, loaded, prepared


def _workers_for(cfg: LakeConfig, hours: Sequence[str], opts: SilverOptions) -> int:
    """Preparing processes for ``hours``: ``silver_workers`` on the bronze rows the hours hold
    (counted from the table's file statistics), never more than there are distinct hours."""
    distinct = sorted(set(hours))
    if len(distinct) < 2 or opts.workers == 1:
        return 1
    rows = 0
    if opts.workers == 0:
        path = cfg.table("bronze", "events")
        rows = delta.partition_rows(path, "hour", distinct, cfg.storage_options)
    return min(silver_workers(opts.workers, rows), len(distinct))


def _finish_hour(
    cfg: LakeConfig,
    hour: str,
    loaded: _Loaded,
    prepared: Prepared,
    opts: SilverOptions,
    *,
    rebuild: bool = False,
) -> tuple[_Built, set[int] | None]:
    """Cluster one prepared hour; claims and assignment are committed, the silver tables are
    not. Also returns the refs of the clusters the hour touched (None: the store was rebuilt,
    every cluster)."""
    frames = dict(prepared.frames)
    frames["turns"], clusters, refs = _assign_clusters(
        cfg, hour, frames["turns"], opts, rebuild=rebuild
    )
    report = SilverReport(hour, loaded.bronze_rows, loaded.in_hour, loaded.seen_before,
                          dates_found=prepared.dates_found, near_dup_clusters=clusters,
                          pii_entities=dict(prepared.pii_entities), erased_events=loaded.erased,
                          preview=prepared.preview)  # fmt: skip
    report.rows = {table: df.height for table, df in frames.items()}
    return _Built(report, frames), refs


def _write_built(cfg: LakeConfig, built: list[_Built], labels: pl.DataFrame) -> None:
    """Write held-back hours: their turns labelled from ``labels`` (the store's current labels
    of those turns), one commit per table (each report gets the table versions)."""
    hours = [b.report.hour for b in built]
    record_changes(cfg, [(h, "written") for h in hours])  # before writing: gold never misses
    turns = [apply_labels(b.frames["turns"], labels) for b in built]
    unlabelled = sum(t.filter(pl.col("cluster_size").is_null()).height for t in turns)
    if unlabelled:
        raise RuntimeError(f"{unlabelled} turns of {hours[0]}..{hours[-1]} have no cluster label")
    for table in SILVER_SCHEMAS:
        frames = turns if table == "turns" else [b.frames[table] for b in built]
        version = delta.overwrite_partitions(
            cfg.table("silver", table),
            frames,
            "hour",
            hours,
            stats_columns=STATS_COLUMNS,
            storage_options=cfg.storage_options,
        )
        for b in built:
            b.report.versions[table] = version


def _neardup_store(cfg: LakeConfig, opts: SilverOptions) -> NearDupStore:
    kwargs: dict[str, Any] = {
        "window_days": opts.neardup_window_days,
        "storage_options": cfg.storage_options,
    }
    if opts.neardup_threshold is not None:
        kwargs["threshold"] = opts.neardup_threshold
    return NearDupStore(cfg.table("state", "neardup_bands"), **kwargs)


def _assign_clusters(
    cfg: LakeConfig,
    hour: str,
    turns: pl.DataFrame,
    opts: SilverOptions,
    *,
    rebuild: bool = False,
) -> tuple[pl.DataFrame, int, set[int] | None]:
    """Assign the hour's turns to clusters; returns the turns with their cluster ids, the hour's
    cluster count and the refs of the clusters it touched.

    Turns without text are clusters of their own and labelled here; the others get their
    cluster id, and their size and representative flag when the held-back hours are written.
    An outdated store (another clustering key or signature configuration) raises
    ``StoreOutdated``; called again with ``rebuild`` (once silver holds every built hour) it is
    rebuilt from silver first, and every stored event then counts as touched (None)."""
    store = _neardup_store(cfg, opts)
    batch = turns.select(
        "event_id", "ts", pl.col("dedupe_text").alias("text"), pl.lit(hour).alias("hour")
    )
    touched: set[int] | None
    if not rebuild:
        stored, touched = store.assign_refs(batch)
    else:
        try:
            stored, touched = store.assign_refs(batch)
        except StoreOutdated:
            rebuild_store(cfg, store)
            stored, touched = store.assign_refs(batch)
            touched = None
    refs = stored.unique(subset="event_id", keep="first")
    names = {r: cluster_name(r) for r in refs["cluster_ref"].unique().to_list()}
    labelled = turns.select("event_id").join(refs, on="event_id", how="left", maintain_order="left")
    ids = [
        names[ref] if ref is not None else cluster_name(cluster_ref(event_id))  # no text: alone
        for event_id, ref in labelled.iter_rows()
    ]
    alone = labelled["cluster_ref"].is_null()
    out = turns.with_columns(
        pl.Series("cluster_id", ids, pl.Utf8),
        pl.when(alone).then(pl.lit(1, pl.Int64)).otherwise(None).alias("cluster_size"),
        pl.when(alone).then(pl.lit(True)).otherwise(None).alias("is_representative"),
    )
    return out, len(set(ids)), touched
