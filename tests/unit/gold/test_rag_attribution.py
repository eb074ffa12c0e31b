"""RAG positives come from evidence: the document an answer was built from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from pipelines.gold.auto_gold import rag_examples
from pipelines.gold.examples import GoldIndex
from pipelines.gold.rag_attribution import attribute, content_words
from pipelines.io.docs import load_docs
from tests.unit.gold.test_gold_fixtures import feedback, rag_hit, turn

DOCS = {
    "pant": "Pantburkar och flaskor lämnas i pantautomaten i butiken. Automaten skriver ut en "
    "kvittolapp som du löser in i kassan.",
    "fika": "Fika är en svensk tradition med kaffe och bullar på eftermiddagen.",
    "sopor": "Sopsortering: matavfall i bruna påsar, plast och papper till återvinningen.",
    "kaffe": "Kaffe bryggs med kaffebryggaren; bullar värms i ugnen en stund.",
}
WORDS = {doc_id: content_words(text) for doc_id, text in DOCS.items()}
PANT_ANSWER = "Pantburkar lämnas i pantautomaten i butiken, du får en kvittolapp."


def test_an_answer_is_attributed_to_the_page_it_repeats() -> None:
    found = attribute(PANT_ANSWER, WORDS)
    assert found.doc_id == "pant" and found.coverage > 0.7 and found.runner_up < 0.2


def test_no_source_when_none_stands_out_or_the_answer_is_too_short() -> None:
    both = "Kaffe och bullar på eftermiddagen, ur ugnen."  # fika and kaffe alike
    assert attribute(both, WORDS).doc_id is None
    assert attribute("Okej.", WORDS).doc_id is None
    assert attribute("Jag vet tyvärr inte svaret på det.", WORDS).doc_id is None


def _index(answer: str, ranked: list[str], rating: int | None) -> GoldIndex:
    t = turn("q", session="s1", minute=0, output_text=answer, rag_hit_count=len(ranked))
    hits = [rag_hit("q", doc, rank) for rank, doc in enumerate(ranked, start=1)]
    fbs = [feedback("f", "q", rating, session="s1")] if rating is not None else []
    ix = GoldIndex.from_frames(*_frames([t], hits, fbs))
    ix.docs = WORDS
    return ix


def _frames(
    turns: list[dict[str, Any]], hits: list[dict[str, Any]], fbs: list[dict[str, Any]]
) -> tuple[pl.DataFrame, None, pl.DataFrame | None, pl.DataFrame | None]:
    return (
        pl.DataFrame(turns),
        None,
        pl.DataFrame(hits) if hits else None,
        pl.DataFrame(fbs) if fbs else None,
    )


def test_the_positive_is_the_source_even_when_ranked_second_or_missed() -> None:
    (second,) = rag_examples(_index(PANT_ANSWER, ["fika", "pant", "sopor"], None))
    assert (second.positive_doc, second.negatives, second.source) == (
        "pant", ["fika", "sopor"], "rag_answer",
    )  # fmt: skip
    (missed,) = rag_examples(_index(PANT_ANSWER, ["fika", "sopor"], 1))
    assert (missed.positive_doc, missed.negatives, missed.source) == (
        "pant", ["fika", "sopor"], "rag_feedback",
    )  # fmt: skip


def test_no_example_without_evidence() -> None:
    assert rag_examples(_index(PANT_ANSWER, ["fika", "pant"], -1)) == []  # answer was bad
    assert rag_examples(_index("Jag vet inte.", ["fika", "pant"], 1)) == []  # no source
    assert rag_examples(_index(PANT_ANSWER, ["pant"], 1)) == []  # no negative to learn from


def test_docs_are_read_from_the_landing_folder(tmp_path: Path) -> None:
    (tmp_path / "pant.md").write_text("# Pant\n\nPantburkar lämnas i automaten.\n", "utf-8")
    assert load_docs(str(tmp_path)) == {"pant": "Pant\n\nPantburkar lämnas i automaten."}
    assert load_docs(str(tmp_path / "missing")) == {}
