"""Request keys: surface variants of a request collapse, requests differing in a content word
stay apart, and the keys' signatures stay datasketch MinHashes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from datasketch import LeanMinHash, MinHash

import pipelines.dedupe.requests as requests_module
from pipelines.dedupe import NearDupStore, cluster_texts
from pipelines.dedupe.minhash import NUM_PERM, SEED, signatures
from pipelines.dedupe.normalize import EXACT_MARK, shingle_hash32, shingle_hashes, shingles
from pipelines.dedupe.requests import request_key, request_words
from tests.data.make_request_pairs import build

PAIRS = Path(__file__).resolve().parents[2] / "data" / "request_pairs.jsonl"


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in PAIRS.read_text("utf-8").splitlines()]


def _scores(rows: list[dict[str, object]], cluster: dict[str, str]) -> tuple[float, float]:
    tp = fp = fn = 0
    for row in rows:
        same = cluster[str(row["a"])] == cluster[str(row["b"])]
        tp += same and bool(row["same"])
        fp += same and not row["same"]
        fn += (not same) and bool(row["same"])
    return tp / (tp + fp), tp / (tp + fn)


def test_the_labelled_set_is_what_its_script_writes() -> None:
    rows = _rows()
    assert rows == build()
    assert len(rows) >= 300
    kinds = {str(r["kind"]) for r in rows}
    assert {"action", "object", "place", "negation", "number", "wake", "polite"} <= kinds


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Alice, kan du tända lampan i köket?", ["tänd", "lampan", "i", "köket"]),
        ("hej Alice snälla släck släck lampan tack", ["släck", "lampan"]),
        ("eh öppna garageporten nu, Alice", ["öppna", "garageporten"]),
        ("tack", ["tack"]),  # nothing but politeness: the words are the request
        ("hej Alice", ["hej", "alice"]),
    ],
)
def test_request_words_drop_what_never_changes_a_request(text: str, words: list[str]) -> None:
    assert request_words(text) == words


def test_in_memory_clustering_meets_the_targets_on_minimal_pairs() -> None:
    rows = _rows()
    texts = sorted({str(r[s]) for r in rows for s in ("a", "b")})
    result = cluster_texts(texts, texts)
    precision, recall = _scores(rows, dict(zip(texts, result.cluster, strict=True)))
    assert precision >= 0.98 and recall >= 0.95


def test_the_store_meets_the_targets_across_batches(tmp_path: Path) -> None:
    rows = _rows()
    first = sorted({str(r["a"]) for r in rows})
    second = sorted({str(r["b"]) for r in rows} - set(first))
    store = NearDupStore(str(tmp_path / "nd"))
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    for hour, texts in enumerate((first, second)):
        ts = [t0 + timedelta(hours=hour, seconds=i) for i in range(len(texts))]
        store.assign(pl.DataFrame({"event_id": texts, "ts": ts, "text": texts}))
    labels = store.labels()
    found = dict(zip(labels["event_id"], labels["cluster_id"], strict=True))
    precision, recall = _scores(rows, found)
    assert precision >= 0.98 and recall >= 0.95


def test_marked_and_tagged_keys_hash_like_datasketch() -> None:
    texts = [
        "Tänd lampan i köket!",
        "det var mycket folk på stationen när tåget inte kom in i tid",
        "vi kunde inte släcka elden innan brandkåren kom till gården",
        "det regnade hela dagen och ingen ville gå ut på gatan",
        "x",
    ]
    keys = [request_key(t) for t in texts]
    assert keys[0].startswith(EXACT_MARK)
    hashes, offsets = shingle_hashes(keys)
    for i, key in enumerate(keys):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == [
            shingle_hash32(s) for s in shingles(key)
        ]
    sig = signatures(keys)
    for i, key in enumerate(keys):
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=shingle_hash32)
        for s in shingles(key):
            reference.update(s)
        lean = LeanMinHash(seed=SEED, hashvalues=sig[i], scheme="affine32")
        assert lean.jaccard(reference) == 1.0
    assert np.all(sig[0] != sig[1])


def test_negation_parts_long_texts_that_4grams_would_merge() -> None:
    said = "det var mycket folk på stationen när tåget kom in i tid idag"
    denied = "det var mycket folk på stationen när tåget inte kom in i tid idag"
    result = cluster_texts(["a", "b"], [said, denied])
    assert result.cluster == ["a", "b"]


def test_the_key_version_follows_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    before = requests_module._key_version()
    monkeypatch.setattr(requests_module, "FILLERS", requests_module.FILLERS | {"asså"})
    assert requests_module._key_version() == before  # already there: same rules
    monkeypatch.setattr(requests_module, "FILLERS", requests_module.FILLERS | {"jaha"})
    assert requests_module._key_version() != before


def test_different_short_requests_never_match_by_probe() -> None:
    """Exact keys are salted shingle sets: a one-element set's 4-bit sketches agree wholesale
    for 1 key pair in 16 ("släck taklampan i köket" matched "när är <DATE>")."""
    from pipelines.dedupe.lsh import band_hashes
    from pipelines.dedupe.probes import make_probes, probe_matches

    words = ["tänd", "släck", "lampan", "köket", "hallen", "öppna", "stäng", "dörren", "spela",
             "jazz", "timer", "fem", "tio"]  # fmt: skip
    rng = np.random.default_rng(3)
    texts = {" ".join(rng.choice(words, size=rng.integers(2, 6))) for _ in range(3000)}
    keys = sorted({request_key(t) for t in texts} | {request_key("släck taklampan i köket"),
                                                     request_key("När är <DATE>?")})  # fmt: skip
    sig = signatures(keys)
    probes = make_probes(sig, band_hashes(sig))
    doc, row = probe_matches(probes, probes, 0.5)
    assert len(keys) > 1500
    assert np.array_equal(np.sort(doc), np.arange(len(keys)))  # each key matches itself only
    assert np.array_equal(doc, row)
