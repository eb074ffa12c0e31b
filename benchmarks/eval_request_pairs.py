"""Near-duplicate quality on short Swedish requests: variants collapse, minimal pairs stay apart.

Reads the labelled pairs in ``tests/data/request_pairs.jsonl`` (surface variants of one request,
and minimal pairs differing in one content word; see ``tests/data/make_request_pairs.py``),
clusters every distinct text and reports pair precision / recall per kind, for:

- ``kvarn``: ``cluster_texts`` — what ``kvarn dedupe`` answers (request keys);
- ``kvarn-store``: the silver path, ``NearDupStore`` with the ``a`` texts in one hourly batch
  and the ``b`` texts in the next, so pairs are decided by the stored probes;
- ``4gram-only``: the previous method in the same run — plain normalized text, character
  4-gram MinHash at the same threshold (what kvarn did before request keys).

A pair is predicted "same" when both texts end in one cluster. Precision = correct "same" /
predicted "same"; recall = correct "same" / labelled "same".

    .venv/bin/python benchmarks/eval_request_pairs.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.dedupe import NearDupStore
from pipelines.dedupe.cluster import ClusterParams, cluster_keys, cluster_texts
from pipelines.dedupe.normalize import dedupe_key

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "request_pairs.jsonl"


def _load() -> list[dict[str, object]]:
    return [json.loads(line) for line in PAIRS.read_text("utf-8").splitlines() if line]


def _texts(rows: list[dict[str, object]]) -> list[str]:
    return sorted({str(r[side]) for r in rows for side in ("a", "b")})


def by_cluster_texts(rows: list[dict[str, object]]) -> dict[str, str]:
    texts = _texts(rows)
    result = cluster_texts(texts, texts)
    return dict(zip(texts, result.cluster, strict=True))


def by_four_grams(rows: list[dict[str, object]]) -> dict[str, str]:
    texts = _texts(rows)
    reps = cluster_keys([dedupe_key(t) for t in texts], ClusterParams())
    return {t: texts[int(r)] for t, r in zip(texts, reps, strict=True)}


def by_store(rows: list[dict[str, object]]) -> dict[str, str]:
    first = sorted({str(r["a"]) for r in rows})
    second = sorted({str(r["b"]) for r in rows} - set(first))
    t0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
    schema: dict[str, pl.DataType] = {
        "event_id": pl.Utf8(),
        "ts": pl.Datetime("us", "UTC"),
        "text": pl.Utf8(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = NearDupStore(str(Path(tmp) / "nd"))
        for hour, texts in enumerate((first, second)):
            ts = [t0 + timedelta(hours=hour, seconds=i) for i in range(len(texts))]
            store.assign(pl.DataFrame({"event_id": texts, "ts": ts, "text": texts}, schema=schema))
        labels = store.labels()
    found = dict(zip(labels["event_id"].to_list(), labels["cluster_id"].to_list(), strict=True))
    return {t: found.get(t, f"alone:{t}") for t in first + second}


def score(rows: list[dict[str, object]], cluster: dict[str, str]) -> dict[str, dict[str, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for row in rows:
        predicted = cluster[str(row["a"])] == cluster[str(row["b"])]
        for key in ("all", str(row["kind"])):
            c = counts[key]
            if predicted and row["same"]:
                c[0] += 1
            elif predicted:
                c[1] += 1
            elif row["same"]:
                c[2] += 1
    out = {}
    for key, (tp, fp, fn) in counts.items():
        out[key] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "wrongly_merged": fp,
            "missed": fn,
        }
    return out


def main() -> None:
    rows = _load()
    same = sum(bool(r["same"]) for r in rows)
    print(f"{PAIRS.name}: {len(rows)} pairs — {same} variants, {len(rows) - same} minimal pairs")
    methods = {"kvarn": by_cluster_texts, "kvarn-store": by_store, "4gram-only": by_four_grams}
    results = {name: score(rows, fn(rows)) for name, fn in methods.items()}
    print(f"\n{'method':<12} {'precision':>9} {'recall':>7} {'merged':>7} {'missed':>7}")
    for name, res in results.items():
        a = res["all"]
        print(f"{name:<12} {a['precision']:>9.4f} {a['recall']:>7.4f} "
              f"{a['wrongly_merged']:>7} {a['missed']:>7}")  # fmt: skip
    kinds = sorted(k for k in results["kvarn"] if k != "all")
    print(f"\n{'kind':<12} " + " ".join(f"{m:>22}" for m in results))
    for kind in kinds:
        cells = []
        for res in results.values():
            r = res[kind]
            wrong = r["wrongly_merged"] + r["missed"]
            cells.append(f"{int(wrong):>3} wrong of {sum(1 for x in rows if x['kind'] == kind):>3}")
        print(f"{kind:<12} " + " ".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
