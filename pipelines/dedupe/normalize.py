"""Text normalization and character shingles for near-duplicate detection.

Clustering runs on masked, date-normalized text, so entities and dates are already typed tokens
(``<PERSON>``, ``<DATE>``). Normalization removes what should never separate two utterances:
case, punctuation, invisible format characters and spacing. The angle brackets of the typed
tokens are kept so ``<person>`` stays distinct from the word "person".

Shingles are overlapping character n-grams of the normalized text. Their 32-bit hash is defined
by :func:`shingle_hash32`, a plain Python function that can be handed to
``datasketch.MinHash(hashfunc=shingle_hash32)``; :func:`shingle_hashes` computes the same values
for a whole batch with numpy, which is what makes the signatures fast *and* datasketch-identical.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

SHINGLE_SIZE = 4
"""Character n-gram size; 4 measured best on short Swedish utterances (docs/dedupe.md)."""

# Invisible format characters: soft hyphen, zero-width spaces and joiners, bidi marks, BOM.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_NOT_WORD = re.compile(r"[^\w\s<>]")

# Polynomial hash over (code point + 1) mod 2**64, one more multiply, then the high 32 bits
# (multiply-shift hashing). The +1 keeps a leading NUL from vanishing; the odd multipliers are
# splitmix64's constants.
_MUL = 0x9E3779B97F4A7C15
_FINAL_MUL = 0xBF58476D1CE4E5B9
_MASK64 = (1 << 64) - 1


def dedupe_key(text: str) -> str:
    """Normalized text: NFKC, lower case, punctuation and symbols as spaces, single spaces.

    Idempotent, so it may be applied to text that was normalized before.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _FORMAT_CHARS.sub("", text).lower()
    text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


def shingles(key: str, size: int = SHINGLE_SIZE) -> list[str]:
    """Character n-grams of a normalized key; a key shorter than ``size`` is its own shingle."""
    if not key:
        return []
    if len(key) <= size:
        return [key]
    return [key[i : i + size] for i in range(len(key) - size + 1)]


def shingle_hash32(shingle: str) -> int:
    """32-bit hash of one shingle: the ``hashfunc`` kvarn's signatures are defined with."""
    h = 0
    for ch in shingle:
        h = (h * _MUL + ord(ch) + 1) & _MASK64
    return ((h * _FINAL_MUL) & _MASK64) >> 32


def _finish(state: np.ndarray) -> np.ndarray:
    """Vectorized tail of :func:`shingle_hash32` (64-bit state to 32-bit hash), in place."""
    state *= np.uint64(_FINAL_MUL)
    state >>= np.uint64(32)
    return state.astype(np.uint32)


def shingle_hashes(keys: Sequence[str], size: int = SHINGLE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every shingle of every key, concatenated, plus row offsets.

    Returns ``(hashes, offsets)``: ``hashes[offsets[i]:offsets[i + 1]]`` are the
    :func:`shingle_hash32` values of ``shingles(keys[i], size)`` in order (duplicates kept; a
    MinHash does not care).
    """
    n = len(keys)
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=n)
    counts = np.where(lengths > size, lengths - size + 1, np.minimum(lengths, 1))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total_chars = int(lengths.sum())
    if total_chars == 0:
        return np.zeros(0, dtype=np.uint32), offsets
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32)
    state = codes.astype(np.uint64)
    state += np.uint64(1)
    width = total_chars - size + 1
    if width > 0:
        rolled = state[:width].copy()
        for j in range(1, size):
            rolled *= np.uint64(_MUL)
            rolled += state[j : j + width]
        # The last size-1 positions of each key (all of a shorter key) start no full shingle.
        ends = np.cumsum(lengths)
        valid = np.ones(width, dtype=bool)
        for j in range(1, size):
            tail = ends - j
            valid[tail[(lengths >= j) & (tail < width)]] = False
        hashes_full = _finish(rolled[valid])
    else:
        hashes_full = np.zeros(0, dtype=np.uint32)
    short = np.flatnonzero((lengths > 0) & (lengths < size))
    if short.size == 0:
        return hashes_full, offsets
    # Rare: keys shorter than a shingle hash as a whole; splice them in at their offsets.
    out = np.empty(int(offsets[-1]), dtype=np.uint32)
    is_short = np.zeros(int(offsets[-1]), dtype=bool)
    is_short[offsets[short]] = True
    out[is_short] = [shingle_hash32(keys[int(i)]) for i in short]
    out[~is_short] = hashes_full
    return out, offsets
