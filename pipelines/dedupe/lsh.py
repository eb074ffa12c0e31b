"""LSH banding, candidate verification and connected components, all in numpy.

Each band of ``ROWS`` signature values hashes to a 64-bit key. Instead of a dict of buckets
(datasketch's ``MinHashLSH`` keeps a Python set per bucket), the keys of every band of every
document are packed with the document number in their low bits and sorted once: equal band
hashes become adjacent runs, and each run yields linear, not quadratic, candidate pairs (every
member with its neighbour and with the run's first member). Candidates are verified by the
estimated Jaccard of their full signatures; verified pairs are joined by a vectorized
union-find whose roots are the smallest document numbers, i.e. the earliest documents when
documents are numbered in time order.
"""

from __future__ import annotations

import numpy as np

from pipelines.dedupe.minhash import NUM_PERM

BANDS = 21
ROWS = 3
"""21 bands of 3 rows: a pair with Jaccard 0.6 becomes a candidate with probability 0.994,
one with 0.2 with probability 0.16 (and is then rejected by verification)."""

_BAND_MUL = np.uint64(0x9E3779B97F4A7C15)
_VERIFY_CHUNK = 65536


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, in place."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def band_hashes(sig: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """``(n, bands)`` uint64 hashes of the signature bands; the band number is mixed in."""
    if bands * rows > sig.shape[1]:
        raise ValueError(f"{bands} bands x {rows} rows exceed {sig.shape[1]} permutations")
    cube = sig[:, : bands * rows].reshape(len(sig), bands, rows)
    h = cube[:, :, 0].astype(np.uint64)
    for j in range(1, rows):
        h *= _BAND_MUL
        h += cube[:, :, j]
    h += np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    return _mix64(h)


def _doc_bits(n: int) -> int:
    return max(1, int(n - 1).bit_length())


def candidate_pairs(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(u, v)`` document pairs (u < v) sharing at least one band hash.

    ``hashes`` is ``(n, bands)``. Within a run of equal hashes each document is paired with its
    neighbour and with the run's first (smallest) document, so a bucket of k documents costs
    at most 2k pairs while still connecting all of them.
    """
    n = hashes.shape[0]
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    bits = np.uint64(_doc_bits(n))
    docs = np.arange(n, dtype=np.uint64)[:, None]
    flat = (((hashes >> bits) << bits) | docs).ravel()
    flat.sort()
    step = flat[1:] ^ flat[:-1]
    step >>= bits
    idx = np.flatnonzero(step == 0)  # flat[idx] and flat[idx + 1] share a band hash
    del step
    if idx.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    doc_mask = (np.uint64(1) << bits) - np.uint64(1)
    left = (flat[idx] & doc_mask).astype(np.int64)
    right = (flat[idx + 1] & doc_mask).astype(np.int64)
    # Neighbour pairs, then each member with the first (smallest) document of its run.
    run_break = np.concatenate([[True], idx[1:] != idx[:-1] + 1])
    first = np.maximum.accumulate(np.where(run_break, np.arange(idx.size), 0))
    anchors = (flat[idx[first]] & doc_mask).astype(np.int64)
    u = np.concatenate([left, anchors])
    v = np.concatenate([right, right])
    keep = u != v
    u, v = u[keep], v[keep]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    pair = np.sort((lo << 32) | hi)
    pair = pair[np.concatenate([[True], pair[1:] != pair[:-1]])]
    return pair >> 32, pair & 0xFFFFFFFF


def verified_pairs(
    sig: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    threshold: float,
    other: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs whose estimated Jaccard reaches ``threshold`` and their estimates.

    ``u`` indexes ``sig``; ``v`` indexes ``other`` (default ``sig``).
    """
    right_sig = sig if other is None else other
    need = int(np.ceil(threshold * sig.shape[1] - 1e-9))
    keep = np.zeros(len(u), dtype=bool)
    equal = np.zeros(len(u), dtype=np.int64)
    for lo in range(0, len(u), _VERIFY_CHUNK):
        hi = lo + _VERIFY_CHUNK
        eq = np.count_nonzero(sig[u[lo:hi]] == right_sig[v[lo:hi]], axis=1)
        equal[lo:hi] = eq
        keep[lo:hi] = eq >= need
    return u[keep], v[keep], equal[keep] / sig.shape[1]


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes: each node's label is its component's smallest node."""
    parent = np.arange(n, dtype=np.int64)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    while u.size:
        pu, pv = parent[u], parent[v]
        lo, hi = np.minimum(pu, pv), np.maximum(pu, pv)
        open_ = lo != hi
        if not open_.any():
            break
        u, v, lo, hi = u[open_], v[open_], lo[open_], hi[open_]
        np.minimum.at(parent, hi, lo)
        while True:  # pointer jumping until every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def link_signatures(
    sig: np.ndarray,
    threshold: float,
    bands: int = BANDS,
    rows: int = ROWS,
) -> np.ndarray:
    """Component label (smallest member) per signature row after LSH + verification.

    Rows whose signature is empty (all values ``0xFFFFFFFF``: no shingles) are left alone.
    """
    n = len(sig)
    hashes = band_hashes(sig, bands, rows)
    u, v = candidate_pairs(hashes)
    u, v, _ = verified_pairs(sig, u, v, threshold)
    empty = np.all(sig == np.uint32(0xFFFFFFFF), axis=1)
    if empty.any():
        ok = ~(empty[u] | empty[v])
        u, v = u[ok], v[ok]
    return components(n, u, v)


__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "band_hashes",
    "candidate_pairs",
    "components",
    "link_signatures",
    "verified_pairs",
]
