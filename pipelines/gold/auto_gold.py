"""Semi-automatic gold: examples inferred from what users did, without a reviewer.

Trusted less than reviewed gold (``trust = auto``) and overridden by any review of the same
turn. The rules:

* **retry_pair** (DPO): a turn whose tool call failed, followed in the same session by a later
  turn with the same intent whose tool calls all succeeded (and that got no thumbs down):
  rejected = the failed turn's answer, chosen = the successful one, prompt = the failed turn.
* **feedback_positive** (SFT + NLU): a thumbs up confirms the turn as logged.
* **rag_feedback** (RAG): a thumbs up on a turn with retrieved documents confirms its top hit;
  the other hits become hard negatives.
* **feedback_preferred** (DPO): a thumbs down with a preferred answer: chosen = that answer,
  rejected = the logged answer.

Each rule yields at most one example per turn (the earliest feedback wins).
"""

from __future__ import annotations

from pipelines.gold.examples import Example, GoldIndex, Row

AUTO_SOURCES = ("retry_pair", "feedback_positive", "rag_feedback", "feedback_preferred")


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
    """Thumbs up → SFT, NLU and (with hits) RAG; thumbs down with an answer → DPO."""
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
            hits = [h["doc_id"] for h in ix.hits.get(turn["event_id"], [])]
            if hits:
                made.append(
                    Example(
                        "rag",
                        "rag_feedback",
                        "auto",
                        turn,
                        [fb],
                        intent=turn.get("intent"),
                        positive_doc=hits[0],
                        negatives=hits[1:],
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


def auto_examples(ix: GoldIndex) -> list[Example]:
    return retry_pairs(ix) + feedback_examples(ix)
