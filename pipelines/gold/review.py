"""Review decisions: accept, edit, reject or skip a candidate.

A decision is merged into ``gold.candidates`` by candidate id (the current state, one row per
candidate) and appended to ``gold.reviews`` (the history: every decision ever made, skips too),
so changing one's mind never loses what was decided before. The terminal loop and the Label
Studio import both land here. Text a reviewer types goes through the PII masker before it is
stored: a reviewer sees masked turns, but may still type a real name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.candidates import CANDIDATE_SCHEMA, DECISION_COLUMNS, STATS_COLUMNS
from pipelines.gold.store import merge_scoped, read_gold
from pipelines.io import delta

ACTIONS = ("accept", "edit", "reject", "skip")
STATUS_AFTER = {"accept": "accepted", "edit": "edited", "reject": "rejected"}
REVIEW_SOURCES = ("review", "labelstudio")
REVIEW_SCHEMA: dict[str, Any] = {
    "review_id": pl.Utf8,
    "candidate_id": pl.Utf8,
    "action": pl.Utf8,  # accept | edit | reject | skip
    "status": pl.Utf8,  # the candidate's status after the decision
    "previous_status": pl.Utf8,
    "reviewer": pl.Utf8,
    "decided_at": pl.Datetime("us", "UTC"),
    "source": pl.Utf8,  # review | labelstudio
    "corrected_intent": pl.Utf8,
    "corrected_slots": pl.Utf8,
    "better_answer": pl.Utf8,
    "better_answer_surrogate": pl.Utf8,
    "chosen": pl.Utf8,
    "rejected": pl.Utf8,
    "rag_positive_doc": pl.Utf8,
    "rag_hard_negatives": pl.List(pl.Utf8),
    "note": pl.Utf8,
}
# What a decision sets besides status, reviewer, time and source (all cleared by accept/reject).
CORRECTION_COLUMNS = [
    c for c in DECISION_COLUMNS if c not in ("status", "reviewer", "decided_at", "decision_source")
]
REVIEW_STATS = ["review_id", "candidate_id", "action", "status", "decided_at", "source"]

# (text, session id) → (placeholder-masked text, surrogate-masked text)
TextMasker = Callable[[str, str | None], tuple[str, str]]
# (JSON value) → the same value with every string masked (placeholders)
JsonMasker = Callable[[Any], Any]


@dataclass(frozen=True)
class Decision:
    """What a reviewer decided about one candidate (corrections only for ``edit``)."""

    candidate_id: str
    action: str
    reviewer: str
    corrected_intent: str | None = None
    corrected_slots: dict[str, Any] | None = None
    better_answer: str | None = None
    rag_positive_doc: str | None = None
    rag_hard_negatives: tuple[str, ...] | None = None
    note: str | None = None
    source: str = "review"
    decided_at: datetime | None = None


@dataclass
class ApplyReport:
    applied: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    candidates_version: int | None = None
    reviews_version: int | None = None


@dataclass(frozen=True)
class Maskers:
    text: TextMasker
    json: JsonMasker


def default_maskers() -> Maskers:
    """The silver PII masker, loaded on first use (presidio takes a second or two to build)."""
    from pipelines.pii import SurrogateMap, get_masker

    masker = get_masker()

    def text(value: str, session: str | None) -> tuple[str, str]:
        placeholder, _ = masker.mask(value)
        surrogate, _ = masker.mask(value, mode="surrogate", surrogates=SurrogateMap(session or ""))
        return placeholder, surrogate

    return Maskers(text=text, json=lambda v: masker.mask_json(v))


def read_candidates(
    cfg: LakeConfig, ids: Sequence[str] | None = None, statuses: Sequence[str] | None = None
) -> pl.DataFrame:
    """Rows of gold.candidates (all, or the given ids / statuses); empty frame if no table."""
    where = pl.lit(True)
    if ids is not None:
        where &= pl.col("candidate_id").is_in(list(ids))
    if statuses is not None:
        where &= pl.col("status").is_in(list(statuses))
    path = cfg.table("gold", "candidates")
    got = read_gold(path, where, storage_options=cfg.storage_options)
    return got if got is not None else pl.DataFrame(schema=CANDIDATE_SCHEMA)


def read_turn_context(
    cfg: LakeConfig, event_ids: Sequence[str], hours: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Silver turns by event id and their retrieved hits (ordered by rank) by event id."""
    so = cfg.storage_options
    flt: list[tuple[str, str, Any]] = [
        ("hour", "in", list(hours)),
        ("event_id", "in", list(event_ids)),
    ]
    turns = delta.read_table(cfg.table("silver", "turns"), filters=flt, storage_options=so)
    hits = delta.read_table(cfg.table("silver", "rag_pairs"), filters=flt, storage_options=so)
    by_id = {r["event_id"]: r for r in turns.iter_rows(named=True)} if turns is not None else {}
    hits_by: dict[str, list[dict[str, Any]]] = {}
    if hits is not None:
        for r in hits.sort(["event_id", "rank"]).iter_rows(named=True):
            hits_by.setdefault(r["event_id"], []).append(r)
    return by_id, hits_by


def _normalise(d: Decision, turn: dict[str, Any] | None) -> Decision:
    """An ``edit`` whose corrections equal what was logged is an ``accept``."""
    if d.action != "edit" or turn is None:
        return d
    slots_now = json.loads(turn["slots"]) if turn.get("slots") else {}
    changed = (
        (d.corrected_intent is not None and d.corrected_intent != turn.get("intent"))
        or (d.corrected_slots is not None and d.corrected_slots != slots_now)
        or (
            d.better_answer is not None
            and d.better_answer.strip() != (turn.get("output_text") or "")
        )
        or d.rag_positive_doc is not None
    )
    if changed:
        return d
    return Decision(
        d.candidate_id, "accept", d.reviewer, note=d.note, source=d.source, decided_at=d.decided_at
    )


def _review_id(d: Decision, at: datetime, seq: int) -> str:
    key = f"{d.candidate_id}|{d.reviewer}|{at.isoformat()}|{d.action}|{seq}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _decision_values(
    d: Decision,
    turn: dict[str, Any] | None,
    hits: list[dict[str, Any]],
    session: str | None,
    maskers: Callable[[], Maskers],
) -> dict[str, Any]:
    """Correction columns for one decision (all null except what the action implies)."""
    vals: dict[str, Any] = dict.fromkeys(CORRECTION_COLUMNS)
    if d.note:
        vals["review_note"] = maskers().text(d.note, session)[0]
    hit_ids = [h["doc_id"] for h in hits if h.get("doc_id")]
    if d.action == "accept" and hit_ids:
        vals["rag_positive_doc"], vals["rag_hard_negatives"] = hit_ids[0], hit_ids[1:]
    if d.action != "edit":
        return vals
    out_text = (turn or {}).get("output_text")
    if d.corrected_intent is not None and d.corrected_intent != (turn or {}).get("intent"):
        vals["corrected_intent"] = d.corrected_intent.strip()
    if d.corrected_slots is not None:
        masked = maskers().json(d.corrected_slots)
        vals["corrected_slots"] = json.dumps(masked, ensure_ascii=False, sort_keys=True)
    if d.better_answer is not None and d.better_answer.strip() and d.better_answer != out_text:
        placeholder, surrogate = maskers().text(d.better_answer.strip(), session)
        vals["better_answer"], vals["better_answer_surrogate"] = placeholder, surrogate
        vals["chosen"], vals["rejected"] = placeholder, out_text
    if d.rag_positive_doc is not None:
        vals["rag_positive_doc"] = d.rag_positive_doc
        negs = d.rag_hard_negatives
        vals["rag_hard_negatives"] = (
            list(negs) if negs is not None else [h for h in hit_ids if h != d.rag_positive_doc]
        )
    return vals


def apply_decisions(
    cfg: LakeConfig,
    decisions: Iterable[Decision],
    *,
    maskers: Maskers | None = None,
    now: datetime | None = None,
) -> ApplyReport:
    """Record decisions: append each to gold.reviews, then merge the new state into candidates.

    Unknown candidate ids are reported, not raised, so one stale line of an import file does not
    block the rest. Later decisions on the same candidate win.
    """
    items = list(decisions)
    for d in items:
        if d.action not in ACTIONS:
            raise ValueError(f"unknown action {d.action!r} (use one of {', '.join(ACTIONS)})")
        if d.source not in REVIEW_SOURCES:
            raise ValueError(f"unknown decision source {d.source!r}")
    report = ApplyReport()
    if not items:
        return report
    cands = read_candidates(cfg, ids=sorted({d.candidate_id for d in items}))
    by_id = {r["candidate_id"]: r for r in cands.iter_rows(named=True)}
    report.unknown = sorted({d.candidate_id for d in items if d.candidate_id not in by_id})
    known = [d for d in items if d.candidate_id in by_id]
    if not known:
        return report
    turns, hits = read_turn_context(
        cfg, sorted(by_id), sorted({str(r["hour"]) for r in by_id.values()})
    )
    cache: list[Maskers] = [maskers] if maskers else []

    def lazy() -> Maskers:
        if not cache:
            cache.append(default_maskers())
        return cache[0]

    stamp = now or datetime.now(UTC)
    history: list[dict[str, Any]] = []
    state: dict[str, dict[str, Any]] = {}
    for seq, raw in enumerate(known):
        cand = state.get(raw.candidate_id) or dict(by_id[raw.candidate_id])
        turn = turns.get(raw.candidate_id)
        d = _normalise(raw, turn)
        at = d.decided_at or stamp
        previous = cand["status"]
        vals = _decision_values(d, turn, hits.get(raw.candidate_id, []), cand["session_id"], lazy)
        status = STATUS_AFTER.get(d.action, previous)
        history.append(
            {
                "review_id": _review_id(d, at, seq),
                "candidate_id": d.candidate_id,
                "action": d.action,
                "status": status,
                "previous_status": previous,
                "reviewer": d.reviewer,
                "decided_at": at,
                "source": d.source,
                **{k: v for k, v in vals.items() if k in REVIEW_SCHEMA},
                "note": vals.get("review_note"),
            }
        )
        report.by_action[d.action] = report.by_action.get(d.action, 0) + 1
        if d.action == "skip":
            continue
        cand.update(vals)
        cand.update(status=status, reviewer=d.reviewer, decided_at=at, decision_source=d.source)
        state[d.candidate_id] = cand
    report.applied = len(history)
    reviews_path = cfg.table("gold", "reviews")
    delta.append_rows(
        reviews_path,
        pl.DataFrame(history, schema=REVIEW_SCHEMA, orient="row"),
        stats_columns=REVIEW_STATS,
        storage_options=cfg.storage_options,
    )
    report.reviews_version = delta.table_version(reviews_path, cfg.storage_options)
    path = cfg.table("gold", "candidates")
    if state:
        rows = pl.DataFrame(list(state.values()), schema=CANDIDATE_SCHEMA, orient="row")
        merge_scoped(
            path,
            rows,
            ["candidate_id"],
            update_columns=DECISION_COLUMNS,
            stats_columns=STATS_COLUMNS,
            storage_options=cfg.storage_options,
        )
    report.candidates_version = delta.table_version(path, cfg.storage_options)
    return report
