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

EXACT_MARK = "\x1f"
"""Starts a key compared exactly (see ``requests.py``): its shingles are the whole key salted
``EXACT_SHINGLES`` ways. Not one shingle: the MinHash of a one-element set is an affine map of
one hash, whose low bits two different keys share 1 time in 16 — and then every 4-bit sketch
value agrees. Salted copies make different keys disjoint sets of independent hashes."""
EXACT_SHINGLES = 8
TAG_SEP = "\x1e"
"""Separates a key's tag from its text; every shingle of the text carries the tag."""

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
    return " ".join(key_tokens(text))


def key_tokens(text: str) -> list[str]:
    """The words of ``dedupe_key(text)``."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    text = _FORMAT_CHARS.sub("", text).lower()
    return _NOT_WORD.sub(" ", text).split()


def shingles(key: str, size: int = SHINGLE_SIZE) -> list[str]:
    """Character n-grams of a key; a key shorter than ``size`` is its own shingle.

    Normalization never leaves the two control characters below, so keys built with them
    cannot be confused with text: a key starting with ``EXACT_MARK`` is one shingle, and in
    ``tag + TAG_SEP + text`` every n-gram of the text is prefixed with ``tag + TAG_SEP``.
    """
    if not key:
        return []
    if key.startswith(EXACT_MARK):
        return [f"{key}{TAG_SEP}{i}" for i in range(EXACT_SHINGLES)]
    prefix = ""
    if TAG_SEP in key:
        tag, key = key.split(TAG_SEP, 1)
        prefix = tag + TAG_SEP
    if len(key) <= size:
        return [prefix + key] if key else []
    return [prefix + key[i : i + size] for i in range(len(key) - size + 1)]


def _poly(text: str) -> int:
    """The 64-bit polynomial state of ``shingle_hash32`` before its final mix."""
    h = 0
    for ch in text:
        h = (h * _MUL + ord(ch) + 1) & _MASK64
    return h


def shingle_hash32(shingle: str) -> int:
    """32-bit hash of one shingle: the ``hashfunc`` kvarn's signatures are defined with."""
    return ((_poly(shingle) * _FINAL_MUL) & _MASK64) >> 32


def _finish(state: np.ndarray) -> np.ndarray:
    """Vectorized tail of :func:`shingle_hash32` (64-bit state to 32-bit hash), in place."""
    state *= np.uint64(_FINAL_MUL)
    state >>= np.uint64(32)
    return state.astype(np.uint32)


def shingle_hashes(keys: Sequence[str], size: int = SHINGLE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every shingle of every key, concatenated, plus row offsets.

    Returns ``(hashes, offsets)``: ``hashes[offsets[i]:offsets[i + 1]]`` are the
    :func:`shingle_hash32` values of ``shingles(keys[i], size)`` in order (duplicates kept; a
    MinHash does not care). Tags are added to the rolled n-gram states arithmetically: the
    polynomial hash of ``prefix + gram`` is ``poly(prefix) * MUL**len(gram) + poly(gram)``.
    """
    n = len(keys)
    exact = np.fromiter((k.startswith(EXACT_MARK) for k in keys), dtype=bool, count=n)
    bodies: list[str] = []
    prefix_state = np.zeros(n, dtype=np.uint64)
    for i, key in enumerate(keys):
        if exact[i]:
            bodies.append("")
        elif TAG_SEP in key:
            tag, body = key.split(TAG_SEP, 1)
            bodies.append(body)
            prefix_state[i] = _poly(tag + TAG_SEP)
        else:
            bodies.append(key)
    states, offsets = _raw_states(bodies, size)
    tagged = np.flatnonzero(prefix_state)
    if tagged.size:
        lengths = np.fromiter((len(b) for b in bodies), dtype=np.int64, count=n)
        for i in tagged.tolist():
            gram = min(size, int(lengths[i]))
            factor = np.uint64(pow(_MUL, gram, 1 << 64))
            with np.errstate(over="ignore"):
                states[offsets[i] : offsets[i + 1]] += prefix_state[i] * factor
    if exact.any():
        counts = np.diff(offsets)
        counts[exact] = EXACT_SHINGLES
        full = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=full[1:])
        out = np.empty(int(full[-1]), dtype=np.uint64)
        plain = np.flatnonzero(~exact)
        starts, ends = offsets[plain], offsets[plain + 1]
        dest = np.repeat(full[plain] - starts, ends - starts) + np.arange(len(states))
        out[dest] = states
        for i in np.flatnonzero(exact).tolist():  # poly(key + SEP + digit), prefix once
            base = (_poly(keys[i] + TAG_SEP) * _MUL) & _MASK64
            start = int(full[i])
            out[start : start + EXACT_SHINGLES] = [
                (base + ord(str(d)) + 1) & _MASK64 for d in range(EXACT_SHINGLES)
            ]
        states, offsets = out, full
    return _finish(states), offsets


def _raw_states(keys: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Unmixed polynomial states of every n-gram of every key (see ``shingle_hashes``)."""
    n = len(keys)
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=n)
    counts = np.where(lengths > size, lengths - size + 1, np.minimum(lengths, 1))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total_chars = int(lengths.sum())
    if total_chars == 0:
        return np.zeros(int(offsets[-1]), dtype=np.uint64), offsets
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
        hashes_full = rolled[valid]
    else:
        hashes_full = np.zeros(0, dtype=np.uint64)
    short = np.flatnonzero((lengths > 0) & (lengths < size))
    if short.size == 0:
        return hashes_full, offsets
    # Rare: keys shorter than a shingle hash as a whole; splice them in at their offsets.
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    is_short = np.zeros(int(offsets[-1]), dtype=bool)
    is_short[offsets[short]] = True
    out[is_short] = [_poly(keys[int(i)]) for i in short]
    out[~is_short] = hashes_full
    return out, offsets
