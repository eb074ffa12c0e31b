"""Near-duplicate clustering: kvarn vs datasketch (textbook) vs rensa, in one run.

Corpus: base utterances of 8–30 words sampled from a word-bigram model (mixed half-and-half
with the unigram distribution) of real Swedish news sentences — the shared NER corpus,
Språkbanken "Webbnyheter 2012", CC BY 4.0 — so they share common words and short phrases
without being copies of each other. 30% of the bases get 1–6 variants, each made by one edit
(exact copy, inserted filler word, dropped word, two adjacent words swapped, one word
misspelt), half of them also with changed case and punctuation. A base and its variants form
one known cluster; pair precision and recall are measured against those clusters.

Every method starts from the same normalized keys (``dedupe_key``) and runs in its own
subprocess (honest peak RSS); timed is signatures + LSH + verification + clustering:

- ``kvarn``: ``cluster_keys`` (numpy; exact-copy grouping, MinHash, LSH, verification,
  components). ``kvarn-e2e`` adds normalization of the raw texts.
- ``rensa``: character shingles as Python lists, ``RMinHash.from_token_sets``,
  ``RMinHashLSH.insert_many`` + ``query_all``, candidates verified with ``jaccard``, then
  union-find. ``rensa_native_s`` is the same without building the shingle lists.
- ``datasketch``: the textbook path — ``MinHash()`` + ``update()`` per shingle (default SHA-1
  hash), ``MinHashLSH`` insert + query, verification with ``jaccard``, union-find; on the first
  ``--naive-n`` utterances (throughput in docs/s is what is compared).

All use the same number of permutations; rensa needs bands dividing ``num_perm`` (16 x 4).

    .venv/bin/python benchmarks/bench_dedupe.py                    # 100k, naive on 20k
    .venv/bin/python benchmarks/bench_dedupe.py --n 1000000 --skip-naive --skip-rensa
    .venv/bin/python benchmarks/bench_dedupe.py --sweep            # shingle size, num_perm
    .venv/bin/python benchmarks/bench_dedupe.py --key-cost --skip-methods  # request vs plain keys
    .venv/bin/python benchmarks/bench_dedupe.py --store --store-hours 200,1000 --skip-methods
    .venv/bin/python benchmarks/bench_dedupe.py --store-silver --store-hours 200,1000 --skip-methods
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.dedupe.cluster import DEFAULT_THRESHOLD, ClusterParams, cluster_keys, cluster_texts
from pipelines.dedupe.minhash import NUM_PERM
from pipelines.dedupe.normalize import SHINGLE_SIZE, dedupe_key, shingles

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "sv_ner_persons_train.jsonl"
)
FILLERS = ("eh", "öh", "ehm", "typ", "liksom", "alltså", "asså", "ba", "hmm", "snälla", "ju", "nu")
LETTERS = "abcdefghijklmnopqrstuvwxyzåäö"
RENSA_BANDS = 16

# -- planted corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantedCorpus:
    texts: list[str]
    labels: np.ndarray  # true cluster (index of the base utterance) per text


class _Bigrams:
    """Word-bigram sampler in CSR form, vectorized over many utterances at once."""

    def __init__(self, sentences: list[str], bigram_share: float = 0.5) -> None:
        self.bigram_share = bigram_share
        vocab: dict[str, int] = {}
        pairs: list[tuple[int, int]] = []
        starts: list[int] = []
        for sentence in sentences:
            # URLs and other long tokens would plant accidental near-duplicates.
            words = [w for w in sentence.split() if len(w) <= 25 and "http" not in w]
            ids = [vocab.setdefault(w, len(vocab)) for w in words]
            if ids:
                starts.append(ids[0])
                pairs.extend(itertools.pairwise(ids))
        self.words = np.array(list(vocab), dtype=object)
        src = np.array([p[0] for p in pairs], dtype=np.int64)
        dst = np.array([p[1] for p in pairs], dtype=np.int64)
        self.succ = dst[np.argsort(src, kind="stable")]
        self.deg = np.bincount(src, minlength=len(vocab))
        self.ptr = np.concatenate([[0], np.cumsum(self.deg)])
        self.starts = np.array(starts, dtype=np.int64)

    def sample(self, rng: np.random.Generator, lengths: np.ndarray) -> list[list[str]]:
        n, width = len(lengths), int(lengths.max())
        grid = np.empty((n, width), dtype=np.int64)
        cur = self.starts[rng.integers(0, len(self.starts), n)]
        grid[:, 0] = cur
        for j in range(1, width):
            deg = self.deg[cur]
            pick = self.ptr[cur] + (rng.random(n) * np.maximum(deg, 1)).astype(np.int64)
            nxt = self.succ[np.minimum(pick, len(self.succ) - 1)]
            # Half of the words come from the unigram distribution: pure bigram chains copy
            # long phrases of rare words, which would plant duplicates nobody labelled.
            unigram = self.succ[rng.integers(0, len(self.succ), n)]
            cur = np.where((deg > 0) & (rng.random(n) < self.bigram_share), nxt, unigram)
            grid[:, j] = cur
        return [list(self.words[grid[i, : lengths[i]]]) for i in range(n)]


def _case_punct(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    style = rng.randrange(4)
    if style == 0:
        out = [w.upper() for w in out]
    elif style == 1:
        out = [w.lower() for w in out]
    else:
        i = rng.randrange(len(out))
        out[i] = out[i].capitalize() if out[i].islower() else out[i].lower()
    out[-1] = out[-1].rstrip(".!?,") + rng.choice(["?", "!", "...", "", " ?"])
    if len(out) > 3:
        j = rng.randrange(1, len(out) - 1)
        out[j] += ","
    return out


def _filler(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    out.insert(rng.randrange(len(out) + 1), rng.choice(FILLERS))
    return out


def _drop(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    del out[rng.randrange(len(out))]
    return out


def _swap(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    i = rng.randrange(len(out) - 1)
    out[i], out[i + 1] = out[i + 1], out[i]
    return out


def _edit(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    i = rng.choice([i for i, w in enumerate(out) if len(w) >= 3] or list(range(len(out))))
    w, pos, kind = out[i], rng.randrange(len(out[i])), rng.randrange(3)
    if kind == 0:
        w = w[:pos] + rng.choice(LETTERS) + w[pos + 1 :]
    elif kind == 1:
        w = w[:pos] + rng.choice(LETTERS) + w[pos:]
    elif len(w) > 1:
        w = w[:pos] + w[pos + 1 :]
    out[i] = w
    return out


EDITS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "copy": lambda words, rng: list(words),
    "filler": _filler,
    "drop": _drop,
    "swap": _swap,
    "edit": _edit,
}


def planted_corpus(n: int, seed: int = 7, source: Path = DEFAULT_SOURCE) -> PlantedCorpus:
    """``n`` utterances in shuffled order; 30% of the bases get 1–6 variants."""
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    with source.open(encoding="utf-8") as fh:
        model = _Bigrams([json.loads(line)["text"] for line in fh if line.strip()])
    bases = model.sample(rng, rng.integers(8, 31, int(n / 1.54) + 1000))
    texts: list[str] = []
    labels: list[int] = []
    names = list(EDITS)
    for label, words in enumerate(bases):
        texts.append(" ".join(words))
        labels.append(label)
        if prng.random() < 0.3:
            for _ in range(min(6, int(rng.geometric(0.5)))):
                op = prng.choice(names)
                variant = EDITS[op](words, prng)
                if op != "copy" and prng.random() < 0.5:
                    variant = _case_punct(variant, prng)
                texts.append(" ".join(variant))
                labels.append(label)
        if len(texts) >= n:
            break
    if len(texts) < n:
        raise ValueError("not enough base utterances sampled")
    order = rng.permutation(n)
    return PlantedCorpus([texts[i] for i in order], np.asarray(labels[:n], dtype=np.int64)[order])


def pair_scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Pair precision and recall of a predicted clustering against the planted clusters."""

    def pairs(counts: np.ndarray) -> int:
        return int((counts * (counts - 1) // 2).sum())

    _, pred = np.unique(predicted, return_inverse=True)
    joint = truth.astype(np.int64) * (int(pred.max()) + 1) + pred
    tp = pairs(np.unique(joint, return_counts=True)[1])
    found = pairs(np.unique(pred, return_counts=True)[1])
    planted = pairs(np.unique(truth, return_counts=True)[1])
    return (tp / found if found else 1.0), (tp / planted if planted else 1.0)


# -- methods (each runs in a worker process) -------------------------------------------------------


def _union_find_labels(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def run_kvarn(keys: list[str], threshold: float) -> tuple[np.ndarray, dict[str, float]]:
    return cluster_keys(keys, ClusterParams(threshold=threshold)), {}


def run_kvarn_e2e(texts: list[str], threshold: float) -> tuple[np.ndarray, dict[str, float]]:
    result = cluster_texts([str(i) for i in range(len(texts))], texts, threshold=threshold)
    return np.array([int(c) for c in result.cluster], dtype=np.int64), {}


def run_rensa(keys: list[str], threshold: float) -> tuple[np.ndarray, dict[str, float]]:
    import rensa

    t0 = time.perf_counter()
    token_sets = [shingles(k) or [""] for k in keys]
    t1 = time.perf_counter()
    sketches = rensa.RMinHash.from_token_sets(token_sets, NUM_PERM, 42)
    lsh = rensa.RMinHashLSH(threshold, NUM_PERM, RENSA_BANDS)
    lsh.insert_many(sketches)
    candidates = lsh.query_all(sketches)
    edges: list[tuple[int, int]] = []
    for i, found in enumerate(candidates):
        mine = sketches[i]
        edges.extend((i, j) for j in found if j > i and mine.jaccard(sketches[j]) >= threshold)
    labels = _union_find_labels(len(keys), edges)
    return labels, {"rensa_shingle_lists_s": t1 - t0, "rensa_native_s": time.perf_counter() - t1}


def run_datasketch(keys: list[str], threshold: float) -> tuple[np.ndarray, dict[str, float]]:
    from datasketch import MinHash, MinHashLSH

    sketches = []
    for key in keys:
        m = MinHash(num_perm=NUM_PERM)
        for shingle in shingles(key):
            m.update(shingle.encode("utf-8"))
        sketches.append(m)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    edges: list[tuple[int, int]] = []
    for i, m in enumerate(sketches):
        edges.extend((i, j) for j in lsh.query(m) if j > i and m.jaccard(sketches[j]) >= threshold)
    return _union_find_labels(len(keys), edges), {}


METHODS: dict[str, Callable[[list[str], float], tuple[np.ndarray, dict[str, float]]]] = {
    "kvarn": run_kvarn,
    "kvarn-e2e": run_kvarn_e2e,
    "rensa": run_rensa,
    "datasketch": run_datasketch,
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(method: str, data: Path, threshold: float, repeat: int, limit: int | None) -> None:
    """Run one method on the prepared corpus and print one JSON line of figures."""
    source = "texts.txt" if method == "kvarn-e2e" else "keys.txt"
    items = (data / source).read_text(encoding="utf-8").split("\n")[:limit]
    truth = np.load(data / "labels.npy")[: len(items)]
    rss_before = _rss_mb()
    times: list[float] = []
    extra: dict[str, float] = {}
    labels = np.zeros(0, dtype=np.int64)
    for _ in range(repeat):
        start = time.perf_counter()
        labels, extra = METHODS[method](items, threshold)
        times.append(time.perf_counter() - start)
    precision, recall = pair_scores(truth, labels)
    best = min(times)
    print(
        json.dumps(
            {
                "method": method,
                "n": len(items),
                "seconds": best,
                "docs_per_s": len(items) / best,
                "precision": precision,
                "recall": recall,
                "rss_before_mb": rss_before,
                "peak_rss_mb": _rss_mb(),
                **extra,
            }
        )
    )


def _spawn(
    method: str, data: Path, args: argparse.Namespace, limit: int, repeat: int
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        method,
        "--data",
        str(data),
        "--threshold",
        str(args.threshold),
        "--repeat",
        str(repeat),
        "--limit",
        str(limit),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{method} worker failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare_methods(args: argparse.Namespace) -> None:
    t = time.perf_counter()
    corpus = planted_corpus(args.n, args.seed, args.source)
    keys = [dedupe_key(text) for text in corpus.texts]
    copies = len(keys) - len(set(keys))
    print(
        f"corpus: {args.n:,} utterances, {len(np.unique(corpus.labels)):,} planted clusters, "
        f"{copies:,} exact copies after normalization ({time.perf_counter() - t:.1f} s to make)"
    )
    print(
        f"settings: shingles {SHINGLE_SIZE}-char, num_perm {NUM_PERM}, threshold {args.threshold}"
    )
    with tempfile.TemporaryDirectory(prefix="bench_dedupe_") as tmp:
        data = Path(tmp)
        (data / "keys.txt").write_text("\n".join(keys), encoding="utf-8")
        (data / "texts.txt").write_text(
            "\n".join(t.replace("\n", " ") for t in corpus.texts), encoding="utf-8"
        )
        np.save(data / "labels.npy", corpus.labels)
        plan = [("kvarn", args.n, args.repeat), ("kvarn-e2e", args.n, args.repeat)]
        if not args.skip_rensa:
            try:
                import rensa  # noqa: F401

                plan.append(("rensa", args.n, args.repeat))
            except ImportError:
                print("rensa not installed: skipped (pip install rensa==0.5.0)")
        if not args.skip_naive:
            plan.append(("datasketch", min(args.naive_n, args.n), 1))
        results = {}
        for method, limit, repeat in plan:
            results[method] = r = _spawn(method, data, args, limit, repeat)
            extra = ""
            if "rensa_native_s" in r:
                extra = f"  (rensa calls + verify + union-find alone: {r['rensa_native_s']:.2f} s)"
            print(
                f"{method:<11} n={r['n']:>9,}  {r['seconds']:8.2f} s"
                f"  {r['docs_per_s']:>10,.0f} docs/s"
                f"  precision {r['precision']:.4f}  recall {r['recall']:.4f}"
                f"  peak RSS {r['peak_rss_mb']:6.0f} MB (before: {r['rss_before_mb']:.0f}){extra}"
            )
    k = results["kvarn"]
    if "datasketch" in results:
        ratio = k["docs_per_s"] / results["datasketch"]["docs_per_s"]
        print(f"kvarn / datasketch throughput: {ratio:.0f}x")
    if "rensa" in results:
        r = results["rensa"]
        print(
            f"kvarn wall time / rensa: {k['seconds'] / r['seconds']:.2f}x "
            f"(vs rensa without shingle lists: {k['seconds'] / r['rensa_native_s']:.2f}x)"
        )
    per_100k = k["peak_rss_mb"] * 100_000 / max(args.n, 100_000)
    print(f"kvarn peak RSS per 100k utterances: {per_100k:.0f} MB (whole process)")


# -- shingle size and num_perm sweep -----------------------------------------------------------


def _jaccard_margins(keys: list[str], labels: np.ndarray, seed: int, pairs: int = 100_000) -> None:
    """Exact Jaccard of planted pairs (low tail) and of random pairs (high tail) per shingle size:
    the gap between them is the room the threshold has."""
    rng = np.random.default_rng(seed)
    order = np.argsort(labels, kind="stable")
    same = np.flatnonzero(labels[order][1:] == labels[order][:-1])
    planted = [(int(order[i]), int(order[i + 1])) for i in rng.choice(same, min(pairs, same.size))]
    a, b = rng.integers(0, len(keys), pairs), rng.integers(0, len(keys), pairs)
    unrelated = [(int(x), int(y)) for x, y in zip(a, b, strict=True) if labels[x] != labels[y]]
    for size in (3, 4, 5):
        sets: dict[int, set[str]] = {}

        def jac(i: int, j: int, size: int = size, sets: dict[int, set[str]] = sets) -> float:
            x = sets.setdefault(i, set(shingles(keys[i], size)))
            y = sets.setdefault(j, set(shingles(keys[j], size)))
            return len(x & y) / len(x | y) if x | y else 1.0

        p_j = np.array([jac(i, j) for i, j in planted])
        r_j = np.array([jac(i, j) for i, j in unrelated])
        print(
            f"shingle {size}: planted pairs Jaccard 1st/5th percentile "
            f"{np.percentile(p_j, 1):.2f}/{np.percentile(p_j, 5):.2f}; unrelated pairs "
            f"mean {r_j.mean():.3f}, 99.99th percentile {np.percentile(r_j, 99.99):.2f}, "
            f"max {r_j.max():.2f}"
        )


def sweep(args: argparse.Namespace) -> None:
    corpus = planted_corpus(args.n, args.seed, args.source)
    keys = [dedupe_key(text) for text in corpus.texts]
    print(f"sweep on {args.n:,} utterances, threshold {args.threshold}")
    configs = [
        ClusterParams(args.threshold, 64, 21, 3, 3),
        ClusterParams(args.threshold, 64, 21, 3, 4),
        ClusterParams(args.threshold, 64, 21, 3, 5),
        ClusterParams(args.threshold, 32, 10, 3, 4),
        ClusterParams(args.threshold, 128, 42, 3, 4),
    ]
    _jaccard_margins(keys, corpus.labels, args.seed)
    for p in configs:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            labels = cluster_keys(keys, p)
            times.append(time.perf_counter() - start)
        precision, recall = pair_scores(corpus.labels, labels)
        print(
            f"shingle {p.shingle_size}  num_perm {p.num_perm:>3}  bands {p.bands}x{p.rows}  "
            f"{min(times):6.2f} s  precision {precision:.4f}  recall {recall:.4f}"
        )


# -- store: one hour against 30 days of history -------------------------------------------------


def store_benchmark(args: argparse.Namespace) -> None:
    import polars as pl

    from pipelines.dedupe.store import NearDupStore

    for hour_size in [int(h) for h in args.store_hours.split(",")]:
        days = args.store_days
        history_n = hour_size * 24 * days
        corpus = planted_corpus(history_n + hour_size * args.repeat, args.seed, args.source)
        t0 = datetime(2025, 3, 1, tzinfo=UTC)
        ids = [f"ev{i:09d}" for i in range(len(corpus.texts))]
        secs = np.sort(np.random.default_rng(args.seed).integers(0, days * 86400, history_n))
        schema: dict[str, Any] = {
            "event_id": pl.Utf8,
            "ts": pl.Datetime("us", "UTC"),
            "text": pl.Utf8,
        }
        with tempfile.TemporaryDirectory(prefix="bench_dedupe_store_") as tmp:
            full = str(Path(tmp) / "history")
            store = NearDupStore(full)
            start = time.perf_counter()
            day_of = secs // 86400
            for day in range(days):
                rows = np.flatnonzero(day_of == day)
                store.assign(
                    pl.DataFrame(
                        {
                            "event_id": [ids[i] for i in rows],
                            "ts": [t0 + timedelta(seconds=int(secs[i])) for i in rows],
                            "text": [corpus.texts[i] for i in rows],
                        },
                        schema=schema,
                    )
                )
            built = time.perf_counter() - start
            empty_times, full_times, joined = [], [], 0
            for k in range(args.repeat):
                lo = history_n + k * hour_size
                batch = pl.DataFrame(
                    {
                        "event_id": ids[lo : lo + hour_size],
                        "ts": [
                            t0 + timedelta(days=days, seconds=int(s))
                            for s in np.linspace(0, 3599, hour_size)
                        ],
                        "text": corpus.texts[lo : lo + hour_size],
                    },
                    schema=schema,
                )
                empty = Path(tmp) / f"empty{k}"
                start = time.perf_counter()
                NearDupStore(str(empty)).assign(batch)
                empty_times.append(time.perf_counter() - start)
                shutil.rmtree(empty)
                start = time.perf_counter()
                out = NearDupStore(full).assign(batch)
                full_times.append(time.perf_counter() - start)
                joined += int((~out["is_representative"]).sum())
            e, f = statistics.median(empty_times), statistics.median(full_times)
            print(
                f"store: hour of {hour_size:,} events vs {days} days ({history_n:,} events, "
                f"built in {built:.0f} s): empty history {e * 1000:.0f} ms, "
                f"{days}-day history {f * 1000:.0f} ms, ratio {f / e:.2f}x "
                f"(median of {args.repeat}; {joined / args.repeat:.0f} events per hour joined a "
                "stored cluster)"
            )


def _fill_history(
    store_path: str, n: int, days: int, end: datetime, args: argparse.Namespace
) -> None:
    """Assign ``n`` planted utterances spread over the ``days`` before ``end``, day by day."""
    import polars as pl

    from pipelines.dedupe.store import NearDupStore

    corpus = planted_corpus(n, args.seed, args.source)
    secs = np.sort(np.random.default_rng(args.seed).integers(0, days * 86400, n))
    t0 = end - timedelta(days=days)
    store = NearDupStore(store_path)
    schema: dict[str, Any] = {"event_id": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "text": pl.Utf8}
    day_of = secs // 86400
    for day in range(days):
        rows = np.flatnonzero(day_of == day)
        store.assign(
            pl.DataFrame(
                {
                    "event_id": [f"hist{i:09d}" for i in rows],
                    "ts": [t0 + timedelta(seconds=int(secs[i])) for i in rows],
                    "text": [corpus.texts[i] for i in rows],
                },
                schema=schema,
            )
        )


def _fill_seen_hashes(path: str, per_day: int, days: int, end: datetime) -> None:
    """Claim ``per_day`` random event hashes for each of the ``days`` before ``end``."""
    import hashlib

    import polars as pl

    from pipelines.silver.seen_hashes import claim_hashes

    for day in range(days):
        hour = (end - timedelta(days=days - day)).strftime("%Y-%m-%dT%H")
        ids = [hashlib.sha256(f"hist-{day}-{i}".encode()).hexdigest() for i in range(per_day)]
        rows = pl.DataFrame({"event_id": ids, "source_file": "history", "line_no": 0})
        claim_hashes(path, hour, rows)


def silver_hour_benchmark(args: argparse.Namespace) -> None:
    """A whole silver hour (masking, dates, exact and near dedupe, Delta writes) against an
    empty band store and against 30 days of history at the same rate of turns per hour.

    ``--store-hours`` counts events. Only turns (the utterances the band store keeps) enter
    the band history, so it holds the generated day's turns once per day of the window; the
    seen-hash table holds the day's events once per day.
    """
    import polars as pl

    from pipelines.bronze.build import build_bronze_hour
    from pipelines.bronze.ingest import all_owner_hours
    from pipelines.config import LakeConfig
    from pipelines.generate import generate
    from pipelines.io import delta
    from pipelines.io.landing import day_dirs
    from pipelines.silver.build import SilverOptions, build_silver_hour

    def silver(src: Path, hour: str, tmp: str) -> tuple[float, int]:
        run = Path(tmp) / "run"
        shutil.copytree(src, run)
        t = time.perf_counter()
        report = build_silver_hour(LakeConfig(data_dir=str(run)), hour, SilverOptions(demo=True))
        elapsed = time.perf_counter() - t
        shutil.rmtree(run)
        return elapsed, report.rows["turns"]

    for hour_size in [int(h) for h in args.store_hours.split(",")]:
        with tempfile.TemporaryDirectory(prefix="bench_silver_hour_") as tmp:
            start = datetime(2025, 4, 1, tzinfo=UTC)
            empty = Path(tmp) / "empty"
            generate(empty / "landing", days=1, events_per_hour=hour_size, seed=args.seed,
                     start=start)  # fmt: skip
            cfg = LakeConfig(data_dir=str(empty))
            day = all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry))
            for hour in day:
                build_bronze_hour(cfg, hour)
            kinds = delta.read_table(cfg.table("bronze", "events"), columns=["event"])
            assert kinds is not None
            day_turns = kinds.filter(pl.col("event") == "orchestrator.turn").height
            hours = day[12 : 14 + args.repeat]  # daytime hours, the busy part of the day
            silver(empty, hours[0], tmp)  # loads the masker and the person model
            full = Path(tmp) / "full"
            shutil.copytree(empty, full)
            stored = day_turns * args.store_days
            full_cfg = LakeConfig(data_dir=str(full))
            _fill_history(full_cfg.table("state", "neardup_bands"), stored, args.store_days,
                          start, args)  # fmt: skip
            _fill_seen_hashes(full_cfg.table("state", "seen_hashes"), kinds.height, args.store_days,
                              start)  # fmt: skip
            times: dict[str, list[float]] = {"empty": [], "full": []}
            turns: list[int] = []
            for hour in hours[1:]:
                for name, src in (("empty", empty), ("full", full)):
                    elapsed, n = silver(src, hour, tmp)
                    times[name].append(elapsed)
                turns.append(n)
            e, f = statistics.median(times["empty"]), statistics.median(times["full"])
            print(
                f"silver hour of {hour_size:,} events ({statistics.median(turns):.0f} turns): "
                f"empty band store {e * 1000:.0f} ms, {args.store_days} days ({stored:,} stored "
                f"turns) {f * 1000:.0f} ms, ratio {f / e:.2f}x (median of {len(turns)} hours)"
            )


def key_cost(args: argparse.Namespace) -> None:
    """Request keys against plain normalized keys, same corpus, same process, best of N:
    key building plus clustering, and the quality each gives on the planted long texts."""
    from pipelines.dedupe.requests import request_key

    corpus = planted_corpus(args.n, args.seed, args.source)
    params = ClusterParams(threshold=args.threshold)
    results: dict[str, list[float]] = {"dedupe_key": [], "request_key": []}
    quality: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, key in (("dedupe_key", dedupe_key), ("request_key", request_key)):
            t = time.perf_counter()
            keys = [key(text) for text in corpus.texts]
            labels = cluster_keys(keys, params)
            results[name].append(time.perf_counter() - t)
            quality[name] = pair_scores(corpus.labels, labels)
    base = min(results["dedupe_key"])
    for name, times in results.items():
        p, r = quality[name]
        print(f"{name:<12} keys + clustering {min(times):6.2f} s  ({min(times) / base:.2f}x)  "
              f"precision {p:.4f}  recall {r:.4f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="utterances (default 100k)")
    parser.add_argument("--naive-n", type=int, default=20_000, help="utterances for datasketch")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--repeat", type=int, default=3, help="best of / median of")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-rensa", action="store_true")
    parser.add_argument("--skip-methods", action="store_true", help="only --sweep / --store")
    parser.add_argument("--sweep", action="store_true", help="shingle size and num_perm sweep")
    parser.add_argument(
        "--key-cost", action="store_true", help="request keys vs plain keys, same process"
    )
    parser.add_argument("--store", action="store_true", help="hour vs 30 days of Delta history")
    parser.add_argument("--store-hours", default="200,1000", help="events per hour, comma list")
    parser.add_argument(
        "--store-silver", action="store_true", help="whole silver hour vs 30 days of history"
    )
    parser.add_argument("--store-days", type=int, default=30)
    parser.add_argument("--worker", choices=sorted(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.worker and not args.source.exists():
        parser.error(f"{args.source} not found: pass --source with the shared NER corpus")
    if args.worker:
        worker(args.worker, args.data, args.threshold, args.repeat, args.limit or None)
        return
    if not args.skip_methods:
        compare_methods(args)
    if args.sweep:
        sweep(args)
    if args.key_cost:
        key_cost(args)
    if args.store:
        store_benchmark(args)
    if args.store_silver:
        silver_hour_benchmark(args)


if __name__ == "__main__":
    main()
