"""LSH candidates, union-find and in-memory clustering (``cluster_texts``)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from pipelines.dedupe import DEFAULT_THRESHOLD, cluster_texts
from pipelines.dedupe.lsh import band_hashes, candidate_pairs, components, verified_pairs
from pipelines.dedupe.minhash import signatures
from pipelines.dedupe.requests import REQUEST_OPENERS

VOCABULARY = (
    "boka möte med imorgon spela musik av vad blir vädret i göteborg stockholm ring till "
    "påminn mig om att köpa mjölk sätt en timer på minuter släck lampan i köket vardagsrummet "
    "hur lång tid tar det att åka till jobbet skicka ett meddelande säg att jag är sen läs upp "
    "mina mejl lägg till ägg på inköpslistan vilken dag är det idag öka volymen stäng av"
)
WORDS = VOCABULARY.split(" ")
FILLERS = ["eh", "öh", "typ", "liksom", "alltså", "snälla"]


def _variant(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    op = rng.randrange(5)
    if op == 0:
        out.insert(rng.randrange(len(out) + 1), rng.choice(FILLERS))
    elif op == 1:
        del out[rng.randrange(len(out))]
    elif op == 2:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    elif op == 3:
        i = rng.randrange(len(out))
        out[i] = out[i][:-1] + "x" if len(out[i]) > 2 else out[i] + "x"
    if rng.random() < 0.5:
        out = [w.upper() if rng.random() < 0.3 else w for w in out]
        out[-1] += rng.choice(["?", "!", "..."])
    return out


def _planted(n_bases: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for label in range(n_bases):
        # Not a request: random words, opened by a word no request starts with (requests of
        # up to 12 words are compared exactly, see pipelines/dedupe/requests.py).
        first = rng.choice([w for w in WORDS if w not in REQUEST_OPENERS])
        words = [first] + [rng.choice(WORDS) for _ in range(rng.randint(7, 29))]
        texts.append(" ".join(words))
        labels.append(label)
        if rng.random() < 0.4:
            for _ in range(rng.randint(1, 4)):
                texts.append(" ".join(_variant(words, rng)))
                labels.append(label)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], np.array([labels[i] for i in order])


def _pairs(labels: np.ndarray) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for value in np.unique(labels):
        members = np.flatnonzero(labels == value)
        out.update((int(a), int(b)) for a in members for b in members if a < b)
    return out


def test_identical_band_hashes_give_linear_connecting_pairs() -> None:
    sig = signatures(["vad blir vädret i morgon"] * 50 + ["spela musik av <person>"])
    u, v = candidate_pairs(band_hashes(sig))
    assert len(u) <= 2 * 50
    assert np.all(u < v)
    labels = components(len(sig), u, v)
    assert set(labels[:50].tolist()) == {0}
    assert labels[50] == 50


def test_components_label_every_node_with_its_smallest_member() -> None:
    u = np.array([5, 3, 1, 7, 8])
    v = np.array([3, 1, 9, 8, 6])
    labels = components(10, u, v)
    assert labels.tolist() == [0, 1, 2, 1, 4, 1, 6, 6, 6, 1]


def test_verification_rejects_pairs_below_threshold() -> None:
    sig = signatures(["boka ett möte med <person> på fredag", "spela lugn musik i köket"])
    u, _, est = verified_pairs(sig, np.array([0]), np.array([1]), 0.5)
    assert u.size == 0 and est.size == 0


def test_near_duplicates_cluster_and_the_earliest_represents() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    ids = ["late", "early", "other", "middle"]
    texts = [
        "Boka möte med <PERSON> på <DATE> klockan tio!",
        "boka möte med <PERSON> på <DATE> klockan tio",
        "vad blir vädret i Göteborg i morgon",
        "snälla boka möte med <PERSON> på <DATE> klockan tio",
    ]
    order = [t0 + timedelta(hours=3), t0, t0 + timedelta(hours=1), t0 + timedelta(hours=2)]
    result = cluster_texts(ids, texts, order=order)
    assert result.cluster == ["early", "early", "other", "early"]
    assert result.duplicate_of == ["early", None, None, "early"]
    assert result.cluster_size == [3, 3, 1, 3]


def test_without_order_the_first_input_represents() -> None:
    result = cluster_texts(["a", "b"], ["Släck lampan i köket", "släck lampan i köket."])
    assert result.cluster == ["a", "a"]
    assert result.duplicate_of == [None, "a"]


def test_empty_texts_stay_alone() -> None:
    result = cluster_texts(["a", "b", "c"], ["", "!!!", "släck lampan"])
    assert result.cluster == ["a", "b", "c"]
    assert result.cluster_size == [1, 1, 1]


def test_threshold_one_keeps_only_identical_keys_together() -> None:
    texts = [  # longer than a short request: compared by 4-gram MinHash at the threshold
        "det var mycket folk på stationen när tåget äntligen kom in",
        "Det var mycket folk på stationen när tåget äntligen kom in!",
        "det var mycket folk på stationen när tåget kom in",
    ]
    strict = cluster_texts(["a", "b", "c"], texts, threshold=1.0)
    loose = cluster_texts(["a", "b", "c"], texts, threshold=DEFAULT_THRESHOLD)
    assert strict.cluster == ["a", "a", "c"]
    assert loose.cluster == ["a", "a", "a"]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        cluster_texts(["a"], ["x", "y"])
    with pytest.raises(ValueError):
        cluster_texts(["a"], ["x"], threshold=0.0)
    with pytest.raises(ValueError):
        cluster_texts(["a"], ["x"], order=[1, 2])


def test_planted_near_duplicates_meet_the_quality_targets() -> None:
    texts, labels = _planted(600, seed=3)
    result = cluster_texts([str(i) for i in range(len(texts))], texts)
    predicted = np.array([int(c) for c in result.cluster])
    truth, found = _pairs(labels), _pairs(predicted)
    assert len(truth) > 300
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    assert precision >= 0.98
    assert recall >= 0.95
