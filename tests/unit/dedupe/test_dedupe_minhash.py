"""Normalization, shingle hashing and datasketch-identical MinHash signatures."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from pipelines.dedupe.minhash import (
    EMPTY,
    NUM_PERM,
    SEED,
    estimated_jaccard,
    permutations,
    signatures,
    to_lean_minhash,
)
from pipelines.dedupe.normalize import dedupe_key, shingle_hash32, shingle_hashes, shingles

ALPHABET = "abcåäöéü XYZ<>!?.,-_0123\u00ad😀"


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _datasketch(key: str, size: int = 4, num_perm: int = NUM_PERM) -> MinHash:
    m = MinHash(num_perm=num_perm, seed=SEED, hashfunc=shingle_hash32)
    for shingle in shingles(key, size):
        m.update(shingle)
    return m


def test_dedupe_key_folds_case_punctuation_and_spacing() -> None:
    assert (
        dedupe_key("  Boka MÖTE, med <PERSON> på <DATE>!!  ") == "boka möte med <person> på <date>"
    )
    assert dedupe_key("bok\u00adhylla\u200b") == "bokhylla"
    assert dedupe_key("ﬁ ＡＢＣ") == "fi abc"  # NFKC: ligature and full-width forms
    assert dedupe_key("...!?") == ""
    assert dedupe_key("") == ""


def test_dedupe_key_is_idempotent() -> None:
    for text in _random_texts(300, seed=1):
        key = dedupe_key(text)
        assert dedupe_key(key) == key


def test_shingles_of_short_and_empty_keys() -> None:
    assert shingles("", 4) == []
    assert shingles("ab", 4) == ["ab"]
    assert shingles("abcd", 4) == ["abcd"]
    assert shingles("abcde", 4) == ["abcd", "bcde"]


@pytest.mark.parametrize("size", [3, 4, 5])
def test_vectorized_shingle_hashes_equal_the_reference_hashfunc(size: int) -> None:
    keys = [dedupe_key(t) for t in _random_texts(400, seed=size)] + ["x" * 500, "", "a"]
    hashes, offsets = shingle_hashes(keys, size)
    assert offsets[-1] == len(hashes)
    for i, key in enumerate(keys):
        expected = [shingle_hash32(s) for s in shingles(key, size)]
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == expected


def test_permutations_are_datasketchs() -> None:
    a, b = permutations(NUM_PERM, SEED)
    reference = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    assert np.array_equal(a, reference[0])
    assert np.array_equal(b, reference[1])


@pytest.mark.parametrize("size", [3, 4, 5])
def test_signatures_are_bit_identical_to_datasketch(size: int) -> None:
    keys = [dedupe_key(t) for t in _random_texts(250, seed=10 + size)]
    keys += ["boka möte med <person> på <date>", "", "ab"]
    sig = signatures(keys, shingle_size=size)
    assert sig.dtype == np.uint32
    assert sig.shape == (len(keys), NUM_PERM)
    for row, key in zip(sig, keys, strict=True):
        assert np.array_equal(row, _datasketch(key, size).hashvalues)


def test_signatures_with_128_permutations_match_too() -> None:
    keys = ["vad blir vädret i morgon", "spela musik av <person>"]
    sig = signatures(keys, num_perm=128)
    for row, key in zip(sig, keys, strict=True):
        assert np.array_equal(row, _datasketch(key, num_perm=128).hashvalues)


def test_empty_key_has_datasketchs_empty_signature() -> None:
    sig = signatures([""])
    assert np.all(sig == EMPTY)
    assert np.array_equal(sig[0], MinHash(num_perm=NUM_PERM, seed=SEED).hashvalues)


def test_rows_convert_to_lean_minhash_and_compare_with_datasketch() -> None:
    a, b = "boka ett möte med <person> på <date>", "boka möte med <person> på <date> tack"
    sig = signatures([a, b])
    lean = to_lean_minhash(sig[0])
    assert isinstance(lean, LeanMinHash)
    assert lean.scheme == "affine32"
    assert lean.jaccard(_datasketch(b)) == pytest.approx(float(estimated_jaccard(sig[0], sig[1])))
    assert lean.jaccard(_datasketch(a)) == 1.0
