"""Compact per-event probes: what a new batch scans the stored history with.

A probe holds a 16-bit fingerprint of each of the 21 LSH band hashes (two per int32 column
``fp_0`` … ``fp_10``) and the low 4 bits of each of the 64 MinHash values (a b-bit MinHash
sketch, 16 per int64 column ``sk_0`` … ``sk_3``): 76 bytes. Columns rather than one blob, so a
scan reads each band as one contiguous array and touches sketches only for candidates.

A stored event is a candidate for a new document when one band fingerprint agrees, and a match
when their sketches estimate Jaccard at or above the threshold. Unequal MinHash values still
agree in their low 4 bits with probability 1/16, so ``E[agreeing / num_perm] = J + (1 - J)/16``,
inverted below; the estimate's spread is within 7% of the full signature's.

Why not full signatures or exact band hashes: with repetitive traffic a batch matches events
all over the window, so whatever a match needs must come from one sequential scan, and that
scan has to stay small (docs/dedupe.md has the measurements).
"""

from __future__ import annotations

import numpy as np

from pipelines.dedupe.lsh import BANDS
from pipelines.dedupe.minhash import NUM_PERM

FP_COLUMNS = [f"fp_{k}" for k in range((BANDS + 1) // 2)]
SKETCH_COLUMNS = [f"sk_{k}" for k in range(NUM_PERM * 4 // 64)]
PROBE_COLUMNS = FP_COLUMNS + SKETCH_COLUMNS

Probes = dict[str, np.ndarray]
"""Probe columns by name: int32 arrays for ``fp_*``, int64 arrays for ``sk_*``."""


def make_probes(sig: np.ndarray, hashes: np.ndarray) -> Probes:
    """Probe columns of signatures and their ``(n, BANDS)`` band hashes."""
    n = len(sig)
    fps = np.zeros((n, 2 * len(FP_COLUMNS)), dtype="<u2")
    fps[:, :BANDS] = (hashes >> np.uint64(48)).astype("<u2")
    fp_words = fps.view("<i4")
    nib = (sig & np.uint32(0xF)).astype(np.uint8)
    packed = np.ascontiguousarray(nib[:, 0::2] | (nib[:, 1::2] << np.uint8(4)))
    sk_words = packed.view("<i8")
    out = {name: np.ascontiguousarray(fp_words[:, k]) for k, name in enumerate(FP_COLUMNS)}
    for k, name in enumerate(SKETCH_COLUMNS):
        out[name] = np.ascontiguousarray(sk_words[:, k])
    return out


def take_rows(probes: Probes, rows: np.ndarray) -> Probes:
    """The given rows of every probe column."""
    return {name: values[rows] for name, values in probes.items()}


def band_fingerprints(probes: Probes, band: int) -> np.ndarray:
    """The 16-bit fingerprints of one band (a strided view, no copy)."""
    word = probes[FP_COLUMNS[band // 2]].view("<u2")
    return word[band % 2 :: 2]


def sketches(probes: Probes, rows: np.ndarray) -> np.ndarray:
    """``(len(rows), NUM_PERM // 2)`` uint8 packed sketches of the given rows."""
    words = np.stack([probes[name][rows] for name in SKETCH_COLUMNS], axis=1).astype("<i8")
    return words.view(np.uint8)


def sketch_matches_needed(threshold: float, num_perm: int = NUM_PERM) -> int:
    """Agreeing 4-bit values out of ``num_perm`` that mean estimated Jaccard >= ``threshold``."""
    return int(np.ceil(num_perm * (threshold * 15 / 16 + 1 / 16) - 1e-9))


def sketch_matches(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise count of equal 4-bit values between two packed sketch matrices."""
    x = left ^ right
    low = np.count_nonzero((x & np.uint8(0x0F)) == 0, axis=1)
    return low + np.count_nonzero((x >> np.uint8(4)) == 0, axis=1)


def probe_matches(batch: Probes, stored: Probes, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Verified ``(batch row, stored row)`` pairs.

    Per band, a 65,536-entry count table of the batch's fingerprints turns each stored row into
    one cache-resident lookup; fingerprint collisions are then rejected by the sketch.
    """
    empty = np.zeros(0, dtype=np.int64)
    n_batch, n_stored = len(batch[FP_COLUMNS[0]]), len(stored[FP_COLUMNS[0]])
    if n_batch == 0 or n_stored == 0:
        return empty, empty
    docs: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for band in range(BANDS):
        keys = band_fingerprints(batch, band)
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=1 << 16)
        starts = np.cumsum(counts) - counts
        column = band_fingerprints(stored, band)
        hit = np.flatnonzero((counts > 0)[column])
        if hit.size == 0:
            continue
        want = column[hit]
        many = counts[want]
        # Expand each hit to every batch document with that fingerprint.
        first = np.repeat(starts[want] - (np.cumsum(many) - many), many)
        docs.append(order[first + np.arange(int(many.sum()))])
        rows.append(np.repeat(hit, many))
    if not docs:
        return empty, empty
    pair = np.concatenate(docs).astype(np.int64) << 32 | np.concatenate(rows).astype(np.int64)
    pair = np.sort(pair)
    pair = pair[np.concatenate([[True], pair[1:] != pair[:-1]])]
    doc, row = pair >> 32, pair & 0xFFFFFFFF
    agree = sketch_matches(sketches(batch, doc), sketches(stored, row))
    ok = agree >= sketch_matches_needed(threshold)
    return doc[ok], row[ok]
