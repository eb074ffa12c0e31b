"""Are gold RAG positives right? Checked against the generator's own truth.

The generator picks each knowledge question from one document's question list
(``pipelines/generate/docs_corpus.py``), so every generated query has a known right document.
This reads a lake built from generated telemetry (``make demo`` leaves one in ``data/``) and
reports, over every consented turn with retrieved documents:

- how many became gold RAG examples (by source) and how many (anchor, positive, negative)
  triplets they give;
- positive accuracy: the share of gold RAG examples whose positive is the right document;
- the previous rule on the same lake, for comparison: a thumbs-up turn's top-ranked hit.

    .venv/bin/python benchmarks/eval_rag_labels.py [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import LakeConfig
from pipelines.dedupe.requests import request_words
from pipelines.generate.docs_corpus import DOCS
from pipelines.io import delta


def _question_key(text: str) -> str:
    return " ".join(request_words(text))


TRUTH = {_question_key(q): doc.doc_id for doc in DOCS for q in doc.questions}


def truth_of(query: str | None) -> str | None:
    """The generator's right document for a (masked) query, None if it is not a known one."""
    return TRUTH.get(_question_key(query or ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="data directory (default: $KVARN_DATA)")
    args = parser.parse_args()
    cfg = LakeConfig.from_env(args.data)
    turn_columns = ["event_id", "session_id", "turn_id", "text", "training_ok"]
    turns = delta.read_table(cfg.table("silver", "turns"), columns=turn_columns)
    hits = delta.read_table(cfg.table("silver", "rag_pairs"),
                            columns=["event_id", "doc_id", "rank"])  # fmt: skip
    feedback = delta.read_table(cfg.table("silver", "feedback"),
                                columns=["session_id", "target_turn_id", "rating"])  # fmt: skip
    gold = delta.read_table(cfg.table("gold", "rag"))
    if turns is None or hits is None or gold is None:
        sys.exit("error: no lake with silver and gold tables here; run `make demo` first")
    retrieved = turns.filter(pl.col("training_ok")).join(
        hits.group_by("event_id").agg(pl.col("doc_id").sort_by("rank").alias("docs")),
        on="event_id",
    )
    known = retrieved.filter(
        pl.col("text").map_elements(lambda t: truth_of(t) is not None, return_dtype=pl.Boolean)
    )
    print(
        f"{cfg.data_dir}: {retrieved.height} consented turns with retrieved documents, "
        f"{known.height} of them generated knowledge questions with a known right document"
    )

    right = wrong = 0
    by_source: Counter[str] = Counter()
    triplets = 0
    for row in gold.iter_rows(named=True):
        by_source[row["source"]] += 1
        triplets += len(row["negative_doc_ids"] or [])
        truth = truth_of(row["anchor"])
        if truth is None:
            continue
        if row["positive_doc_id"] == truth:
            right += 1
        else:
            wrong += 1
    print(f"gold RAG examples: {gold.height} ({dict(sorted(by_source.items()))}), "
          f"{triplets} (anchor, positive, negative) triplets")  # fmt: skip
    if right + wrong:
        print(f"positive accuracy: {right / (right + wrong):.4f} ({wrong} wrong of "
              f"{right + wrong} with a known right document)")  # fmt: skip

    liked = feedback.filter(pl.col("rating") > 0) if feedback is not None else None
    if liked is not None:
        top = known.join(
            liked.select("session_id", pl.col("target_turn_id").alias("turn_id")),
            on=["session_id", "turn_id"],
            how="semi",
        )
        ok = sum(truth_of(t) == docs[0] for t, docs in top.select("text", "docs").iter_rows())
        if top.height:
            print(f"previous rule (thumbs up → top hit) on this lake: {top.height} examples, "
                  f"positive accuracy {ok / top.height:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
