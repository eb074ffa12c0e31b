"""Semi-automatic gold: examples inferred from what users did, without a reviewer.

Trusted less than reviewed gold (``trust = auto``) and overridden by any review of the same
turn. The rules:

* **retry_pair** (DPO): a turn whose tool call failed, followed in the same session by a later
  turn with the same intent whose tool calls all succeeded (and that got no thumbs down):
  rejected = the failed turn's answer, chosen = the successful one, prompt = the failed turn.
* **feedback_positive** (SFT + NLU): a thumbs up confirms the turn as logged.
* **rag_answer** / **rag_feedback** (RAG): every turn with retrieved documents whose answer
  was clearly built from one document (``rag_attribution``): that document is the positive,
  the other retrieved documents are hard negatives; ``rag_feedback`` when a thumbs up
  confirms the answer. A thumbs down, or an answer without a clear source, gives none.
* **feedback_preferred** (DPO): a thumbs down with a preferred answer: chosen = that answer,
  rejected = the logged answer.

Each rule yields at most one example per turn (the earliest feedback wins).
"""

from __future__ import annotations

from pipelines.gold.examples import Example, GoldIndex, Row
from pipelines.gold.rag_attribution import attribute

AUTO_SOURCES = (
    "retry_pair", "feedback_positive", "rag_answer", "rag_feedback", "feedback_preferred",
)  # fmt: skip


def _failed(turn: Row) -> bool:
    return (turn.get("tool_fail_count") or 0) > 0


def _succeeded(turn: Row) -> bool:
    return (
        (turn.get("tool_call_count") or 0) > 0
        and (turn.get("tool_fail_count") or 0) == 0
        and bool(turn.get("output_text"))
    )


def _preferred(fb: Row, turn: Row) -> bool:
    """The feedback names an answer that differs from the logged one."""
    preferred = (fb.get("preferred_answer") or "").strip()
    return bool(preferred) and bool(turn.get("output_text")) and preferred != turn["output_text"]


def retry_pairs(ix: GoldIndex) -> list[Example]:
    """Failed turn → first later successful turn of the same intent in the session."""
    thumbs_down = {
        id(t) for f in ix.feedback if (f.get("rating") or 0) < 0 and (t := ix.target_of(f))
    }
    out = []
    for session in ix.sessions.values():
        for failed in session:
            if not _failed(failed) or not failed.get("output_text") or not failed.get("intent"):
                continue
            retry = next(
                (
                    t
                    for t in ix.later(failed)
                    if t.get("intent") == failed["intent"]
                    and _succeeded(t)
                    and id(t) not in thumbs_down
                ),
                None,
            )
            if retry is None:
                continue
            out.append(
                Example(
                    kind="dpo",
                    source="retry_pair",
                    trust="auto",
                    anchor=failed,
                    evidence=[retry],
                    intent=failed["intent"],
                    answer=retry["output_text"],
                    answer_surrogate=retry.get("output_text_surrogate"),
                    rejected=failed["output_text"],
                    rejected_surrogate=failed.get("output_text_surrogate"),
                )
            )
    return out


def feedback_examples(ix: GoldIndex) -> list[Example]:
    """Thumbs up → SFT and NLU; thumbs down with a preferred answer → DPO."""
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for fb in ix.feedback:
        turn = ix.target_of(fb)
        if turn is None:
            continue
        rating = fb.get("rating") or 0
        made: list[Example] = []
        if rating > 0:
            for kind in ("sft", "nlu"):
                made.append(
                    Example(
                        kind, "feedback_positive", "auto", turn, [fb], intent=turn.get("intent")
                    )
                )
        elif rating < 0 and _preferred(fb, turn):
            made.append(
                Example(
                    "dpo",
                    "feedback_preferred",
                    "auto",
                    turn,
                    [fb],
                    intent=turn.get("intent"),
                    answer=fb["preferred_answer"],
                    answer_surrogate=fb.get("preferred_answer_surrogate"),
                    rejected=turn["output_text"],
                    rejected_surrogate=turn.get("output_text_surrogate"),
                )
            )
        for ex in made:
            key = (f"{ex.kind}/{ex.source}", ex.anchor_id)
            if key not in seen:
                seen.add(key)
                out.append(ex)
    return out


def rag_examples(ix: GoldIndex) -> list[Example]:
    """Every retrieval whose answer names its source document (see ``rag_attribution``).

    Positive = the document the answer was built from, whether or not retrieval found it;
    hard negatives = the retrieved documents that are not it, best-ranked first. A thumbs up
    on the turn makes the example ``rag_feedback``; a thumbs down (the answer was wrong, so its
    source may be too) or an answer without a clear source makes none."""
    rating: dict[int, int] = {}
    for fb in ix.feedback:
        target = ix.target_of(fb)
        if target is not None:
            rating.setdefault(id(target), fb.get("rating") or 0)
    out = []
    for event_id, hits in sorted(ix.hits.items()):
        turn = ix.turns[event_id]
        answer = turn.get("output_text") or ""
        if not answer or rating.get(id(turn), 0) < 0:
            continue
        found = attribute(answer, ix.docs)
        if found.doc_id is None:
            continue
        negatives = [h["doc_id"] for h in hits if h["doc_id"] != found.doc_id]
        if not negatives:
            continue
        liked = rating.get(id(turn), 0) > 0
        evidence = [fb for fb in ix.feedback if ix.target_of(fb) is turn] if liked else []
        out.append(
            Example(
                "rag",
                "rag_feedback" if liked else "rag_answer",
                "auto",
                turn,
                evidence,
                intent=turn.get("intent"),
                positive_doc=found.doc_id,
                negatives=list(dict.fromkeys(negatives)),
            )
        )
    return out


def auto_examples(ix: GoldIndex) -> list[Example]:
    return retry_pairs(ix) + feedback_examples(ix) + rag_examples(ix)
