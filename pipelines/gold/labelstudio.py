"""Label Studio round trip: review candidates as tasks, then import the annotations back.

Export writes Label Studio's task JSON: the masked conversation as ``Paragraphs`` data (earlier
turns, tool calls, the answer), the reasons, and ``predictions`` carrying what the assistant
logged (intent, slots, top document) so an annotator only changes what is wrong. Import reads
Label Studio's JSON export (tasks with ``annotations``) and turns each task's latest
non-cancelled annotation into a ``Decision`` — the same path the terminal loop takes, so both
land in gold.candidates and gold.reviews alike (``source = labelstudio``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipelines.gold.queue import ReviewItem
from pipelines.gold.review import Decision

MODEL_VERSION = "kvarn-rules-v1"
OBJECT = "dialogue"
LABEL_CONFIG = """<View>
  <Header value="Why this turn: $reasons"/>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue" nameKey="author" textKey="text"/>
  <Header value="Decision"/>
  <Choices name="decision" toName="dialogue" choice="single-radio" showInline="true"
           required="true">
    <Choice value="accept" hotkey="a"/>
    <Choice value="edit" hotkey="e"/>
    <Choice value="reject" hotkey="r"/>
  </Choices>
  <Header value="Intent (correct it if wrong)"/>
  <TextArea name="intent" toName="dialogue" rows="1" maxSubmissions="1" editable="true"/>
  <Header value="Slots as a JSON object (correct them if wrong)"/>
  <TextArea name="slots" toName="dialogue" rows="2" maxSubmissions="1" editable="true"/>
  <Header value="A better assistant answer (leave empty if the answer is right)"/>
  <TextArea name="answer" toName="dialogue" rows="3" maxSubmissions="1" editable="true"/>
  <Header value="The right document (if any were retrieved)"/>
  <Choices name="rag_positive" toName="dialogue" value="$rag_hits" choice="single"/>
  <TextArea name="note" toName="dialogue" rows="1" maxSubmissions="1" placeholder="Note"/>
</View>
"""


def _dialogue(item: ReviewItem) -> list[dict[str, str]]:
    """The session as Paragraphs rows: earlier turns, then the turn under review."""
    out: list[dict[str, str]] = []
    for t in [*item.history[-5:], *([item.turn] if item.turn else [])]:
        out.append({"author": "user", "text": t.get("text") or ""})
        for c in item.calls.get(str(t["event_id"]), []):
            outcome = c.get("result") if c.get("ok") else f"error: {c.get('error')}"
            out.append({"author": "tool", "text": f"{c.get('name')}({c.get('args')}) → {outcome}"})
        out.append({"author": "assistant", "text": t.get("output_text") or ""})
    for f in item.feedback:
        rating = "👍" if (f.get("rating") or 0) > 0 else "👎"
        text = " ".join(x for x in (rating, f.get("comment"), f.get("preferred_answer")) if x)
        out.append({"author": "feedback", "text": text})
    return out


def _result(name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"from_name": name, "to_name": OBJECT, "type": kind, "value": value}


def to_task(item: ReviewItem) -> dict[str, Any]:
    """One Label Studio task (data + predictions) for a review item."""
    cand, turn = item.candidate, item.turn or {}
    hits = [str(h["doc_id"]) for h in item.hits]
    data = {
        "candidate_id": item.candidate_id,
        "dialogue": _dialogue(item),
        "reasons": "; ".join(cand.get("reasons") or []),
        "reason_details": list(cand.get("reason_details") or []),
        "priority": cand.get("priority"),
        "score": cand.get("score"),
        "intent": turn.get("intent"),
        "confidence": turn.get("confidence"),
        "slots": turn.get("slots") or "{}",
        "answer": turn.get("output_text"),
        "rag_hits": [{"value": d} for d in hits],
    }
    result = [
        _result("intent", "textarea", {"text": [turn.get("intent") or ""]}),
        _result("slots", "textarea", {"text": [turn.get("slots") or "{}"]}),
    ]
    if hits:
        result.append(_result("rag_positive", "choices", {"choices": [hits[0]]}))
    prediction = {"model_version": MODEL_VERSION, "score": turn.get("confidence"), "result": result}
    return {"data": data, "predictions": [prediction]}


def export_tasks(items: Iterable[ReviewItem]) -> list[dict[str, Any]]:
    return [to_task(item) for item in items]


@dataclass
class ImportResult:
    decisions: list[Decision] = field(default_factory=list)
    unannotated: int = 0
    errors: list[str] = field(default_factory=list)  # "candidate_id: reason", no task text


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _reviewer(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("id") if who.get("id") is not None else who.get("email")
    return f"labelstudio:{who}" if who is not None else "labelstudio"


def _latest(annotations: list[dict[str, Any]]) -> dict[str, Any] | None:
    valid = [a for a in annotations if isinstance(a, dict)]
    if not valid:
        return None
    return max(
        valid,
        key=lambda a: (
            str(a.get("updated_at") or a.get("created_at") or ""),
            str(a.get("id") or ""),
        ),
    )


def _values(result: list[dict[str, Any]]) -> dict[str, Any]:
    """from_name → the chosen choice or the typed text."""
    out: dict[str, Any] = {}
    for r in result:
        value = r.get("value") or {}
        name = r.get("from_name")
        if value.get("choices"):
            out[str(name)] = str(value["choices"][0])
        elif "text" in value:
            texts = value["text"] if isinstance(value["text"], list) else [value["text"]]
            out[str(name)] = "\n".join(str(t) for t in texts).strip()
    return out


def _decision(task: dict[str, Any], annotation: dict[str, Any]) -> Decision:
    data = task.get("data") or {}
    cid = str(data["candidate_id"])
    reviewer = _reviewer(annotation)
    at = _when(annotation.get("updated_at") or annotation.get("created_at"))
    if annotation.get("was_cancelled"):
        return Decision(cid, "skip", reviewer, source="labelstudio", decided_at=at)
    v = _values(annotation.get("result") or [])
    choice = v.get("decision")
    if choice not in ("accept", "edit", "reject"):
        raise ValueError("no decision chosen")
    note = v.get("note") or None
    if choice == "reject":
        return Decision(cid, "reject", reviewer, note=note, source="labelstudio", decided_at=at)
    # accept and edit alike: corrections that equal the logged values make it an accept
    # (apply_decisions normalises), and an "accept" with a changed field is an edit.
    slots = None
    if v.get("slots"):
        parsed = json.loads(v["slots"])
        if not isinstance(parsed, dict):
            raise ValueError("slots are not a JSON object")
        slots = parsed
    hits = [h.get("value") for h in data.get("rag_hits") or []]
    doc = v.get("rag_positive")
    logged_top = hits[0] if hits else None
    return Decision(
        cid,
        "edit",
        reviewer,
        corrected_intent=v.get("intent") or None,
        corrected_slots=slots,
        better_answer=v.get("answer") or None,
        rag_positive_doc=doc if doc and doc != logged_top else None,
        note=note,
        source="labelstudio",
        decided_at=at,
    )


def import_tasks(tasks: list[dict[str, Any]]) -> ImportResult:
    """Decisions from Label Studio's JSON export; tasks without annotations are counted only."""
    out = ImportResult()
    for task in tasks:
        cid = str((task.get("data") or {}).get("candidate_id") or "?")
        annotation = _latest(task.get("annotations") or [])
        if annotation is None:
            out.unannotated += 1
            continue
        try:
            out.decisions.append(_decision(task, annotation))
        except (ValueError, KeyError) as exc:
            kind = "invalid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            out.errors.append(f"{cid}: {kind}")
    return out
