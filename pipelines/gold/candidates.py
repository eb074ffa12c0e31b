"""Gold candidates: silver turns that deserve a reviewer's time, with every reason recorded.

Rules are data (``pipelines/gold/candidates.yaml``): a name, a priority, a source and a SQL
predicate. The score ranks candidates by priority first and model uncertainty second; the
selection then spreads an hour's review budget over near-duplicate clusters and intents, so a
reviewer's hour is not spent on twenty copies of the same failure.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipelines.config import LakeConfig
from pipelines.gold.candidates_extra import (
    CandidateContext,
    context_for,
    read_context,
)
from pipelines.gold.failure_patterns import FlywheelSettings
from pipelines.gold.store import merge_scoped, read_gold
from pipelines.io import delta
from pipelines.io.horizons import expired_before
from pipelines.silver.schemas import TURNS

RULES_FILE = Path(__file__).parent / "candidates.yaml"
RULES_ENV = "KVARN_CANDIDATE_RULES"  # a path that replaces the shipped rules file
SOURCES = ("turns", "feedback", "test_results", "intent_stats", "test_history")
STATUSES = ("pending", "accepted", "edited", "rejected")

CANDIDATE_SCHEMA: dict[str, Any] = {
    "candidate_id": pl.Utf8,  # = the silver event id of the turn
    "event_ids": pl.List(pl.Utf8),  # the turn first, then feedback / test events that fired
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
    "corrected_slots": pl.Utf8,  # JSON object, masked
    "better_answer": pl.Utf8,  # masked (placeholders)
    "chosen": pl.Utf8,
    "rejected": pl.Utf8,
    "rag_positive_doc": pl.Utf8,
    "rag_hard_negatives": pl.List(pl.Utf8),
    "created_at": pl.Datetime("us", "UTC"),
    "uncertainty": pl.Float64,
    "reason_details": pl.List(pl.Utf8),  # "rule: why (measured values)" per reason
    "cluster_id": pl.Utf8,
    "cluster_size": pl.Int64,
    "better_answer_surrogate": pl.Utf8,
    "decision_source": pl.Utf8,  # review | labelstudio
    "review_note": pl.Utf8,  # masked
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
    "uncertainty",
    "reason_details",
    "cluster_id",
    "cluster_size",
]
DECISION_COLUMNS = [
    "status",
    "reviewer",
    "decided_at",
    "corrected_intent",
    "corrected_slots",
    "better_answer",
    "chosen",
    "rejected",
    "rag_positive_doc",
    "rag_hard_negatives",
    "better_answer_surrogate",
    "decision_source",
    "review_note",
]
STATS_COLUMNS = ["candidate_id", "hour", "ts", "priority", "status"]
_ALTERNATIVES = pl.List(pl.Struct({"intent": pl.Utf8, "confidence": pl.Float64}))


@dataclass(frozen=True)
class Rule:
    name: str
    priority: str
    when: str
    why: str = ""
    source: str = "turns"
    show: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scoring:
    uncertainty_weight: float = 1.0
    extra_reason_bonus: float = 0.05


@dataclass(frozen=True)
class Selection:
    budget_per_hour: int = 40
    max_per_cluster: int = 2
    max_per_intent: int = 8
    novelty_window_hours: int = 24


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]  # the mission's defaults (predicates over one turn)
    priorities: dict[str, int]
    extra_rules: tuple[Rule, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)
    selection: Selection = field(default_factory=Selection)
    flywheel: FlywheelSettings = field(default_factory=FlywheelSettings)

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        return self.rules + self.extra_rules


def _rule(item: dict[str, Any], priorities: dict[str, int]) -> Rule:
    name = str(item["name"])
    if item["priority"] not in priorities:
        raise ValueError(f"rule {name}: unknown priority {item['priority']}")
    source = str(item.get("source", "turns"))
    if source not in SOURCES:
        raise ValueError(f"rule {name}: unknown source {source} (use one of {', '.join(SOURCES)})")
    when = str(item["when"])
    try:
        pl.sql_expr(when)
    except Exception as exc:  # polars raises several error types for bad SQL
        raise ValueError(f"rule {name}: invalid SQL in `when`: {exc}") from None
    show = tuple(str(c) for c in item.get("show") or ())
    return Rule(name, str(item["priority"]), when, str(item.get("why", "")), source, show)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Rules from ``path``, else ``$KVARN_CANDIDATE_RULES``, else the shipped defaults."""
    file = Path(path or os.environ.get(RULES_ENV) or RULES_FILE)
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    priorities = {str(k): int(v) for k, v in data["priorities"].items()}
    rules = tuple(_rule(item, priorities) for item in data["rules"])
    extra = tuple(_rule(item, priorities) for item in data.get("extra_rules") or [])
    names = [r.name for r in rules + extra]
    if len(set(names)) != len(names):
        raise ValueError("rule names must be unique")
    return RuleSet(
        rules,
        priorities,
        extra,
        Scoring(**(data.get("scoring") or {})),
        Selection(**(data.get("selection") or {})),
        FlywheelSettings(**(data.get("flywheel") or {})),
    )


def _complete(turns: pl.DataFrame) -> pl.DataFrame:
    """Every silver turn column present (typed nulls for missing ones), so rules never KeyError."""
    missing = [pl.lit(None, dtype).alias(n) for n, dtype in TURNS.items() if n not in turns.columns]
    return turns.with_columns(missing) if missing else turns


def with_uncertainty(base: pl.DataFrame) -> pl.DataFrame:
    """Add ``uncertainty``: 1 − margin to the best *other* alternative, else 1 − confidence."""
    alts = (
        base.select(
            "event_id",
            "intent",
            pl.col("alternatives").str.json_decode(_ALTERNATIVES).alias("__alt"),
        )
        .explode("__alt")
        .select(
            "event_id",
            pl.col("__alt").struct.field("intent").alias("__alt_intent"),
            pl.col("__alt").struct.field("confidence").alias("__alt_conf"),
            "intent",
        )
        .filter(
            pl.col("__alt_conf").is_not_null()
            & (pl.col("__alt_intent").ne_missing(pl.col("intent")))
        )
        .group_by("event_id")
        .agg(pl.col("__alt_conf").max().alias("__alt_best"))
    )
    conf = pl.col("confidence")
    margin = (conf - pl.col("__alt_best")).clip(0.0, 1.0)
    return (
        base.join(alts, on="event_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("__alt_best").is_not_null())
            .then(1.0 - margin)
            .otherwise(1.0 - conf)
            .fill_null(0.0)
            .clip(0.0, 1.0)
            .alias("uncertainty")
        )
        .drop("__alt_best")
    )


def _detail(rule: Rule, extra: pl.Expr | None = None) -> pl.Expr:
    parts: list[pl.Expr] = [pl.lit(f"{rule.name}: {rule.why or rule.when}")]
    values = [
        pl.concat_str([pl.lit(f"{c}="), pl.col(c).cast(pl.Utf8).fill_null("null")])
        for c in rule.show
    ]
    if extra is not None:
        values.append(extra)
    if values:
        parts += [pl.lit(" ("), pl.concat_str(values, separator=", "), pl.lit(")")]
    return pl.concat_str(parts)


def _apply_rule(frame: pl.DataFrame, i: int, rule: Rule, ctx: CandidateContext) -> pl.DataFrame:
    """Add ``__hit_i`` (bool), ``__ids_i`` (supporting event ids) and ``__why_i`` for one rule."""
    hit, ids, why = f"__hit_{i}", f"__ids_{i}", f"__why_{i}"
    no_ids = pl.lit(None, pl.List(pl.Utf8)).alias(ids)
    silent = [pl.lit(False).alias(hit), no_ids, pl.lit(None, pl.Utf8).alias(why)]
    if rule.source == "turns":
        cond = pl.sql_expr(rule.when).fill_null(False)
        return frame.with_columns(cond.alias(hit), no_ids, _detail(rule).alias(why))
    if rule.source == "intent_stats":
        stats = ctx.intent_stats
        if stats is None:
            return frame.with_columns(silent)
        extra_cols = [c for c in stats.columns if c != "intent"]
        joined = frame.drop([c for c in extra_cols if c in frame.columns]).join(
            stats, on="intent", how="left", maintain_order="left"
        )
        joined = joined.with_columns(
            pl.sql_expr(rule.when).fill_null(False).alias(hit), no_ids, _detail(rule).alias(why)
        )
        return joined.drop(extra_cols)
    if rule.source == "test_history":
        return _apply_test_history(frame, rule, ctx.test_history, (hit, ids, why), silent)
    source = ctx.feedback if rule.source == "feedback" else ctx.test_results
    if source is None or source.height == 0:
        return frame.with_columns(silent)
    matched = source.filter(pl.sql_expr(rule.when).fill_null(False))
    if rule.source == "feedback":
        keys = ["session_id", "turn_id"]
        matched = matched.filter(pl.col("training_ok").fill_null(False)).rename(
            {"target_turn_id": "turn_id"}
        )
    else:
        keys = ["session_id"]
    agg = matched.group_by(keys).agg(pl.col("event_id").unique().sort().alias(ids))
    count = pl.concat_str([pl.lit("events="), pl.col(ids).list.len().cast(pl.Utf8)])
    return frame.join(agg, on=keys, how="left", maintain_order="left").with_columns(
        pl.col(ids).is_not_null().alias(hit), _detail(rule, count).alias(why)
    )


def _apply_test_history(
    frame: pl.DataFrame,
    rule: Rule,
    history: pl.DataFrame | None,
    names: tuple[str, str, str],
    silent: list[pl.Expr],
) -> pl.DataFrame:
    """Turns a test recorded (``test_scenario`` = the test's node id) meet their test's failure
    patterns, flakiness and regressions; the failure events join the candidate's evidence."""
    hit, ids, why = names
    if history is None or history.height == 0:
        return frame.with_columns(silent)
    matched = history.filter(pl.sql_expr(rule.when).fill_null(False))
    agg = matched.group_by("test_name").agg(
        pl.col("event_id").drop_nulls().unique().sort().alias(ids),
        pl.col("pattern_id").drop_nulls().unique().sort().str.join(",").alias("__patterns"),
    )
    detail = pl.concat_str([pl.lit("patterns="), pl.col("__patterns").fill_null("")])
    return (
        frame.join(
            agg, left_on="test_scenario", right_on="test_name", how="left", maintain_order="left"
        )
        .with_columns(pl.col(ids).is_not_null().alias(hit), _detail(rule, detail).alias(why))
        .drop("__patterns")
    )


def score_candidates(
    turns: pl.DataFrame,
    rules: RuleSet | None = None,
    now: datetime | None = None,
    context: CandidateContext | None = None,
) -> pl.DataFrame:
    """Candidate rows for the consented turns that match at least one rule, best score first.

    Rules whose source is absent from ``context`` simply do not fire, so the mission's four
    rules work on turns alone.
    """
    rs = rules or load_rules()
    now = now or datetime.now(UTC)
    ctx = context or CandidateContext()
    if turns.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    base = _complete(turns).filter(pl.col("training_ok").fill_null(False))
    if base.height == 0:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    frame = with_uncertainty(base)
    all_rules = rs.all_rules
    for i, rule in enumerate(all_rules):
        frame = _apply_rule(frame, i, rule, ctx)
    hits = [pl.col(f"__hit_{i}") for i in range(len(all_rules))]
    reasons = [pl.when(h).then(pl.lit(r.name)) for h, r in zip(hits, all_rules, strict=True)]
    whys = [pl.when(h).then(pl.col(f"__why_{i}")) for i, h in enumerate(hits)]
    ranks = [
        pl.when(h).then(rs.priorities[r.priority]).otherwise(0)
        for h, r in zip(hits, all_rules, strict=True)
    ]
    supporting = [
        pl.col(f"__ids_{i}").fill_null(pl.lit([], pl.List(pl.Utf8))) for i in range(len(all_rules))
    ]
    by_rank = {v: k for k, v in rs.priorities.items()}
    sc = rs.scoring
    scored = (
        frame.with_columns(
            pl.concat_list(reasons).list.drop_nulls().alias("reasons"),
            pl.concat_list(whys).list.drop_nulls().alias("reason_details"),
            pl.max_horizontal(ranks).cast(pl.Int64).alias("priority_rank"),
            pl.concat_list([pl.concat_list([pl.col("event_id")]), *supporting])
            .list.unique(maintain_order=True)
            .alias("event_ids"),
        )
        .filter(pl.col("reasons").list.len() > 0)
        .with_columns(
            pl.col("priority_rank")
            .replace_strict(by_rank, return_dtype=pl.Utf8, default=None)
            .alias("priority"),
            (
                pl.col("priority_rank")
                + sc.uncertainty_weight * pl.col("uncertainty")
                + sc.extra_reason_bonus * (pl.col("reasons").list.len() - 1)
            ).alias("score"),
        )
    )
    out = scored.select(
        pl.col("event_id").alias("candidate_id"),
        "event_ids",
        "hour",
        "ts",
        "session_id",
        "turn_id",
        "env",
        "intent",
        "reasons",
        "priority",
        "priority_rank",
        "score",
        pl.lit("pending").alias("status"),
        "uncertainty",
        "reason_details",
        "cluster_id",
        "cluster_size",
    )
    for name, dtype in CANDIDATE_SCHEMA.items():
        if name not in out.columns:
            value = now if name == "created_at" else None
            out = out.with_columns(pl.lit(value).cast(dtype).alias(name))
    out = out.with_columns([pl.col(n).cast(t) for n, t in CANDIDATE_SCHEMA.items()])
    return out.select(list(CANDIDATE_SCHEMA)).sort(
        ["score", "candidate_id"], descending=[True, False]
    )


@dataclass(frozen=True)
class BatchSelection:
    selected: pl.DataFrame
    capped_by_cluster: int
    capped_by_intent: int
    over_budget: int


def select_batch(
    cands: pl.DataFrame, selection: Selection, keep: frozenset[str] = frozenset()
) -> BatchSelection:
    """Greedy by score: at most k per near-duplicate cluster and per intent, and the budget.

    ``keep`` (candidates already decided by a reviewer) are taken first and count against the
    caps and the budget, so reruns never exceed the budget nor drop a decision. Turns without a
    cluster id or an intent are not capped on that key.
    """
    ordered = cands.with_columns(pl.col("candidate_id").is_in(list(keep)).alias("__keep")).sort(
        ["__keep", "score", "candidate_id"], descending=[True, True, False]
    )
    clusters: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    chosen: list[str] = []
    by_cluster = by_intent = over = 0
    for cid, cluster, intent, kept in ordered.select(
        "candidate_id", "cluster_id", "intent", "__keep"
    ).iter_rows():
        if not kept:
            if cluster is not None and clusters[cluster] >= selection.max_per_cluster:
                by_cluster += 1
                continue
            if intent is not None and intents[intent] >= selection.max_per_intent:
                by_intent += 1
                continue
            if len(chosen) >= selection.budget_per_hour:
                over += 1
                continue
        chosen.append(cid)
        if cluster is not None:
            clusters[cluster] += 1
        if intent is not None:
            intents[intent] += 1
    picked = cands.filter(pl.col("candidate_id").is_in(chosen))
    return BatchSelection(picked, by_cluster, by_intent, over)


@dataclass(frozen=True)
class CandidateReport:
    hour: str
    turns: int
    candidates: int
    by_reason: dict[str, int]
    version: int | None
    matched: int = 0
    capped_by_cluster: int = 0
    capped_by_intent: int = 0
    over_budget: int = 0
    decided_kept: int = 0


def count_reasons(cands: pl.DataFrame) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for reasons in cands["reasons"].to_list() if cands.height else []:
        counts.update(reasons)
    return dict(sorted(counts.items()))


def build_candidates_hour(
    cfg: LakeConfig, hour: str, rules: RuleSet | None = None, now: datetime | None = None
) -> CandidateReport:
    """Score one hour of silver turns, pick the hour's batch and sync it into gold.candidates.

    One commit upserts the batch (rule columns only, so decisions survive) and deletes the
    hour's *pending* candidates that are no longer picked; decided ones are never deleted.
    """
    (report,) = build_candidates_hours(cfg, [hour], rules, now)
    return report


def build_candidates_hours(
    cfg: LakeConfig, hours: list[str], rules: RuleSet | None = None, now: datetime | None = None
) -> list[CandidateReport]:
    """``build_candidates_hour`` for many hours at once: every input read once, every hour
    scored and selected exactly as alone, one commit. Returns one report per hour.

    Hours before the silver retention horizon keep their candidates: gold is kept until a
    person removes it, and rescoring an hour whose silver is gone would drop them."""
    horizon = expired_before(cfg, "silver")
    kept = [h for h in hours if horizon is not None and h < horizon]
    hours = [h for h in hours if h not in kept]
    expired = [CandidateReport(hour=h, turns=0, candidates=0, by_reason={}, version=None)
               for h in kept]  # fmt: skip
    if not hours:
        return expired
    rs = rules or load_rules()
    so = cfg.storage_options
    window = rs.selection.novelty_window_hours
    turns = delta.read_table(cfg.table("silver", "turns"), filters=[("hour", "in", hours)],
                             storage_options=so)  # fmt: skip
    frames = read_context(cfg, hours, window)
    path = cfg.table("gold", "candidates")
    columns = ["candidate_id", "hour", "status"]
    existing = read_gold(path, pl.col("hour").is_in(hours), columns=columns, storage_options=so)
    picks: list[tuple[str, int, pl.DataFrame, BatchSelection, frozenset[str]]] = []
    for hour in hours:
        hour_turns = turns.filter(pl.col("hour") == hour) if turns is not None else pl.DataFrame()
        cands = score_candidates(
            hour_turns, rs, now, context_for(frames, hour, window, rs.flywheel)
        )
        decided = frozenset(
            existing.filter((pl.col("hour") == hour) & (pl.col("status") != "pending"))[
                "candidate_id"
            ].to_list()
            if existing is not None
            else []
        )
        batch = select_batch(cands, rs.selection, keep=decided)
        picks.append((hour, hour_turns.height, cands, batch, decided))
    selected = pl.concat([p[3].selected for p in picks], how="vertical")
    scope = ", ".join("'" + h.replace("'", "''") + "'" for h in hours)
    merge_scoped(
        path,
        selected,
        ["candidate_id"],
        update_columns=RULE_COLUMNS,
        delete_scope=f"t.hour IN ({scope}) AND t.status = 'pending'",
        stats_columns=STATS_COLUMNS,
        storage_options=so,
    )
    version = delta.table_version(path, so)
    return expired + [
        CandidateReport(
            hour=hour,
            turns=n_turns,
            candidates=batch.selected.height,
            by_reason=count_reasons(batch.selected),
            version=version,
            matched=cands.height,
            capped_by_cluster=batch.capped_by_cluster,
            capped_by_intent=batch.capped_by_intent,
            over_budget=batch.over_budget,
            decided_kept=len(decided & set(batch.selected["candidate_id"].to_list())),
        )
        for hour, n_turns, cands, batch, decided in picks
    ]
