"""Gold candidates: silver turns that deserve a reviewer's time, with every reason recorded.

Rules are data (``pipelines/rules/candidates.yaml``): a name, a priority and a SQL predicate over
silver turn columns. The score ranks candidates by priority first and model uncertainty second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipelines.config import LakeConfig
from pipelines.io import delta

RULES_FILE = Path(__file__).parent / "rules" / "candidates.yaml"

CANDIDATE_SCHEMA: dict[str, Any] = {
    "candidate_id": pl.Utf8,
    "event_ids": pl.List(pl.Utf8),
    "hour": pl.Utf8,
    "ts": pl.Datetime("us", "UTC"),
    "session_id": pl.Utf8,
    "turn_id": pl.Utf8,
    "env": pl.Utf8,
    "intent": pl.Utf8,
    "reasons": pl.List(pl.Utf8),
    "priority": pl.Utf8,
    "priority_rank": pl.Int64,
    "score": pl.Float64,
    "status": pl.Utf8,
    "reviewer": pl.Utf8,
    "decided_at": pl.Datetime("us", "UTC"),
    "corrected_intent": pl.Utf8,
    "corrected_slots": pl.Utf8,
    "better_answer": pl.Utf8,
    "chosen": pl.Utf8,
    "rejected": pl.Utf8,
    "rag_positive_doc": pl.Utf8,
    "rag_hard_negatives": pl.List(pl.Utf8),
    "created_at": pl.Datetime("us", "UTC"),
}
# A rerun refreshes why a turn was chosen, never a reviewer's decision.
RULE_COLUMNS = [
    "event_ids",
    "hour",
    "ts",
    "intent",
    "reasons",
    "priority",
    "priority_rank",
    "score",
]


@dataclass(frozen=True)
class Rule:
    name: str
    priority: str
    when: str
    why: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    priorities: dict[str, int]


def load_rules(path: str | Path = RULES_FILE) -> RuleSet:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    priorities = {str(k): int(v) for k, v in data["priorities"].items()}
    rules = []
    for item in data["rules"]:
        if item["priority"] not in priorities:
            raise ValueError(f"rule {item['name']}: unknown priority {item['priority']}")
        rules.append(Rule(item["name"], item["priority"], item["when"], item.get("why", "")))
    return RuleSet(tuple(rules), priorities)


def score_candidates(
    turns: pl.DataFrame, rules: RuleSet | None = None, now: datetime | None = None
) -> pl.DataFrame:
    """Candidate rows for the consented turns that match at least one rule."""
    rs = rules or load_rules()
    now = now or datetime.now(UTC)
    if turns.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    base = turns.filter(pl.col("training_ok"))
    flags = [
        pl.when(pl.sql_expr(r.when).fill_null(False)).then(pl.lit(r.name)).otherwise(None)
        for r in rs.rules
    ]
    ranks = [
        pl.when(pl.sql_expr(r.when).fill_null(False)).then(rs.priorities[r.priority]).otherwise(0)
        for r in rs.rules
    ]
    by_rank = {v: k for k, v in rs.priorities.items()}
    scored = (
        base.with_columns(
            pl.concat_list(flags).list.drop_nulls().alias("reasons"),
            pl.max_horizontal(ranks).alias("priority_rank"),
        )
        .filter(pl.col("reasons").list.len() > 0)
        .with_columns(
            pl.col("priority_rank")
            .replace_strict(by_rank, return_dtype=pl.Utf8, default=None)
            .alias("priority"),
            (pl.col("priority_rank") + (1 - pl.col("confidence").fill_null(1.0))).alias("score"),
        )
    )
    out = scored.select(
        pl.col("event_id").alias("candidate_id"),
        pl.concat_list([pl.col("event_id")]).alias("event_ids"),
        "hour",
        "ts",
        "session_id",
        "turn_id",
        "env",
        "intent",
        "reasons",
        "priority",
        pl.col("priority_rank").cast(pl.Int64),
        "score",
        pl.lit("pending").alias("status"),
    )
    for name, dtype in CANDIDATE_SCHEMA.items():
        if name not in out.columns:
            value = now if name == "created_at" else None
            out = out.with_columns(pl.lit(value).cast(dtype).alias(name))
    return out.select(list(CANDIDATE_SCHEMA)).sort(
        ["score", "candidate_id"], descending=[True, False]
    )


@dataclass(frozen=True)
class CandidateReport:
    hour: str
    turns: int
    candidates: int
    by_reason: dict[str, int]
    version: int | None


def build_candidates_hour(cfg: LakeConfig, hour: str) -> CandidateReport:
    """Score one hour of silver turns and merge the candidates into ``gold.candidates``."""
    turns = delta.read_partition(
        cfg.table("silver", "turns"), "hour", hour, storage_options=cfg.storage_options
    )
    if turns is None:
        turns = pl.DataFrame()
    cands = score_candidates(turns)
    path = cfg.table("gold", "candidates")
    if cands.height:
        delta.merge_rows(
            path, cands, keys=["candidate_id"], update_columns=RULE_COLUMNS,
            stats_columns=["candidate_id", "hour", "ts", "priority", "status"],
            storage_options=cfg.storage_options,
        )  # fmt: skip
    reasons: dict[str, int] = {}
    for rs in cands["reasons"].to_list() if cands.height else []:
        for r in rs:
            reasons[r] = reasons.get(r, 0) + 1
    return CandidateReport(
        hour, turns.height, cands.height, reasons, delta.table_version(path, cfg.storage_options)
    )
