"""Gold RAG positives on generated telemetry match the generator's own truth.

The generator draws every knowledge question from one document's question list, so each
generated query has a known right document; retrieval ranks it first only 85% of the time."""

from __future__ import annotations

from pathlib import Path

from pipelines.dedupe.requests import request_words
from pipelines.generate.docs_corpus import DOCS
from pipelines.gold.build import build_gold
from pipelines.io import delta
from tests.integration.small_lake import generate_landing, run_hours


def _key(text: str) -> str:
    return " ".join(request_words(text))


TRUTH = {_key(q): doc.doc_id for doc in DOCS for q in doc.questions}


def test_rag_positives_are_the_right_documents(
    tmp_path: Path,
) -> None:
    cfg = generate_landing(tmp_path, seed=12, per_hour=150)
    run_hours(cfg, [f"2025-09-01T{h:02d}" for h in range(8, 14)])
    build_gold(cfg)
    rag = delta.read_table(cfg.table("gold", "rag"))
    assert rag is not None
    checked = [(row["positive_doc_id"], TRUTH.get(_key(row["anchor"]))) for row in rag.to_dicts()]
    known = [(got, want) for got, want in checked if want is not None]
    assert len(known) >= 20
    accuracy = sum(got == want for got, want in known) / len(known)
    assert accuracy >= 0.98
    for row in rag.to_dicts():
        assert row["positive_doc_id"] not in row["negative_doc_ids"]
        assert row["negative_doc_ids"]
