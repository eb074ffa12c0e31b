"""Near-duplicate state in Delta: each batch of new events is matched against retained history.

One Delta table at ``path``, partitioned by the event's UTC ``day`` (what the window prunes).
Its description records the signature configuration (``CONFIG_TAG``: scheme, permutations,
seed, bands, shingle size); a store written with another configuration is refused rather than
compared with sketches it is not comparable to. One row per stored event:

- ``cluster_ref``, ``cluster_ts``, ``fp_*``, ``sk_*`` — what an assignment scans: the cluster
  the event joined, its representative's time, and a 76-byte probe (see ``probes.py``);
- ``event_id``, ``ts``, ``cluster_id``, ``cluster_size``, ``is_representative`` — the answer
  given at assignment time, returned unchanged when the event is assigned again;
- ``sig`` — the 64 MinHash values (little-endian uint32), convertible to a datasketch
  ``LeanMinHash``. Never read by an assignment.

An assignment opens the table once, reads three narrow columns of the days in the window in one
sequential scan (~92 bytes per stored event; nothing is fetched per match) and appends one
commit. Closed days are compacted into one file each, so a scan opens about one file per day.

Cluster ids are 16 hex digits of ``xxh64(representative event_id)``: fixed width, so a scan
never reads strings. They never change once written: a new event joins the earliest stored
cluster it matches, and clusters it bridges keep their ids. Empty texts (nothing left after
normalization) are clusters of their own and are not stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
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
from pipelines.dedupe.normalize import SHINGLE_SIZE, dedupe_key
from pipelines.dedupe.probes import (
    FP_COLUMNS,
    PROBE_COLUMNS,
    SKETCH_COLUMNS,
    Probes,
    make_probes,
    probe_matches,
    take_rows,
)
from pipelines.io import delta
from pipelines.io.delta import retry_commit

CONFIG_TAG = f"{SCHEME}-p{NUM_PERM}-seed{SEED}-b{BANDS}r{ROWS}-c{SHINGLE_SIZE}"
"""Signature configuration of the stored probes and signatures (datasketch 2.0 affine32)."""
DESCRIPTION = f"kvarn near-duplicate state {CONFIG_TAG}"

RESULT_SCHEMA: dict[str, Any] = {
    "event_id": pl.Utf8,
    "cluster_id": pl.Utf8,
    "cluster_size": pl.Int64,
    "is_representative": pl.Boolean,
}
_TS = pa.timestamp("us", tz="UTC")
STATE_SCHEMA = pa.schema(
    [
        ("day", pa.large_string()),
        ("event_id", pa.large_string()),
        ("ts", _TS),
        ("cluster_id", pa.large_string()),
        ("cluster_size", pa.int64()),
        ("is_representative", pa.bool_()),
        ("cluster_ref", pa.int64()),
        ("cluster_ts", pa.int64()),
        *[(name, pa.int32()) for name in FP_COLUMNS],
        *[(name, pa.int64()) for name in SKETCH_COLUMNS],
        ("sig", pa.large_binary()),
    ]
)
_SCAN_COLUMNS = ["cluster_ref", "cluster_ts", *PROBE_COLUMNS]
_RAW = ("cluster_ref", "cluster_ts", *PROBE_COLUMNS, "sig")
_TABLE_CONFIG: dict[str, str | None] = {
    "delta.dataSkippingStatsColumns": "ts",  # no stats on ids, probes or signatures
    "delta.checkpointInterval": "20",  # hourly commits: keep log replay short
}


def cluster_ref(event_id: str) -> int:
    """Signed 64-bit ``xxh64`` of a representative's event id."""
    return int(np.uint64(xxhash.xxh64_intdigest(event_id.encode("utf-8"))).view(np.int64))


def cluster_name(ref: int) -> str:
    """The cluster id: 16 lower-case hex digits of ``cluster_ref``."""
    return f"{int(np.int64(ref).view(np.uint64)):016x}"


@dataclass
class _Batch:
    """The new events of one assignment, in time order (ts, then event_id)."""

    ids: list[str]
    ts: np.ndarray  # int64 microseconds
    days: list[str]
    keys: list[str]


@dataclass
class _Assigned:
    """Per new event: cluster ref, representative time, representative flag."""

    ref: np.ndarray
    ts: np.ndarray
    is_rep: np.ndarray


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
        """Cluster ``event_id, ts, text`` rows against each other and the retained history.

        Returns ``event_id, cluster_id, cluster_size, is_representative`` in input order.
        Events assigned before are answered from the store unchanged, so reruns are no-ops.
        """
        frame = _as_frame(batch)
        if frame.height == 0:
            return pl.DataFrame(schema=RESULT_SCHEMA)
        first = frame.unique(subset="event_id", keep="first", maintain_order=True)
        dt = self._open()
        known = self._known(dt, first)
        new = first.join(known.select("event_id"), on="event_id", how="anti")
        answers = known
        if new.height:
            answers = pl.concat([known, self._assign_new(dt, new)], how="vertical")
            if self.auto_compact and dt is not None:
                closed = [d for d in delta.fragmented_partitions(dt, "day") if d < min(_days(new))]
                if closed:
                    self.compact(closed)
        return frame.select("event_id").join(
            answers, on="event_id", how="left", maintain_order="left"
        )

    def stored_events(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Every stored event (inspection and tests)."""
        cols = list(columns) if columns else STATE_SCHEMA.names
        dt = self._open()
        if dt is None:
            return _frame(STATE_SCHEMA.empty_table().select(cols))
        return _frame(dt.to_pyarrow_dataset().to_table(columns=cols))

    def compact(self, days: Sequence[str] | None = None) -> int:
        """Rewrite each given day (default: each day with several files) as one file.

        Hourly appends leave a file per hour; a compacted day is read in one request.
        Returns the number of days rewritten.
        """
        dt = self._open()
        if dt is None:
            return 0
        todo = list(days) if days is not None else delta.fragmented_partitions(dt, "day")
        for day in todo:
            date.fromisoformat(day)  # only a date may reach the predicate
            table = dt.to_pyarrow_dataset().to_table(filter=ds.field("day") == day)
            if table.num_rows:
                self._write(dt, table, predicate=f"day = '{day}'")
                dt = self._open() or dt
        return len(todo)

    def expire(self, before_day: str) -> None:
        """Delete every stored day older than ``before_day`` (YYYY-MM-DD)."""
        date.fromisoformat(before_day)
        dt = self._open()
        if dt is not None:
            dt.delete(f"day < '{before_day}'")

    # -- assignment ---------------------------------------------------------------------------

    def _assign_new(self, dt: DeltaTable | None, new: pl.DataFrame) -> pl.DataFrame:
        ranked = new.sort(["ts", "event_id"])
        batch = _Batch(
            ids=ranked["event_id"].to_list(),
            ts=ranked["ts"].dt.epoch("us").to_numpy().astype(np.int64),
            days=_days(ranked),
            keys=[dedupe_key(t or "") for t in ranked["text"].to_list()],
        )
        n = len(batch.ids)
        group = exact_groups(batch.keys)
        nonempty = np.fromiter((bool(k) for k in batch.keys), dtype=bool, count=n)
        distinct = np.flatnonzero((group == np.arange(n)) & nonempty)
        sig = signatures([batch.keys[int(i)] for i in distinct])
        hashes = band_hashes(sig)
        u, v = candidate_pairs(hashes)
        u, v, _ = verified_pairs(sig, u, v, self.threshold)
        comp = components(len(distinct), u, v)
        probes = make_probes(sig, hashes)

        stored_ref, stored_ts, stored_probe = self._scan(dt, min(batch.days))
        doc, row = _best_matches(probes, stored_probe, comp, stored_ref, stored_ts, self.threshold)
        assigned = _label(batch, distinct, group, comp, doc, stored_ref[row], stored_ts[row])
        sizes = _sizes(assigned, stored_ref)
        self._persist(dt, batch, assigned, sizes, distinct, group, sig, probes)
        return pl.DataFrame(
            {
                "event_id": batch.ids,
                "cluster_id": [cluster_name(r) for r in assigned.ref.tolist()],
                "cluster_size": sizes,
                "is_representative": assigned.is_rep,
            },
            schema=RESULT_SCHEMA,
        )

    def _scan(self, dt: DeltaTable | None, first_day: str) -> tuple[np.ndarray, np.ndarray, Probes]:
        """``cluster_ref``, ``cluster_ts`` and probes of every stored event in the window."""
        lo_day = (date.fromisoformat(first_day) - timedelta(days=self.window_days)).isoformat()
        if dt is None:
            table = STATE_SCHEMA.empty_table().select(_SCAN_COLUMNS)
        else:
            table = dt.to_pyarrow_dataset().to_table(
                columns=_SCAN_COLUMNS, filter=ds.field("day") >= lo_day
            )
        columns = {name: _int_column(table, name) for name in _SCAN_COLUMNS}
        probes = {name: columns[name] for name in PROBE_COLUMNS}
        return columns["cluster_ref"], columns["cluster_ts"], probes

    def _known(self, dt: DeltaTable | None, first: pl.DataFrame) -> pl.DataFrame:
        if dt is None:
            return pl.DataFrame(schema=RESULT_SCHEMA)
        table = dt.to_pyarrow_dataset().to_table(
            columns=list(RESULT_SCHEMA),
            filter=ds.field("day").isin(sorted(set(_days(first))))
            & ds.field("event_id").isin(first["event_id"].to_list()),
        )
        known = _frame(table).cast(RESULT_SCHEMA)  # type: ignore[arg-type]
        return known.unique(subset="event_id", keep="first")

    def _persist(
        self,
        dt: DeltaTable | None,
        batch: _Batch,
        assigned: _Assigned,
        sizes: np.ndarray,
        distinct: np.ndarray,
        group: np.ndarray,
        sig: np.ndarray,
        probes: Probes,
    ) -> None:
        """One append of every new event with text (exact copies share a signature)."""
        doc_of = np.full(len(batch.ids), -1, dtype=np.int64)
        doc_of[distinct] = np.arange(len(distinct))
        doc_of = doc_of[group]
        keep = np.flatnonzero(doc_of >= 0)
        if keep.size == 0:
            return
        rows = doc_of[keep]
        refs = assigned.ref[keep]
        table = pa.table(
            {
                "day": pa.array([batch.days[i] for i in keep], type=pa.large_string()),
                "event_id": pa.array([batch.ids[i] for i in keep], type=pa.large_string()),
                "ts": pa.array(batch.ts[keep]).cast(_TS),
                "cluster_id": pa.array([cluster_name(r) for r in refs.tolist()], pa.large_string()),
                "cluster_size": pa.array(sizes[keep]),
                "is_representative": pa.array(assigned.is_rep[keep]),
                "cluster_ref": pa.array(refs),
                "cluster_ts": pa.array(assigned.ts[keep]),
                **{name: pa.array(values) for name, values in take_rows(probes, rows).items()},
                "sig": _binary_rows(sig[rows].astype("<u4").view(np.uint8)),
            },
            schema=STATE_SCHEMA,
        )
        self._write(dt, table)

    # -- Delta plumbing ------------------------------------------------------------------------

    def _open(self) -> DeltaTable | None:
        try:
            dt = DeltaTable(self.path, storage_options=self.storage_options)
        except TableNotFoundError:
            return None
        found = dt.metadata().description
        if found != DESCRIPTION:
            raise ValueError(
                f"{self.path} holds {found!r}, not {DESCRIPTION!r}: sketches of another "
                "configuration cannot be compared; use a new path"
            )
        return dt

    def _write(self, dt: DeltaTable | None, table: pa.Table, predicate: str | None = None) -> None:
        raw = ColumnProperties(dictionary_enabled=False, statistics_enabled="NONE")
        props = WriterProperties(
            compression="UNCOMPRESSED", column_properties={name: raw for name in _RAW}
        )

        attempts = 0

        def write() -> None:
            nonlocal attempts
            # A retry reopens the table so that it sees the commit it lost to.
            current = dt if attempts == 0 else self._open()
            attempts += 1
            common: dict[str, Any] = {"partition_by": ["day"], "writer_properties": props}
            target: str | DeltaTable
            if current is None:
                target = self.path
                common["storage_options"] = self.storage_options
                common["configuration"] = _TABLE_CONFIG
                common["description"] = DESCRIPTION
            else:
                target = current
            if predicate is None:
                write_deltalake(target, table, mode="append", **common)
            else:
                write_deltalake(target, table, mode="overwrite", predicate=predicate, **common)

        retry_commit(write)


# -- labels and sizes ----------------------------------------------------------------------------


# Stored rows matched per step: bounds memory however long the history is. A template that
# recurs all month (hundreds of members on both sides) otherwise expands into millions of
# candidate pairs at once.
MATCH_CHUNK = 16_384


def _best_matches(
    probes: Probes,
    stored: Probes,
    comp: np.ndarray,
    stored_ref: np.ndarray,
    stored_ts: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Verified (doc, stored row) pairs reduced to the earliest stored cluster per batch
    component, chunk by chunk. ``_label`` keeps only that per component, so the result equals
    matching against all stored rows at once."""
    n_stored = len(stored_ref)
    docs: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for lo in range(0, n_stored, MATCH_CHUNK):
        part = {name: column[lo : lo + MATCH_CHUNK] for name, column in stored.items()}
        doc, row = probe_matches(probes, part, threshold)
        if doc.size:
            doc, row = _earliest_per_component(doc, row + lo, comp, stored_ref, stored_ts)
            docs.append(doc)
            rows.append(row)
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return _earliest_per_component(
        np.concatenate(docs), np.concatenate(rows), comp, stored_ref, stored_ts
    )


def _earliest_per_component(
    doc: np.ndarray,
    row: np.ndarray,
    comp: np.ndarray,
    stored_ref: np.ndarray,
    stored_ts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((stored_ref[row], stored_ts[row], comp[doc]))
    keys = comp[doc][order]
    first = np.concatenate([[True], keys[1:] != keys[:-1]])
    pick = order[first]
    return doc[pick], row[pick]


def _label(
    batch: _Batch,
    distinct: np.ndarray,
    group: np.ndarray,
    comp: np.ndarray,
    doc: np.ndarray,
    match_ref: np.ndarray,
    match_ts: np.ndarray,
) -> _Assigned:
    """Cluster of every new event: the earliest stored cluster its component matched, else
    a new cluster represented by the component's earliest event."""
    n = len(batch.ids)
    n_docs = len(distinct)
    # Earliest matched stored cluster per component, ordered by (cluster_ts, cluster_ref).
    none = np.iinfo(np.int64).max
    best = np.full(n_docs, none, dtype=np.int64)
    order = np.lexsort((match_ref, match_ts))
    if doc.size:
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        np.minimum.at(best, comp[doc], rank)
    refs = np.array([cluster_ref(i) for i in batch.ids], dtype=np.int64)
    out_ref = refs.copy()
    out_ts = batch.ts.copy()
    is_rep = np.ones(n, dtype=bool)  # empty texts are clusters of their own
    doc_of = np.full(n, -1, dtype=np.int64)
    doc_of[distinct] = np.arange(n_docs)
    d = doc_of[group]
    has = d >= 0
    root = comp[d[has]]
    joined = best[root] != none
    pick = order[np.where(joined, best[root], 0)] if order.size else np.zeros(root.size, np.int64)
    rep_event = distinct[root]
    out_ref[has] = np.where(joined, match_ref[pick] if order.size else 0, refs[rep_event])
    out_ts[has] = np.where(joined, match_ts[pick] if order.size else 0, batch.ts[rep_event])
    is_rep[has] = ~joined & (rep_event == np.flatnonzero(has))
    return _Assigned(ref=out_ref, ts=out_ts, is_rep=is_rep)


def _sizes(assigned: _Assigned, stored_refs: np.ndarray) -> np.ndarray:
    """Members per cluster: stored ones inside the window plus this batch."""
    refs, inverse, batch_counts = np.unique(assigned.ref, return_inverse=True, return_counts=True)
    stored = pl.Series("ref", stored_refs, dtype=pl.Int64)
    counted = stored.filter(stored.is_in(pl.Series(refs, dtype=pl.Int64))).value_counts()
    pos = np.searchsorted(refs, counted["ref"].to_numpy())
    stored_counts = np.zeros(len(refs), dtype=np.int64)
    stored_counts[pos] = counted["count"].to_numpy()
    return (batch_counts + stored_counts)[inverse].astype(np.int64)


# -- arrays and tables ------------------------------------------------------------------------


def _binary_rows(matrix: np.ndarray) -> pa.Array:
    """Each row of a uint8 matrix as one ``large_binary`` value, without a Python loop."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


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
    return frame.select(
        pl.col("event_id").cast(pl.Utf8),
        ts.dt.convert_time_zone("UTC").dt.cast_time_unit("us").alias("ts"),
        pl.col("text").cast(pl.Utf8),
    )
