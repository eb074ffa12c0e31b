"""The review queue: candidates in review order, each with what a reviewer needs to judge it.

A reviewer decides faster with context: the earlier turns of the session, the tool calls, the
retrieved documents and any feedback on the turn. Everything here is read from masked silver
tables, and only from consented turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.candidates_extra import shift_hour
from pipelines.gold.review import read_candidates
from pipelines.gold.store import read_gold
from pipelines.io import delta

Row = dict[str, Any]
REVIEW_ORDER = (["priority_rank", "score", "ts", "candidate_id"], [True, True, False, False])


@dataclass(frozen=True)
class ReviewItem:
    candidate: Row
    turn: Row | None  # the silver turn (None if it vanished, e.g. forgotten on request)
    history: list[Row] = field(default_factory=list)  # earlier turns of the session, oldest first
    calls: dict[str, list[Row]] = field(default_factory=dict)  # event id → tool calls
    hits: list[Row] = field(default_factory=list)  # retrieved documents, by rank
    feedback: list[Row] = field(default_factory=list)  # feedback aimed at the turn

    @property
    def candidate_id(self) -> str:
        return str(self.candidate["candidate_id"])


def _rows(frame: pl.DataFrame | None) -> list[Row]:
    return [] if frame is None else list(frame.iter_rows(named=True))


def load_items(cfg: LakeConfig, cands: pl.DataFrame) -> list[ReviewItem]:
    """Review items for ``cands`` (kept in the given order)."""
    if cands.height == 0:
        return []
    so = cfg.storage_options
    hours = sorted({shift_hour(h, d) for h in cands["hour"].to_list() for d in (-1, 0, 1)})
    sessions = sorted({s for s in cands["session_id"].to_list() if s is not None})
    scope: list[tuple[str, str, Any]] = [("hour", "in", hours), ("session_id", "in", sessions)]
    turns = _rows(delta.read_table(cfg.table("silver", "turns"), filters=scope, storage_options=so))
    turns = [t for t in turns if t.get("training_ok")]
    by_session: dict[str, list[Row]] = {}
    for t in sorted(turns, key=lambda r: (r["ts"], r.get("turn_id") or "")):
        by_session.setdefault(t["session_id"], []).append(t)
    calls: dict[str, list[Row]] = {}
    for c in _rows(
        delta.read_table(cfg.table("silver", "tool_calls"), filters=scope, storage_options=so)
    ):
        calls.setdefault(c["event_id"], []).append(c)
    hits: dict[str, list[Row]] = {}
    for h in _rows(
        delta.read_table(cfg.table("silver", "rag_pairs"), filters=scope, storage_options=so)
    ):
        hits.setdefault(h["event_id"], []).append(h)
    feedback: dict[tuple[str, str], list[Row]] = {}
    for f in _rows(
        delta.read_table(cfg.table("silver", "feedback"), filters=scope, storage_options=so)
    ):
        if f.get("training_ok"):
            feedback.setdefault((f["session_id"], f["target_turn_id"]), []).append(f)
    items = []
    for cand in cands.iter_rows(named=True):
        session = by_session.get(cand["session_id"], [])
        turn = next((t for t in session if t["event_id"] == cand["candidate_id"]), None)
        history = [t for t in session if turn is not None and t["ts"] <= turn["ts"]]
        history = [t for t in history if t["event_id"] != cand["candidate_id"]]
        ids = {t["event_id"] for t in [*history, *([turn] if turn else [])]}
        items.append(
            ReviewItem(
                candidate=cand,
                turn=turn,
                history=history,
                calls={i: sorted(calls.get(i, []), key=lambda c: c["call_index"]) for i in ids},
                hits=sorted(hits.get(cand["candidate_id"], []), key=lambda h: h["rank"]),
                feedback=feedback.get((cand["session_id"], cand["turn_id"]), []),
            )
        )
    return items


def skipped_ids(cfg: LakeConfig) -> set[str]:
    """Candidates someone skipped: they wait behind the ones nobody has looked at yet."""
    reviews = read_gold(
        cfg.table("gold", "reviews"),
        pl.col("action") == "skip",
        columns=["candidate_id"],
        storage_options=cfg.storage_options,
    )
    return set() if reviews is None else set(reviews["candidate_id"].to_list())


def load_queue(
    cfg: LakeConfig,
    *,
    limit: int | None = None,
    statuses: Sequence[str] = ("pending",),
    ids: Sequence[str] | None = None,
) -> list[ReviewItem]:
    """Candidates in review order (priority, then score, then oldest first) with context;
    candidates skipped before come last."""
    cands = read_candidates(cfg, ids=ids, statuses=statuses)
    skipped = skipped_ids(cfg)
    cands = cands.with_columns(pl.col("candidate_id").is_in(list(skipped)).alias("__skipped"))
    by, desc = REVIEW_ORDER
    cands = cands.sort(["__skipped", *by], descending=[False, *desc], nulls_last=True)
    cands = cands.drop("__skipped")
    if limit is not None:
        cands = cands.head(limit)
    return load_items(cfg, cands)
