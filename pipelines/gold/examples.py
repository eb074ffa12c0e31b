"""The consented silver slice gold is built from, indexed by session, and one gold example.

An ``Example`` says *what* a gold row is (kind, which turn, which evidence, what correction) but
not how it is rendered; reviewed decisions and automatic rules both produce Examples, so the
precedence between them and the rendering into the gold contract each live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

Row = dict[str, Any]


@dataclass
class Example:
    kind: str  # sft | dpo | rag | nlu
    source: str  # review | labelstudio | feedback_positive | feedback_preferred | retry_pair | …
    trust: str  # reviewed | auto
    anchor: Row  # the turn the example is about
    evidence: list[Row] = field(default_factory=list)  # other silver rows it rests on
    candidate_id: str | None = None
    intent: str | None = None
    extra_event_ids: tuple[str, ...] = ()  # supporting events recorded on the candidate
    # sft: the assistant answer (None keeps the logged one); dpo: the preferred answer
    answer: str | None = None
    answer_surrogate: str | None = None
    slots: str | None = None  # nlu: corrected slots JSON (None keeps the logged slots)
    rejected: str | None = None  # dpo
    rejected_surrogate: str | None = None
    positive_doc: str | None = None  # rag
    negatives: list[str] = field(default_factory=list)

    @property
    def anchor_id(self) -> str:
        return str(self.anchor["event_id"])

    def turn_ids(self) -> set[str]:
        ids = {self.anchor_id}
        ids.update(str(r["event_id"]) for r in self.evidence if "output_text" in r)
        return ids


def _rows(frame: pl.DataFrame | None) -> list[Row]:
    return [] if frame is None else list(frame.iter_rows(named=True))


def _order(row: Row) -> tuple[Any, ...]:
    return (row.get("ts"), row.get("turn_id") or "", row.get("event_id") or "")


@dataclass
class GoldIndex:
    """Consented turns by id and session, with their tool calls, hits and feedback."""

    turns: dict[str, Row] = field(default_factory=dict)
    sessions: dict[str, list[Row]] = field(default_factory=dict)
    by_turn_id: dict[tuple[str, str], Row] = field(default_factory=dict)
    calls: dict[str, list[Row]] = field(default_factory=dict)
    hits: dict[str, list[Row]] = field(default_factory=dict)
    feedback: list[Row] = field(default_factory=list)
    docs: dict[str, frozenset[str]] = field(default_factory=dict)  # id → content words

    @classmethod
    def from_frames(
        cls,
        turns: pl.DataFrame | None,
        tool_calls: pl.DataFrame | None = None,
        rag_pairs: pl.DataFrame | None = None,
        feedback: pl.DataFrame | None = None,
    ) -> GoldIndex:
        ix = cls()
        for t in sorted((t for t in _rows(turns) if t.get("training_ok")), key=_order):
            ix.turns[t["event_id"]] = t
            ix.sessions.setdefault(t["session_id"], []).append(t)
            ix.by_turn_id[(t["session_id"], t["turn_id"])] = t
        for c in _rows(tool_calls):
            if c["event_id"] in ix.turns:
                ix.calls.setdefault(c["event_id"], []).append(c)
        for h in _rows(rag_pairs):
            if h["event_id"] in ix.turns and h.get("doc_id"):
                ix.hits.setdefault(h["event_id"], []).append(h)
        for hits in ix.hits.values():
            hits.sort(key=lambda h: h.get("rank") or 0)
        ix.feedback = sorted((f for f in _rows(feedback) if f.get("training_ok")), key=_order)
        return ix

    def history(self, turn: Row) -> list[Row]:
        """Earlier consented turns of the same session, oldest first."""
        session = self.sessions.get(turn["session_id"], [])
        return [t for t in session if _order(t) < _order(turn)]

    def later(self, turn: Row) -> list[Row]:
        session = self.sessions.get(turn["session_id"], [])
        return [t for t in session if _order(t) > _order(turn)]

    def target_of(self, fb: Row) -> Row | None:
        return self.by_turn_id.get((fb["session_id"], fb.get("target_turn_id") or ""))

    def feedback_on(self, turn: Row) -> Iterable[Row]:
        return (f for f in self.feedback if self.target_of(f) is turn)
