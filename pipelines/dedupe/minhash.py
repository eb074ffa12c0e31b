"""MinHash signatures in numpy, bit-identical to datasketch 2.0's ``affine32`` scheme.

datasketch's affine32 MinHash pre-mixes each 32-bit input hash with the MurmurHash3 finalizer and
applies ``a * h + b mod 2**32`` per permutation, keeping the minimum. We compute the same values
for a whole batch at once: a (num_perm x shingles) uint32 block per chunk, min-reduced per
document with ``np.minimum.reduceat`` along contiguous rows. Permutation parameters are drawn
exactly like datasketch's (``np.random.RandomState(seed)``), so a stored row converts back to a
``datasketch.LeanMinHash`` and compares with any datasketch MinHash built with
``hashfunc=shingle_hash32`` and the same seed and ``num_perm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from pipelines.dedupe.normalize import SHINGLE_SIZE, shingle_hashes

if TYPE_CHECKING:
    from datasketch import LeanMinHash

NUM_PERM = 64
"""Permutations per signature: 64 held precision and recall of 128 on planted duplicates."""
SEED = 1
"""datasketch's default seed; store it with the signatures."""
SCHEME = "affine32"
DATASKETCH_VERSION = "2.0.0"
EMPTY = np.uint32(0xFFFFFFFF)
"""Signature value of a document without shingles (datasketch's initial value)."""

_KEYS_PER_CHUNK = 8192
_SHINGLES_PER_BLOCK = 8192


@cache
def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` of datasketch's affine32 permutations for ``num_perm`` and ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's affine32 pre-mix), on a copy."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def signatures_from_hashes(
    hashes: np.ndarray,
    offsets: np.ndarray,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
) -> np.ndarray:
    """``(n_docs, num_perm)`` uint32 signatures of documents given as flat shingle hashes."""
    a, b = permutations(num_perm, seed)
    n_docs = len(offsets) - 1
    out = np.full((num_perm, n_docs), EMPTY, dtype=np.uint32)
    counts = np.diff(offsets)
    docs = np.flatnonzero(counts > 0)
    if docs.size == 0:
        return np.ascontiguousarray(out.T)
    mixed = fmix32(hashes.astype(np.uint32, copy=False))
    contiguous = docs.size == n_docs
    starts = offsets[docs]
    ends = offsets[docs + 1]
    buf = np.empty((num_perm, _SHINGLES_PER_BLOCK), dtype=np.uint32)
    first = 0
    while first < docs.size:
        # As many whole documents as fit the block (at least one, even if it is longer).
        last = int(np.searchsorted(ends, starts[first] + _SHINGLES_PER_BLOCK, side="right"))
        last = max(last, first + 1)
        lo, hi = int(starts[first]), int(ends[last - 1])
        width = hi - lo
        block = buf[:, :width] if width <= buf.shape[1] else np.empty((num_perm, width), np.uint32)
        np.multiply(a[:, None], mixed[None, lo:hi], out=block)
        np.add(block, b[:, None], out=block)
        if contiguous:
            np.minimum.reduceat(block, starts[first:last] - lo, axis=1, out=out[:, first:last])
        else:
            out[:, docs[first:last]] = np.minimum.reduceat(block, starts[first:last] - lo, axis=1)
        first = last
    return np.ascontiguousarray(out.T)


def signatures(
    keys: Sequence[str],
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    shingle_size: int = SHINGLE_SIZE,
) -> np.ndarray:
    """Signatures of normalized keys, computed in chunks to bound memory."""
    out = np.empty((len(keys), num_perm), dtype=np.uint32)
    for lo in range(0, len(keys), _KEYS_PER_CHUNK):
        chunk = keys[lo : lo + _KEYS_PER_CHUNK]
        hashes, offsets = shingle_hashes(chunk, shingle_size)
        out[lo : lo + len(chunk)] = signatures_from_hashes(hashes, offsets, num_perm, seed)
    return out


def estimated_jaccard(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise fraction of equal signature values (datasketch's ``MinHash.jaccard``)."""
    return np.count_nonzero(left == right, axis=-1) / left.shape[-1]


def to_lean_minhash(row: np.ndarray, seed: int = SEED) -> LeanMinHash:
    """A signature row as a ``datasketch.LeanMinHash`` (affine32)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=np.asarray(row, dtype=np.uint32), scheme=SCHEME)


def to_lean_minhashes(matrix: np.ndarray, seed: int = SEED) -> list[Any]:
    """Every row of a signature matrix as a ``LeanMinHash``."""
    return [to_lean_minhash(row, seed) for row in matrix]
