"""Near-duplicate clusters of one in-memory batch of texts.

Identical normalized keys are grouped first (an exact copy needs no signature of its own); the
distinct keys go through MinHash, LSH and verification; components then spread back to every
copy. Documents are numbered in time order before any of this, so a component's smallest number
is its earliest document: the representative, whose id becomes the cluster id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.dedupe.lsh import BANDS, ROWS, link_signatures
from pipelines.dedupe.minhash import NUM_PERM, SEED, signatures
from pipelines.dedupe.normalize import SHINGLE_SIZE
from pipelines.dedupe.requests import request_key

DEFAULT_THRESHOLD = 0.5
"""Estimated Jaccard of character 4-gram sets at or above which two texts are near-duplicates."""


@dataclass(frozen=True)
class ClusterParams:
    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = NUM_PERM
    bands: int = BANDS
    rows: int = ROWS
    shingle_size: int = SHINGLE_SIZE
    seed: int = SEED


@dataclass(frozen=True)
class ClusterResult:
    """Per input text, in input order."""

    ids: list[str]
    cluster: list[str]  # id of the cluster's representative (its earliest member)
    duplicate_of: list[str | None]  # None for the representative itself
    cluster_size: list[int]

    def __len__(self) -> int:
        return len(self.ids)


def exact_groups(keys: Sequence[str]) -> np.ndarray:
    """For each key, the position of its first occurrence (empty keys stay alone)."""
    first: dict[str, int] = {}
    out = np.fromiter(
        (first.setdefault(k, i) if k else i for i, k in enumerate(keys)),
        dtype=np.int64,
        count=len(keys),
    )
    return out


def cluster_keys(keys: Sequence[str], params: ClusterParams | None = None) -> np.ndarray:
    """Representative position per key; keys must already be in time order (earliest first)."""
    p = params or ClusterParams()
    group = exact_groups(keys)
    distinct = np.flatnonzero((group == np.arange(len(keys))) & _nonempty(keys))
    sig = signatures([keys[int(i)] for i in distinct], p.num_perm, p.seed, p.shingle_size)
    labels = link_signatures(sig, p.threshold, p.bands, p.rows)
    rep_of_distinct = np.arange(len(keys), dtype=np.int64)
    rep_of_distinct[distinct] = distinct[labels]
    return rep_of_distinct[group]


def _nonempty(keys: Sequence[str]) -> np.ndarray:
    return np.fromiter((bool(k) for k in keys), dtype=bool, count=len(keys))


def time_order(n: int, order: Sequence[Any] | None) -> np.ndarray:
    """Positions sorted by ``order`` (ties and ``None`` keep input order)."""
    if order is None:
        return np.arange(n, dtype=np.int64)
    if len(order) != n:
        raise ValueError("order must have one value per text")
    arr = np.asarray(order)
    if arr.dtype.kind in "iufMm":
        return np.argsort(arr, kind="stable").astype(np.int64)
    return np.array(sorted(range(n), key=lambda i: order[i]), dtype=np.int64)


def cluster_texts(
    ids: Sequence[str],
    texts: Sequence[str],
    order: Sequence[Any] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> ClusterResult:
    """Cluster one batch of masked, date-normalized texts; the earliest member represents.

    ``order`` (e.g. event timestamps) decides which member is earliest; without it, input
    order does.
    """
    if len(ids) != len(texts):
        raise ValueError("ids and texts must have the same length")
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    n = len(texts)
    ranked = time_order(n, order)
    keys = [request_key(texts[i]) for i in ranked]
    rep_rank = cluster_keys(keys, ClusterParams(threshold=threshold))
    rep_pos = ranked[rep_rank]
    position_rank = np.empty(n, dtype=np.int64)
    position_rank[ranked] = np.arange(n)
    rep_for_input = rep_pos[position_rank]
    sizes = np.bincount(rep_for_input, minlength=n)
    id_list = [str(i) for i in ids]
    cluster = [id_list[r] for r in rep_for_input.tolist()]
    duplicate_of: list[str | None] = [
        None if r == i else cluster[i] for i, r in enumerate(rep_for_input.tolist())
    ]
    return ClusterResult(
        ids=id_list,
        cluster=cluster,
        duplicate_of=duplicate_of,
        cluster_size=sizes[rep_for_input].tolist(),
    )
