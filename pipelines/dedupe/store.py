"""Near-duplicate state in Delta: clusters that are a function of the data, not of run order.

One Delta table at ``path``, partitioned by the event's UTC ``day``. Its description records the
layout and the signature configuration (``CONFIG_TAG``: scheme, permutations, seed, bands,
shingle size); a store of another configuration is refused rather than compared with sketches
it is not comparable to. One row per stored event:

- ``event_id``, ``hour`` (the caller's partition, so changed members can be found), ``ts``;
- ``cluster_ref``, ``cluster_ts`` — the event's cluster as a 64-bit number and its
  representative's time; the only values that ever change;
- ``fp_*``, ``sk_*`` — a 76-byte probe (see ``probes.py``), what an assignment scans;
- ``sig`` — the 64 MinHash values (little-endian uint32), convertible to a datasketch
  ``LeanMinHash``. Never read by an assignment.

**The clusters.** Two events are linked when their sketches match at the threshold and their
days are at most ``window_days`` apart (events of one batch are compared with full signatures,
events of different batches with probes — a batch is one silver hour, so every pair is always
decided the same way). A cluster is a connected component of these links; its representative
is its earliest member by ``(ts, cluster_ref(event_id))``; its id is 16 hex digits of
``xxh64(representative event_id)``; its size is its number of stored members. A new batch that
matches several clusters merges them, and one that holds an event earlier than a cluster's
representative takes the representative over: the stored members are relabelled in the same
assignment (whatever their day), so forward, reverse and split backfills end with the same
clusters. Sizes and representative flags are never stored; they are derived when asked, so
they are always current. Empty texts (nothing left after normalization) are clusters of their
own and are not stored.

An assignment reads narrow columns of the days within ``window_days`` of the batch (either side)
in one sequential scan, relabels stored members if clusters merged (one commit, before the
append, so a crash in between is repaired by the rerun), and appends the batch (one commit).
Closed days are compacted into files of ``FILE_BYTES`` (64 MB) with row groups of
``ROW_GROUP_ROWS`` rows, and rewritten (compaction, relabelling) a row group at a time: a day
of a million events is ~450 MB, which neither a read nor delta-rs's writer should hold whole.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import xxhash
from deltalake import ColumnProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import TableNotFoundError

from pipelines.dedupe.cluster import DEFAULT_THRESHOLD, exact_groups
from pipelines.dedupe.lsh import (
    BANDS,
    ROWS,
    band_hashes,
    candidate_pairs,
    components,
    verified_pairs,
)
from pipelines.dedupe.minhash import NUM_PERM, SCHEME, SEED, signatures
from pipelines.dedupe.normalize import SHINGLE_SIZE
from pipelines.dedupe.probes import (
    FP_COLUMNS,
    PROBE_COLUMNS,
    SKETCH_COLUMNS,
    Probes,
    make_probes,
    probe_matches,
    take_rows,
)
from pipelines.dedupe.requests import KEY_VERSION, request_key
from pipelines.io import delta
from pipelines.io.delta import retry_commit

CONFIG_TAG = f"{SCHEME}-p{NUM_PERM}-seed{SEED}-b{BANDS}r{ROWS}-c{SHINGLE_SIZE}-{KEY_VERSION}"
"""Signature configuration of the stored probes and signatures (datasketch 2.0 affine32) and
the version of the key texts are clustered by."""
LAYOUT = "v2"
_OURS = "kvarn near-duplicate state"
DESCRIPTION = f"{_OURS} {LAYOUT} {CONFIG_TAG}"


class StoreOutdated(ValueError):
    """The store was written by kvarn with another layout, key or signature configuration.

    Its sketches cannot be compared with new ones; the owner of the texts (silver) resets the
    store and assigns its hours again."""


RESULT_SCHEMA: dict[str, Any] = {
    "event_id": pl.Utf8,
    "cluster_id": pl.Utf8,
    "cluster_size": pl.Int64,
    "is_representative": pl.Boolean,
}
CHANGE_SCHEMA: dict[str, Any] = {"hour": pl.Utf8, **RESULT_SCHEMA}
_TS = pa.timestamp("us", tz="UTC")
STATE_SCHEMA = pa.schema(
    [
        ("day", pa.large_string()),
        ("event_id", pa.large_string()),
        ("hour", pa.large_string()),
        ("ts", _TS),
        ("cluster_ref", pa.int64()),
        ("cluster_ts", pa.int64()),
        *[(name, pa.int32()) for name in FP_COLUMNS],
        *[(name, pa.int64()) for name in SKETCH_COLUMNS],
        ("sig", pa.large_binary()),
    ]
)
_SCAN_COLUMNS = ["ts", "cluster_ref", "cluster_ts", *PROBE_COLUMNS]
_RAW = ("cluster_ref", "cluster_ts", *PROBE_COLUMNS, "sig")
_TABLE_CONFIG: dict[str, str | None] = {
    "delta.dataSkippingStatsColumns": "ts",  # no stats on ids, probes or signatures
    "delta.checkpointInterval": "20",  # hourly commits: keep log replay short
}
_DAY_US = 86_400_000_000
FILE_BYTES = 64 * 1024 * 1024
"""Target size of the store's data files: delta-rs holds a file in memory until it is written,
so a day of a million events (~450 MB) is several files, not one."""
ROW_GROUP_ROWS = 16_384
"""Rows per Parquet row group (~7 MB): a day is rewritten (compaction, relabelling) and
scanned a row group at a time."""
_NO_PREBUFFER = ds.ParquetFragmentScanOptions(pre_buffer=False)
_Rows = Callable[[DeltaTable], pa.RecordBatchReader]


def cluster_ref(event_id: str) -> int:
    """Signed 64-bit ``xxh64`` of a representative's event id."""
    return int(np.uint64(xxhash.xxh64_intdigest(event_id.encode("utf-8"))).view(np.int64))


def cluster_name(ref: int) -> str:
    """The cluster id: 16 lower-case hex digits of ``cluster_ref``."""
    return f"{int(np.int64(ref).view(np.uint64)):016x}"


@dataclass(frozen=True)
class Census:
    """Stored members of some clusters: per caller ``hour``, the UTC ``days`` each hour's
    members are stored on, and per cluster (``sizes``, by cluster ref)."""

    per_hour: dict[str, int]
    days: dict[str, set[str]]
    sizes: dict[int, int]


@dataclass
class Assignment:
    """What one assignment answers.

    ``labels``: ``event_id, cluster_id, cluster_size, is_representative`` of the batch, in input
    order. ``changed``: the same (plus ``hour``) for every stored member of other batches in
    the clusters the batch touched — their size, id or representative flag may have changed,
    so a caller that copies labels elsewhere (silver) refreshes these rows."""

    labels: pl.DataFrame
    changed: pl.DataFrame


@dataclass
class _Batch:
    """The new events of one assignment, in time order (ts, then cluster_ref)."""

    ids: list[str]
    hours: list[str | None]
    ts: np.ndarray  # int64 microseconds
    refs: np.ndarray  # int64 cluster_ref of each event's own id
    days: list[str]
    keys: list[str]


class NearDupStore:
    """Delta-backed near-duplicate clusters across runs (see module docstring)."""

    def __init__(
        self,
        path: str,
        threshold: float = DEFAULT_THRESHOLD,
        window_days: int = 30,
        storage_options: dict[str, str] | None = None,
        auto_compact: bool = True,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if window_days < 0:
            raise ValueError("window_days must be >= 0")
        self.path = path.rstrip("/")
        self.threshold = threshold
        self.window_days = window_days
        self.storage_options = storage_options
        self.auto_compact = auto_compact

    # -- public -----------------------------------------------------------------------------

    def assign(self, batch: pa.Table | pl.DataFrame) -> pl.DataFrame:
        """Cluster ``event_id, ts, text`` rows against each other and the stored history.

        Returns ``event_id, cluster_id, cluster_size, is_representative`` in input order, as
        of after this batch. Events stored before are not assigned again, so reruns store
        nothing new and answer the clusters' current labels.
        """
        return self.assign_batch(batch).labels

    def assign_batch(self, batch: pa.Table | pl.DataFrame) -> Assignment:
        """``assign`` plus the current labels of the other members of the touched clusters.

        ``batch`` may carry an ``hour`` column (the caller's partition), stored with each event
        and returned with the changed members.
        """
        frame = _as_frame(batch)
        if frame.height == 0:
            return Assignment(
                pl.DataFrame(schema=RESULT_SCHEMA), pl.DataFrame(schema=CHANGE_SCHEMA)
            )
        first = frame.unique(subset="event_id", keep="first", maintain_order=True)
        refs = self._store(first)
        dt = self._open()
        members = self._labels(dt, refs)
        own_ids = [cluster_name(cluster_ref(i)) for i in first["event_id"].to_list()]
        own = first.select(
            "event_id",
            pl.Series("cluster_id", own_ids, pl.Utf8),
            pl.lit(1, pl.Int64).alias("cluster_size"),
            pl.lit(True).alias("is_representative"),
        )  # events without text: clusters of their own, never stored
        answers = pl.concat(
            [members.drop("hour"), own.join(members, on="event_id", how="anti")],
            how="vertical",
        )
        labels = frame.select("event_id").join(
            answers, on="event_id", how="left", maintain_order="left"
        )
        changed = members.join(first.select("event_id"), on="event_id", how="anti")
        return Assignment(labels, changed.select(list(CHANGE_SCHEMA)))

    def assign_refs(self, batch: pa.Table | pl.DataFrame) -> tuple[pl.DataFrame, set[int]]:
        """``assign`` without reading the clusters' members: ``event_id, cluster_ref`` of the
        batch's stored events (events without text are never stored) and the refs of every
        cluster the batch touched.

        For a caller that assigns several batches and then reads ``members`` of all touched
        clusters once: those labels are current for every batch, and sizes need no member
        reads per batch (the members of a large cluster span the whole history)."""
        frame = _as_frame(batch)
        if frame.height == 0:
            return pl.DataFrame(schema={"event_id": pl.Utf8, "cluster_ref": pl.Int64}), set()
        first = frame.unique(subset="event_id", keep="first", maintain_order=True)
        refs = self._store(first)
        stored = self._known_refs(self._open(), first)
        return stored, refs | set(stored["cluster_ref"].to_list())

    def members(self, refs: set[int]) -> pl.DataFrame:
        """``hour`` and the current labels of every stored member of the clusters ``refs``
        (refs no event carries any more, merged away, match nothing)."""
        return self._labels(self._open(), refs)

    def labels_of(
        self,
        hours: Sequence[str],
        days: Sequence[str],
        refs: set[int] | None = None,
        sizes: dict[int, int] | None = None,
    ) -> pl.DataFrame:
        """``hour`` and the current labels of the events stored for ``hours`` (on ``days``,
        the UTC days of their times), only those in a cluster of ``refs`` when given.

        Costs what those hours cost, not what their clusters do: their rows are read from
        their own days, and cluster sizes are counted over the narrow ``cluster_ref`` column
        (taken from ``sizes`` where it has them, see ``census``). ``members`` reads every member of
        every cluster, which for a template cluster is most of the history."""
        dt = self._open()
        if dt is None or not hours or not days or (refs is not None and not refs):
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        for day in days:
            date.fromisoformat(day)
        columns = ["event_id", "hour", "cluster_ref", "ts", "cluster_ts"]
        table = _narrow(dt, columns, ds.field("day").isin(sorted(set(days))))
        keep = pc.is_in(table.column("hour"), value_set=pa.array(sorted(set(hours)), pa.string()))
        if refs is not None:
            keep = pc.and_(keep, pc.is_in(table.column("cluster_ref"), value_set=_ref_array(refs)))
        own = _frame(table.filter(keep))
        if own.height == 0:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        own = own.unique(subset="event_id", keep="first", maintain_order=True)
        missing = set(own["cluster_ref"].to_list()) - (sizes.keys() if sizes else set())
        if missing:
            sizes = {**(sizes or {}), **self.census(missing).sizes}
        return _named(own, sizes)

    def census(self, refs: set[int] | None) -> Census:
        """Where the stored members of the clusters ``refs`` (every cluster if None) are and how
        many each cluster has, from one read of three narrow columns (~40 MB at a million
        stored events). An event is stored once (an assignment stores only the events its days
        do not hold yet)."""
        dt = self._open()
        if dt is None or (refs is not None and not refs):
            return Census({}, {}, {})
        table = _narrow(dt, ["day", "hour", "cluster_ref"], None)
        if refs is not None:
            table = table.filter(pc.is_in(table.column("cluster_ref"), value_set=_ref_array(refs)))
        rows = pl.from_arrow(table)
        assert isinstance(rows, pl.DataFrame)
        sizes = rows.group_by("cluster_ref").len()
        hours = rows.group_by("hour").agg(pl.len(), pl.col("day").unique())
        return Census(
            per_hour={h: n for h, n, _ in hours.iter_rows()},
            days={h: set(d) for h, _, d in hours.iter_rows()},
            sizes=dict(zip(sizes["cluster_ref"].to_list(), sizes["len"].to_list(), strict=True)),
        )

    def _store(self, first: pl.DataFrame) -> set[int]:
        """Assign and store the events of ``first`` not stored before (one per id); returns the
        refs of the clusters the new events joined or formed and of the events stored before."""
        dt = self._open()
        known = self._known_refs(dt, first)
        new = first.join(known.select("event_id"), on="event_id", how="anti")
        refs = set(known["cluster_ref"].to_list())
        if new.height:
            refs |= self._assign_new(dt, new)
            dt = self._open()
            if self.auto_compact and dt is not None:
                closed = [d for d in _fragmented_days(dt) if d < min(_days(new))]
                if closed:
                    self.compact(closed)
        return refs

    def stored_events(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Every stored event (inspection and tests)."""
        cols = list(columns) if columns else STATE_SCHEMA.names
        dt = self._open()
        if dt is None:
            return _frame(STATE_SCHEMA.empty_table().select(cols))
        return _frame(dt.to_pyarrow_dataset().to_table(columns=cols))

    def labels(self) -> pl.DataFrame:
        """``hour`` and the current labels of every stored event."""
        dt = self._open()
        if dt is None:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        return self._labels(dt, None)

    def compact(self, days: Sequence[str] | None = None) -> int:
        """Rewrite each given day (default: each fragmented day) as files of ``FILE_BYTES``.

        Hourly appends leave a small file per hour; a compacted day is read in a few requests.
        The day is streamed through in row groups, never held whole. Returns the days
        rewritten."""
        dt = self._open()
        if dt is None:
            return 0
        todo = list(days) if days is not None else _fragmented_days(dt)
        for day in todo:
            date.fromisoformat(day)  # only a date may reach the predicate
            where = ds.field("day") == day
            if dt.to_pyarrow_dataset().count_rows(filter=where):
                rows = functools.partial(_stream, where=where)
                self._write(dt, rows, predicate=f"day = '{day}'")
                dt = self._open() or dt
        return len(todo)

    def expire(self, before_day: str) -> pl.DataFrame:
        """Forget every stored day older than ``before_day`` (YYYY-MM-DD), keeping the clusters
        that lose members true (see ``remove``); returns their remaining members' labels."""
        date.fromisoformat(before_day)
        dt = self._open()
        if dt is None:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        old = dt.to_pyarrow_dataset().to_table(
            columns=["event_id"], filter=ds.field("day") < before_day
        )
        return self.remove(old.column("event_id").to_pylist())

    def remove(self, event_ids: Sequence[str]) -> pl.DataFrame:
        """Forget stored events and re-derive the clusters they leave.

        The remaining members of each such cluster are linked again with the decisions an
        assignment makes (full signatures within an hour, probes across hours, days within
        the window), so a removed bridge splits its cluster and a removed representative hands
        over to the earliest remaining member: the store ends as if the events had never
        arrived. Returns ``hour`` and the current labels of every remaining member of those
        clusters, for callers that copy labels (silver)."""
        dt = self._open()
        gone = sorted(set(event_ids))
        if dt is None or not gone:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        index = dt.to_pyarrow_dataset().to_table(columns=["day", "event_id", "cluster_ref"])
        hit = index.filter(pc.is_in(index.column("event_id"), value_set=pa.array(gone)))
        if hit.num_rows == 0:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        refs = set(hit.column("cluster_ref").to_pylist())
        days = sorted(set(hit.column("day").to_pylist()) | set(_days_of_clusters(dt, refs)))
        table = dt.to_pyarrow_dataset().to_table(filter=ds.field("day").isin(days))
        kept = table.filter(pc.invert(pc.is_in(table.column("event_id"), value_set=pa.array(gone))))
        member = np.asarray(pc.is_in(kept.column("cluster_ref"), value_set=_ref_array(refs)))
        ref = _int_column(kept, "cluster_ref")
        rep_ts = _int_column(kept, "cluster_ts")
        if member.any():
            rows = np.flatnonzero(member)
            new_ref, new_ts = _relink(kept.take(pa.array(rows)), self.threshold, self.window_days)
            ref[rows], rep_ts[rows] = new_ref, new_ts
        kept = kept.set_column(
            kept.schema.get_field_index("cluster_ref"), "cluster_ref", pa.array(ref)
        ).set_column(kept.schema.get_field_index("cluster_ts"), "cluster_ts", pa.array(rep_ts))
        quoted = ", ".join(f"'{d}'" for d in days)
        self._write(dt, kept.select(STATE_SCHEMA.names), predicate=f"day IN ({quoted})")
        new_refs = set(ref[member].tolist()) if member.any() else set()
        return self._labels(self._open(), new_refs)

    # -- assignment ---------------------------------------------------------------------------

    def _assign_new(self, dt: DeltaTable | None, new: pl.DataFrame) -> set[int]:
        """Cluster and store the new events; returns the cluster refs they ended up in."""
        ids = new["event_id"].to_list()
        own_refs = np.array([cluster_ref(i) for i in ids], dtype=np.int64)
        ts_all = new["ts"].dt.epoch("us").to_numpy().astype(np.int64)
        order = np.lexsort((own_refs, ts_all))
        ranked = new[order]
        batch = _Batch(
            ids=[ids[i] for i in order],
            hours=ranked["hour"].to_list(),
            ts=ts_all[order],
            refs=own_refs[order],
            days=_days(ranked),
            keys=[request_key(t or "") for t in ranked["text"].to_list()],
        )
        n = len(batch.ids)
        group = exact_groups(batch.keys)
        nonempty = np.fromiter((bool(k) for k in batch.keys), dtype=bool, count=n)
        distinct = np.flatnonzero((group == np.arange(n)) & nonempty)
        if distinct.size == 0:
            return set()
        sig = signatures([batch.keys[int(i)] for i in distinct])
        hashes = band_hashes(sig)
        u, v = candidate_pairs(hashes)
        u, v, _ = verified_pairs(sig, u, v, self.threshold)
        doc_day = batch.ts[distinct] // _DAY_US
        near = np.abs(doc_day[u] - doc_day[v]) <= self.window_days
        u, v = u[near], v[near]
        probes = make_probes(sig, hashes)

        lo_day = date.fromisoformat(min(batch.days)) - timedelta(days=self.window_days)
        hi_day = date.fromisoformat(max(batch.days)) + timedelta(days=self.window_days)
        stored = self._scan(dt, lo_day.isoformat(), hi_day.isoformat())
        link_doc, link_ref, link_ts = _stored_links(
            probes, doc_day, stored, self.threshold, self.window_days
        )
        n_docs = len(distinct)
        node_refs, node_index = np.unique(link_ref, return_index=True)
        node_ts = link_ts[node_index]
        k = np.searchsorted(node_refs, link_ref)
        label = components(
            n_docs + len(node_refs),
            np.concatenate([u, link_doc]),
            np.concatenate([v, n_docs + k]),
        )
        # Representative of each component: its earliest node by (ts, ref).
        all_ts = np.concatenate([batch.ts[distinct], node_ts])
        all_ref = np.concatenate([batch.refs[distinct], node_refs])
        pick = np.lexsort((all_ref, all_ts, label))
        first_of = np.concatenate([[True], label[pick][1:] != label[pick][:-1]])
        rep_ref = np.zeros(len(label), dtype=np.int64)
        rep_ts = np.zeros(len(label), dtype=np.int64)
        roots = label[pick][first_of]
        rep_ref[roots] = all_ref[pick][first_of]
        rep_ts[roots] = all_ts[pick][first_of]

        relabel = {
            int(old): (int(rep_ref[label[n_docs + j]]), int(rep_ts[label[n_docs + j]]))
            for j, old in enumerate(node_refs.tolist())
            if rep_ref[label[n_docs + j]] != old
        }
        if relabel:
            self._relabel(dt, relabel)
            dt = self._open()
        doc_of = np.full(n, -1, dtype=np.int64)
        doc_of[distinct] = np.arange(n_docs)
        doc_of = doc_of[group]
        keep = np.flatnonzero(doc_of >= 0)
        root_of = label[doc_of[keep]]
        self._append(dt, batch, keep, rep_ref[root_of], rep_ts[root_of], sig, probes, doc_of)
        return set(rep_ref[root_of].tolist())

    def _scan(self, dt: DeltaTable | None, lo_day: str, hi_day: str) -> dict[str, np.ndarray]:
        """``ts``, ``cluster_ref``, ``cluster_ts`` and probes of the stored days in range."""
        if dt is None:
            table = STATE_SCHEMA.empty_table().select(_SCAN_COLUMNS)
        else:
            table = dt.to_pyarrow_dataset().to_table(
                columns=_SCAN_COLUMNS,
                filter=(ds.field("day") >= lo_day) & (ds.field("day") <= hi_day),
                fragment_scan_options=_NO_PREBUFFER,
            )
        table = table.set_column(0, "ts", table.column("ts").cast(pa.int64()))
        return {name: _int_column(table, name) for name in _SCAN_COLUMNS}

    def _known_refs(self, dt: DeltaTable | None, first: pl.DataFrame) -> pl.DataFrame:
        """``event_id, cluster_ref`` of the batch's events stored before."""
        schema = {"event_id": pl.Utf8, "cluster_ref": pl.Int64}
        if dt is None:
            return pl.DataFrame(schema=schema)
        wanted = pa.array(first["event_id"].unique().to_list(), pa.string())
        where = ds.field("day").isin(sorted(set(_days(first)))) & ds.field("event_id").isin(wanted)
        table = dt.to_pyarrow_dataset().to_table(columns=list(schema), filter=where)  # in the scan
        found = _frame(table).cast(schema)  # type: ignore[arg-type]
        return found.unique(subset="event_id", keep="first")

    def _labels(self, dt: DeltaTable | None, refs: set[int] | None) -> pl.DataFrame:
        """Current labels of every stored member of ``refs`` (all stored events if None)."""
        if dt is None or (refs is not None and not refs):
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        columns = ["event_id", "hour", "cluster_ref", "ts", "cluster_ts"]
        if refs is None:
            table = dt.to_pyarrow_dataset().to_table(columns=columns)
        else:
            table = _rows_of_clusters(dt, refs, columns)
        members = _frame(table).unique(subset="event_id", keep="first", maintain_order=True)
        if members.height == 0:
            return pl.DataFrame(schema=CHANGE_SCHEMA)
        return _named(members, None)

    def _relabel(self, dt: DeltaTable | None, relabel: dict[int, tuple[int, int]]) -> None:
        """Move every stored member of the merged clusters to its new representative: one
        commit rewriting the days that hold them, streamed through a row group at a time."""
        if dt is None:
            return
        days = _days_of_clusters(dt, set(relabel))
        if not days:
            return
        for day in days:
            date.fromisoformat(day)  # only dates reach the predicate
        old = np.array(sorted(relabel), dtype=np.int64)
        new_ref = np.array([relabel[int(r)][0] for r in old], dtype=np.int64)
        new_ts = np.array([relabel[int(r)][1] for r in old], dtype=np.int64)

        def moved(batch: pa.RecordBatch) -> pa.RecordBatch:
            at_ref = batch.schema.get_field_index("cluster_ref")
            at_ts = batch.schema.get_field_index("cluster_ts")
            refs = batch.column(at_ref).to_numpy(zero_copy_only=False).copy()
            ts = batch.column(at_ts).to_numpy(zero_copy_only=False).copy()
            k = np.minimum(np.searchsorted(old, refs), len(old) - 1)
            hit = old[k] == refs
            refs[hit], ts[hit] = new_ref[k[hit]], new_ts[k[hit]]
            return batch.set_column(at_ref, "cluster_ref", pa.array(refs)).set_column(
                at_ts, "cluster_ts", pa.array(ts)
            )

        def rows(current: DeltaTable) -> pa.RecordBatchReader:
            read = _stream(current, ds.field("day").isin(days))
            return pa.RecordBatchReader.from_batches(read.schema, (moved(b) for b in read))

        quoted = ", ".join(f"'{d}'" for d in days)
        self._write(dt, rows, predicate=f"day IN ({quoted})")

    def _append(
        self,
        dt: DeltaTable | None,
        batch: _Batch,
        keep: np.ndarray,
        refs: np.ndarray,
        rep_ts: np.ndarray,
        sig: np.ndarray,
        probes: Probes,
        doc_of: np.ndarray,
    ) -> None:
        """One append of every new event with text (exact copies share a signature)."""
        rows = doc_of[keep]
        table = pa.table(
            {
                "day": pa.array([batch.days[i] for i in keep], type=pa.large_string()),
                "event_id": pa.array([batch.ids[i] for i in keep], type=pa.large_string()),
                "hour": pa.array([batch.hours[i] for i in keep], type=pa.large_string()),
                "ts": pa.array(batch.ts[keep]).cast(_TS),
                "cluster_ref": pa.array(refs),
                "cluster_ts": pa.array(rep_ts),
                **{name: pa.array(values) for name, values in take_rows(probes, rows).items()},
                "sig": _binary_rows(sig[rows].astype("<u4").view(np.uint8)),
            },
            schema=STATE_SCHEMA,
        )
        self._write(dt, table)

    # -- Delta plumbing ------------------------------------------------------------------------

    def _open(self) -> DeltaTable | None:
        dt = delta.open_table(self.path, self.storage_options)
        if dt is None:
            return None
        found = dt.metadata().description
        if found != DESCRIPTION:
            if found and found.startswith(_OURS):
                raise StoreOutdated(
                    f"{self.path} holds {found!r}, not {DESCRIPTION!r}: reset it and assign "
                    "its events again"
                )
            raise ValueError(
                f"{self.path} holds {found!r}, not {DESCRIPTION!r}: sketches of another "
                "configuration cannot be compared; use a new path"
            )
        return dt

    def reset(self) -> None:
        """Empty the store and give it this version's layout and configuration."""
        try:
            dt = DeltaTable(self.path, storage_options=self.storage_options)
        except TableNotFoundError:
            return
        write_deltalake(
            dt,
            STATE_SCHEMA.empty_table(),
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=["day"],
        )
        dt = DeltaTable(self.path, storage_options=self.storage_options)
        dt.alter.set_table_properties(_TABLE_CONFIG)  # type: ignore[arg-type]
        dt.alter.set_table_description(DESCRIPTION)

    def _write(
        self,
        dt: DeltaTable | None,
        data: pa.Table | _Rows,
        predicate: str | None = None,
    ) -> None:
        """Append ``data``, or overwrite what ``predicate`` matches with it. ``data`` may be a
        function of the current table giving a stream of rows (rewrites of stored days): a
        retry after a lost commit reads them again from the table it lost to."""
        raw = ColumnProperties(dictionary_enabled=False, statistics_enabled="NONE")
        props = WriterProperties(
            compression="UNCOMPRESSED",
            column_properties={name: raw for name in _RAW},
            max_row_group_size=ROW_GROUP_ROWS,
        )

        attempts = 0

        def write() -> None:
            nonlocal attempts
            # A retry reopens the table so that it sees the commit it lost to.
            current = dt if attempts == 0 else self._open()
            attempts += 1
            common: dict[str, Any] = {
                "partition_by": ["day"],
                "writer_properties": props,
                "target_file_size": FILE_BYTES,
            }
            target: str | DeltaTable
            if current is None:
                target = self.path
                common["storage_options"] = self.storage_options
                common["configuration"] = _TABLE_CONFIG
                common["description"] = DESCRIPTION
            else:
                target = current
            if callable(data):
                assert current is not None, "a stored day is rewritten, so the table exists"
                table: pa.Table | pa.RecordBatchReader = data(current)
            else:
                table = data
            if predicate is None:
                write_deltalake(target, table, mode="append", **common)
            else:
                write_deltalake(target, table, mode="overwrite", predicate=predicate, **common)

        retry_commit(write)


# Filters on non-partition columns are applied in memory: delta-rs describes a file written
# without statistics for a column as "column >= null", which a pushed-down filter on that
# column reads as "no row can match" and skips the file.


def _named(rows: pl.DataFrame, sizes: dict[int, int] | None) -> pl.DataFrame:
    """Labels of stored rows (``event_id, hour, cluster_ref, ts, cluster_ts``, one per event):
    sizes from ``sizes``, or counted among ``rows`` when they are whole clusters (None).

    Vectorised: a cluster's id is named once per cluster, and only members stored with their
    representative's time can be the representative, so only they are hashed."""
    distinct = rows["cluster_ref"].unique().to_list()
    names = pl.DataFrame(
        {
            "cluster_ref": distinct,
            "cluster_id": [cluster_name(r) for r in distinct],
            "__size": [None if sizes is None else sizes.get(r, 0) for r in distinct],
        },
        schema={"cluster_ref": pl.Int64, "cluster_id": pl.Utf8, "__size": pl.Int64},
    )
    maybe = (pl.col("ts").dt.epoch("us") == pl.col("cluster_ts")).fill_null(False)
    candidates = rows.filter(maybe).select("event_id", "cluster_ref")
    reps = candidates.filter(
        pl.Series([cluster_ref(i) for i in candidates["event_id"].to_list()], dtype=pl.Int64)
        == candidates["cluster_ref"]
    ).select("event_id", pl.lit(True).alias("is_representative"))
    size = pl.len().over("cluster_ref") if sizes is None else pl.col("__size")
    return (
        rows.join(names, on="cluster_ref", how="left", maintain_order="left")
        .join(reps, on="event_id", how="left", maintain_order="left")
        .select(
            pl.col("hour").cast(pl.Utf8),
            pl.col("event_id").cast(pl.Utf8),
            pl.col("cluster_id"),
            size.cast(pl.Int64).alias("cluster_size"),
            pl.col("is_representative").fill_null(False),
        )
    )


def _ref_array(refs: set[int]) -> pa.Array:
    return pa.array(sorted(refs), pa.int64())


def _scanner(dt: DeltaTable, columns: list[str], where: ds.Expression | None) -> ds.Scanner:
    """``columns`` of the stored rows ``where`` selects, a row group at a time (no read-ahead,
    no pre-buffering: a scanned or rewritten day is never held whole)."""
    return ds.Scanner.from_dataset(
        dt.to_pyarrow_dataset(),
        columns=columns,
        filter=where,
        batch_size=ROW_GROUP_ROWS,
        batch_readahead=0,
        fragment_readahead=0,
        fragment_scan_options=_NO_PREBUFFER,
    )


def _narrow(dt: DeltaTable, columns: list[str], where: ds.Expression | None) -> pa.Table:
    """``columns`` of the stored rows ``where`` selects (narrow reads, held whole)."""
    return dt.to_pyarrow_dataset().to_table(
        columns=columns, filter=where, fragment_scan_options=_NO_PREBUFFER
    )


def _stream(dt: DeltaTable, where: ds.Expression) -> pa.RecordBatchReader:
    """Every stored column of the rows ``where`` selects (a day being rewritten)."""
    return _scanner(dt, STATE_SCHEMA.names, where).to_reader()


def _fragmented_days(dt: DeltaTable) -> list[str]:
    """Days holding more than one file under half of ``FILE_BYTES``: hourly appends left them.
    A compacted day holds files of ``FILE_BYTES`` and at most one smaller remainder."""
    return delta.fragmented_partitions(dt, "day", small_bytes=FILE_BYTES // 2)


def _days_of_clusters(dt: DeltaTable, refs: set[int]) -> list[str]:
    """Days holding a member of any of ``refs`` (one narrow scan of the whole table)."""
    table = _narrow(dt, ["day", "cluster_ref"], None)
    hit = pc.is_in(table.column("cluster_ref"), value_set=_ref_array(refs))
    return sorted(set(pc.filter(table.column("day"), hit).to_pylist()))


def _rows_of_clusters(dt: DeltaTable, refs: set[int], columns: list[str]) -> pa.Table:
    """``columns`` of every stored member of ``refs``."""
    days = _days_of_clusters(dt, refs)
    if not days:
        return STATE_SCHEMA.empty_table().select(columns)
    table = dt.to_pyarrow_dataset().to_table(columns=columns, filter=ds.field("day").isin(days))
    hit = pc.is_in(table.column("cluster_ref"), value_set=_ref_array(refs))
    return table.filter(hit)


def _relink(members: pa.Table, threshold: float, window_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Clusters of stored rows linked afresh: ``cluster_ref`` and ``cluster_ts`` per row.

    Rows of one hour are one batch as they arrived (ordered by time and id, identical
    signatures grouped, LSH candidates verified on full signatures); rows of different hours
    link by probes. Links need days within the window."""
    n = members.num_rows
    ids = members.column("event_id").to_pylist()
    hours = [h or "" for h in members.column("hour").to_pylist()]
    ts = members.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
    own = np.array([cluster_ref(i) for i in ids], dtype=np.int64)
    day = ts // _DAY_US
    sig = np.frombuffer(b"".join(members.column("sig").to_pylist()), dtype="<u4").reshape(n, -1)
    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []
    for hour in sorted(set(hours)):
        rows = np.array([i for i in range(n) if hours[i] == hour], dtype=np.int64)
        rows = rows[np.lexsort((own[rows], ts[rows]))]
        _, first, inverse = np.unique(sig[rows], axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        us.append(rows)  # identical signatures: one document
        vs.append(rows[first[inverse]])
        distinct = np.sort(first)
        u, v = candidate_pairs(band_hashes(sig[rows[distinct]]))
        u, v, _ = verified_pairs(sig[rows[distinct]], u, v, threshold)
        us.append(rows[distinct][u])
        vs.append(rows[distinct][v])
    probes = {name: _int_column(members, name) for name in PROBE_COLUMNS}
    doc, row = probe_matches(probes, probes, threshold)
    cross = np.array([hours[a] != hours[b] for a, b in zip(doc, row, strict=True)], dtype=bool)
    us.append(doc[cross] if doc.size else doc)
    vs.append(row[cross] if row.size else row)
    u, v = np.concatenate(us), np.concatenate(vs)
    near = np.abs(day[u] - day[v]) <= window_days
    label = components(n, u[near], v[near])
    pick = np.lexsort((own, ts, label))
    first_of = np.concatenate([[True], label[pick][1:] != label[pick][:-1]])
    rep_ref = np.zeros(n, dtype=np.int64)
    rep_ts = np.zeros(n, dtype=np.int64)
    rep_ref[label[pick][first_of]] = own[pick][first_of]
    rep_ts[label[pick][first_of]] = ts[pick][first_of]
    return rep_ref[label], rep_ts[label]


# -- links -----------------------------------------------------------------------------------


# Stored rows matched per step: bounds memory however long the history is. A template that
# recurs all month (hundreds of members on both sides) otherwise expands into millions of
# candidate pairs at once.
MATCH_CHUNK = 16_384


def _stored_links(
    probes: Probes,
    doc_day: np.ndarray,
    stored: dict[str, np.ndarray],
    threshold: float,
    window_days: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(doc, stored cluster_ref)`` links with the cluster's representative time.

    Matched chunk by chunk, keeping only pairs whose days are within the window, and reduced
    to distinct (doc, cluster) pairs per chunk: a cluster is one node of the merge graph
    however many of its members matched."""
    n_stored = len(stored["cluster_ref"])
    stored_day = stored["ts"] // _DAY_US
    docs: list[np.ndarray] = []
    refs: list[np.ndarray] = []
    times: list[np.ndarray] = []
    for lo in range(0, n_stored, MATCH_CHUNK):
        part = {name: stored[name][lo : lo + MATCH_CHUNK] for name in PROBE_COLUMNS}
        doc, row = probe_matches(probes, part, threshold)
        row = row + lo
        near = np.abs(doc_day[doc] - stored_day[row]) <= window_days
        doc, row = doc[near], row[near]
        if doc.size:
            ref_of = stored["cluster_ref"][row]
            pairs, first = np.unique(np.stack([doc, ref_of], axis=1), axis=0, return_index=True)
            docs.append(pairs[:, 0])
            refs.append(pairs[:, 1])
            times.append(stored["cluster_ts"][row][first])  # one value per cluster
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(docs), np.concatenate(refs), np.concatenate(times)


# -- arrays and tables ------------------------------------------------------------------------


def _binary_rows(matrix: np.ndarray) -> pa.Array:
    """Each row of a uint8 matrix as one ``large_binary`` value, without a Python loop."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def event_days(frame: pl.DataFrame) -> list[str]:
    """The distinct UTC days of ``frame["ts"]``: the store's partitions of those events."""
    return sorted(set(_days(frame)))


def _days(frame: pl.DataFrame) -> list[str]:
    return frame["ts"].dt.strftime("%Y-%m-%d").to_list()


def _int_column(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if column.num_chunks == 0:
        return np.zeros(0, dtype=column.type.to_pandas_dtype())
    return np.concatenate([c.to_numpy(zero_copy_only=False) for c in column.chunks])


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _as_frame(batch: pa.Table | pl.DataFrame) -> pl.DataFrame:
    frame = batch if isinstance(batch, pl.DataFrame) else _frame(batch)
    missing = {"event_id", "ts", "text"} - set(frame.columns)
    if missing:
        raise ValueError(f"batch lacks columns: {sorted(missing)}")
    ts = frame["ts"]
    if not isinstance(ts.dtype, pl.Datetime):
        raise ValueError("ts must be a datetime column")
    if ts.dtype.time_zone is None:
        ts = ts.dt.replace_time_zone("UTC")
    hour = pl.col("hour").cast(pl.Utf8) if "hour" in frame.columns else pl.lit(None, pl.Utf8)
    return frame.select(
        pl.col("event_id").cast(pl.Utf8),
        ts.dt.convert_time_zone("UTC").dt.cast_time_unit("us").alias("ts"),
        pl.col("text").cast(pl.Utf8),
        hour.alias("hour"),
    )
