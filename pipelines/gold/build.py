"""gold.sft, gold.dpo, gold.rag and gold.nlu from review decisions and the automatic rules.

The four tables are rebuilt as a whole from pinned versions of their inputs (silver turns, tool
calls, rag pairs, feedback and gold.candidates), so a rebuild is deterministic: same inputs, same
rows, and unchanged rows are not rewritten (a rebuild with nothing new commits nothing). Only
consented turns and feedback (silver ``training_ok``) are read. Precedence: a reviewer's decision
about a turn replaces every automatic example anchored on it, and a rejected turn is never used,
not even as the chosen side of an automatic pair.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.auto_gold import auto_examples
from pipelines.gold.conversation import (
    dumps,
    history_messages,
    text_of,
    tool_specs,
    turn_messages,
    user_message,
)
from pipelines.gold.examples import Example, GoldIndex, Row
from pipelines.gold.rag_attribution import content_words
from pipelines.gold.schemas import GOLD_SCHEMAS
from pipelines.gold.store import read_gold, replace_rows
from pipelines.io import delta
from pipelines.io.docs import load_docs
from pipelines.io.horizons import expired_before

INPUTS = {
    "silver/turns": ("silver", "turns"),
    "silver/tool_calls": ("silver", "tool_calls"),
    "silver/rag_pairs": ("silver", "rag_pairs"),
    "silver/feedback": ("silver", "feedback"),
    "gold/candidates": ("gold", "candidates"),
}
DECIDED = ("accepted", "edited", "rejected")
GOLD_STATS = ["example_id", "kind", "hour", "ts", "trust", "source", "env"]


@dataclass
class GoldInputs:
    index: GoldIndex
    candidates: list[Row]  # decided candidates only
    versions: dict[str, int | None] = field(default_factory=dict)


@dataclass
class GoldReport:
    rows: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    written: dict[str, int | None] = field(default_factory=dict)  # None: nothing changed
    inputs: dict[str, int | None] = field(default_factory=dict)


def read_inputs(cfg: LakeConfig) -> GoldInputs:
    """Every input at one pinned Delta version each (recorded as provenance)."""
    frames: dict[str, pl.DataFrame | None] = {}
    versions: dict[str, int | None] = {}
    for name, (layer, table) in INPUTS.items():
        path = cfg.table(layer, table)
        version = delta.table_version(path, cfg.storage_options)
        versions[name] = version
        frames[name] = (
            None
            if version is None
            else read_gold(path, version=version, storage_options=cfg.storage_options)
        )
    ix = GoldIndex.from_frames(
        frames["silver/turns"],
        frames["silver/tool_calls"],
        frames["silver/rag_pairs"],
        frames["silver/feedback"],
    )
    ix.docs = {doc_id: content_words(text) for doc_id, text in load_docs(cfg.docs).items()}
    cands = frames["gold/candidates"]
    decided = (
        []
        if cands is None
        else list(cands.filter(pl.col("status").is_in(DECIDED)).iter_rows(named=True))
    )
    return GoldInputs(ix, decided, versions)


def reviewed_examples(ix: GoldIndex, candidates: list[Row]) -> list[Example]:
    """SFT + NLU for every accepted/edited turn; DPO for a better answer; RAG for a document."""
    out: list[Example] = []
    for cand in sorted(candidates, key=lambda c: c["candidate_id"]):
        turn = ix.turns.get(cand["candidate_id"])
        if turn is None or cand["status"] == "rejected":
            continue
        source = cand.get("decision_source") or "review"
        common: dict[str, Any] = {
            "source": source,
            "trust": "reviewed",
            "anchor": turn,
            "candidate_id": cand["candidate_id"],
            "intent": cand.get("corrected_intent") or turn.get("intent"),
            "extra_event_ids": tuple(cand.get("event_ids") or ()),
        }
        better = cand.get("better_answer")
        better_s = cand.get("better_answer_surrogate")
        out.append(Example("sft", answer=better, answer_surrogate=better_s, **common))
        out.append(Example("nlu", slots=cand.get("corrected_slots"), **common))
        if better and turn.get("output_text") and better != turn["output_text"]:
            out.append(
                Example(
                    "dpo",
                    answer=better,
                    answer_surrogate=better_s,
                    rejected=turn["output_text"],
                    rejected_surrogate=turn.get("output_text_surrogate"),
                    **common,
                )
            )
        if cand.get("rag_positive_doc"):
            negatives = cand.get("rag_hard_negatives")
            if negatives is None:
                negatives = [h["doc_id"] for h in ix.hits.get(turn["event_id"], [])]
            negatives = [d for d in negatives if d != cand["rag_positive_doc"]]
            out.append(
                Example("rag", positive_doc=cand["rag_positive_doc"], negatives=negatives, **common)
            )
    return out


def select_examples(
    reviewed: list[Example], auto: list[Example], candidates: list[Row]
) -> list[Example]:
    """Reviewed examples, plus automatic ones on turns no reviewer decided and none rejected."""
    decided = {c["candidate_id"] for c in candidates}
    rejected = {c["candidate_id"] for c in candidates if c["status"] == "rejected"}
    kept_auto = [
        ex for ex in auto if ex.anchor_id not in decided and not (ex.turn_ids() & rejected)
    ]
    return reviewed + kept_auto


def _tables_for(ex: Example) -> list[str]:
    tables = ["silver/turns", "silver/tool_calls"]
    if ex.kind == "rag":
        tables.append("silver/rag_pairs")
    if ex.trust == "reviewed":
        tables.append("gold/candidates")
    if any("rating" in r for r in ex.evidence):
        tables.append("silver/feedback")
    return sorted(tables)


def _provenance(
    ex: Example, ix: GoldIndex, versions: dict[str, int | None], now: datetime
) -> dict[str, Any]:
    history = ix.history(ex.anchor) if ex.kind in ("sft", "dpo") else []
    rows = [ex.anchor, *ex.evidence, *history]
    ids = {str(r["event_id"]) for r in rows} | set(ex.extra_event_ids)
    event_ids = sorted(ids)
    variant = "reviewed" if ex.trust == "reviewed" else ex.source
    digest = hashlib.sha256(f"{ex.kind}|{','.join(event_ids)}|{variant}".encode()).hexdigest()
    newest = max([ex.anchor, *ex.evidence], key=lambda r: r["ts"])
    return {
        "example_id": digest,
        "kind": ex.kind,
        "event_ids": event_ids,
        "session_id": ex.anchor.get("session_id"),
        "ts": newest["ts"],
        "hour": newest["hour"],
        "env": ex.anchor.get("env"),
        "intent": ex.intent,
        "trust": ex.trust,
        "source": ex.source,
        "candidate_id": ex.candidate_id,
        "cluster_id": ex.anchor.get("cluster_id"),
        "cluster_size": ex.anchor.get("cluster_size"),
        "delta_versions": json.dumps({t: versions.get(t) for t in _tables_for(ex)}, sort_keys=True),
        "built_at": now,
    }


def _payload(ex: Example, ix: GoldIndex) -> dict[str, Any]:
    turn = ex.anchor
    if ex.kind == "nlu":
        return {
            "text": text_of(turn, "text"),
            "text_surrogate": text_of(turn, "text", True),
            "slots": ex.slots if ex.slots is not None else (turn.get("slots") or "{}"),
        }
    if ex.kind == "rag":
        hits = ix.hits.get(turn["event_id"], [])
        query = hits[0] if hits else {}
        anchor = text_of(query, "query") or text_of(turn, "rag_query") or text_of(turn, "text")
        anchor_s = (
            text_of(query, "query", True)
            or text_of(turn, "rag_query", True)
            or text_of(turn, "text", True)
        )
        return {
            "anchor": anchor,
            "anchor_surrogate": anchor_s,
            "positive_doc_id": ex.positive_doc,
            "negative_doc_ids": list(ex.negatives),
        }
    history = ix.history(turn)
    if ex.kind == "dpo":
        return {
            "prompt": dumps([*history_messages(history, ix.calls), user_message(turn)]),
            "prompt_surrogate": dumps(
                [*history_messages(history, ix.calls, True), user_message(turn, True)]
            ),
            "chosen": ex.answer,
            "chosen_surrogate": ex.answer_surrogate or ex.answer,
            "rejected": ex.rejected,
            "rejected_surrogate": ex.rejected_surrogate or ex.rejected,
        }
    calls = ix.calls.get(turn["event_id"], [])
    messages = [*history_messages(history, ix.calls), *turn_messages(turn, calls, answer=ex.answer)]
    answer_s = ex.answer_surrogate or ex.answer
    surrogate = [
        *history_messages(history, ix.calls, True),
        *turn_messages(turn, calls, True, answer=answer_s),
    ]
    return {
        "messages": dumps(messages),
        "messages_surrogate": dumps(surrogate),
        "tools": dumps(tool_specs(messages)),
    }


def gold_frames(
    inputs: GoldInputs, now: datetime | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, dict[str, int]]]:
    """The four gold tables as frames (pure: no I/O), and row counts by source per table."""
    stamp = now or datetime.now(UTC)
    ix = inputs.index
    chosen = select_examples(
        reviewed_examples(ix, inputs.candidates), auto_examples(ix), inputs.candidates
    )
    rows: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in GOLD_SCHEMAS}
    for ex in chosen:
        row = {**_provenance(ex, ix, inputs.versions, stamp), **_payload(ex, ix)}
        rows[ex.kind].setdefault(row["example_id"], row)
    frames: dict[str, pl.DataFrame] = {}
    by_source: dict[str, dict[str, int]] = {}
    for kind, schema in GOLD_SCHEMAS.items():
        data = sorted(rows[kind].values(), key=lambda r: r["example_id"])
        frames[kind] = (
            pl.DataFrame(data, schema=schema, orient="row") if data else pl.DataFrame(schema=schema)
        )
        by_source[kind] = dict(sorted(Counter(r["source"] for r in data).items()))
    return frames, by_source


def _with_expired_rows(
    cfg: LakeConfig, kind: str, frame: pl.DataFrame, horizon: str
) -> pl.DataFrame:
    """``frame`` plus the table's current rows from before ``horizon`` it does not rebuild."""
    old = delta.read_table(cfg.table("gold", kind), where=pl.col("hour") < horizon,
                           storage_options=cfg.storage_options)  # fmt: skip
    if old is None or old.height == 0:
        return frame
    old = old.filter(~pl.col("example_id").is_in(frame["example_id"].implode()))
    merged = pl.concat([frame, old.select(frame.columns).cast(frame.schema)], how="vertical")
    return merged.sort("example_id")


def build_gold(cfg: LakeConfig, now: datetime | None = None) -> GoldReport:
    """Rebuild the four gold tables; rows whose content is unchanged keep their build time.

    Rows built from hours before the silver retention horizon are kept as they are: gold
    lives until a person removes it, and their silver is gone."""
    inputs = read_inputs(cfg)
    frames, by_source = gold_frames(inputs, now)
    horizon = expired_before(cfg, "silver")
    if horizon is not None:
        frames = {kind: _with_expired_rows(cfg, kind, frame, horizon)
                  for kind, frame in frames.items()}  # fmt: skip
    report = GoldReport(by_source=by_source, inputs=inputs.versions)
    for kind, frame in frames.items():
        report.rows[kind] = frame.height
        report.written[kind] = replace_rows(
            cfg.table("gold", kind),
            frame,
            "example_id",
            keep_columns=["built_at", "delta_versions"],
            stats_columns=GOLD_STATS,
            storage_options=cfg.storage_options,
        )
    return report
