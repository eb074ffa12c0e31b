"""Candidate rules, score, diversity caps, budget and the hourly sync into gold.candidates."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import LakeConfig
from pipelines.gold.candidates import (
    Selection,
    build_candidates_hour,
    load_rules,
    score_candidates,
    select_batch,
)
from pipelines.gold.candidates_extra import CandidateContext, intent_stats
from pipelines.gold.review import Decision, apply_decisions, read_candidates
from pipelines.silver.schemas import frame
from tests.unit.gold.test_gold_fixtures import HOUR, ci_event, feedback, turn, write_lake


def _by_turn(cands: pl.DataFrame) -> dict[str, tuple[str, list[str], list[str]]]:
    return {
        r["candidate_id"]: (r["priority"], r["reasons"], r["event_ids"])
        for r in cands.iter_rows(named=True)
    }


def test_rules_file_ships_the_mission_defaults_and_the_extra_rules() -> None:
    rs = load_rules()
    assert [(r.name, r.priority) for r in rs.rules] == [
        ("nlu_uncertainty", "HIGH"),
        ("tool_failure", "CRITICAL"),
        ("slo_violation", "MEDIUM"),
        ("guardian_event", "HIGH"),
    ]
    assert [(r.name, r.source) for r in rs.extra_rules] == [
        ("negative_feedback", "feedback"),
        ("regression", "turns"),
        ("test_failure", "test_results"),
        ("rare_intent", "intent_stats"),
        ("large_cluster", "turns"),
        ("failure_pattern", "test_history"),
        ("flaky_test", "test_history"),
        ("test_regression", "test_history"),
    ]
    assert rs.selection == Selection(
        budget_per_hour=40, max_per_cluster=2, max_per_intent=8, novelty_window_hours=24
    )


def test_extra_rules_fire_with_their_evidence() -> None:
    turns = frame(
        "turns",
        [
            turn("fine"),
            turn("fb", minute=1),
            turn("thumbsup", minute=2),
            turn("fb_no_consent", minute=3),
            turn("reg", minute=4, regression_flag=True),
            turn("ci", session="ci-1", minute=5),
            turn("rare", minute=6, intent="timer.pause"),
            turn("big", minute=7, cluster_id="k", cluster_size=12, is_representative=True),
            turn("big_copy", minute=8, cluster_id="k", cluster_size=12, is_representative=False),
            turn("unconsented", minute=9, training_ok=False, regression_flag=True),
        ],
    )
    history = pl.DataFrame({"hour": ["2025-09-01T09"] * 150, "intent": ["lights.on"] * 150})
    window = pl.concat([history, turns.select("hour", "intent")])
    ctx = CandidateContext(
        feedback=frame(
            "feedback",
            [
                feedback("f1", "fb", -1),
                feedback("f2", "thumbsup", 1),
                feedback("f3", "fb_no_consent", -1, training_ok=False),
            ],
        ),
        test_results=frame(
            "test_results",
            [ci_event("x1", session="ci-1"), ci_event("x2", session="ci-1", kind="test.baseline")],
        ),
        intent_stats=intent_stats(window, HOUR),
    )
    got = _by_turn(score_candidates(turns, context=ctx))
    assert got == {
        "fb": ("HIGH", ["negative_feedback"], ["fb", "f1"]),
        "reg": ("HIGH", ["regression"], ["reg"]),
        "ci": ("HIGH", ["test_failure"], ["ci", "x1"]),
        "rare": ("LOW", ["rare_intent"], ["rare"]),
        "big": ("MEDIUM", ["large_cluster"], ["big"]),
    }
    details = score_candidates(turns, context=ctx).filter(pl.col("candidate_id") == "big")
    assert details["reason_details"][0].to_list() == [
        "large_cluster: Representative of a large near-duplicate cluster — one label covers "
        "many turns. (cluster_size=12)"
    ]


def test_novelty_needs_history_before_it_fires() -> None:
    turns = frame("turns", [turn("a", intent="timer.pause"), turn("b", minute=1)])
    ctx = CandidateContext(intent_stats=intent_stats(turns.select("hour", "intent"), HOUR))
    assert score_candidates(turns, context=ctx).height == 0  # the lake's first hour


def test_uncertainty_uses_the_margin_to_the_best_other_alternative() -> None:
    alt = json.dumps
    turns = frame(
        "turns",
        [
            turn("close", confidence=0.55, alternatives=alt([{"intent": "x", "confidence": 0.5}])),
            turn("alone", minute=1, confidence=0.55),
            turn(
                "self_listed",
                minute=2,
                confidence=0.55,
                alternatives=alt(
                    [
                        {"intent": "lights.on", "confidence": 0.55},
                        {"intent": "y", "confidence": 0.1},
                    ]
                ),
            ),
            turn("two_reasons", minute=3, confidence=0.55, guardian_state="ALERT"),
        ],
    )
    scores = {r["candidate_id"]: r["score"] for r in score_candidates(turns).iter_rows(named=True)}
    assert scores == pytest.approx(
        {"close": 3.95, "self_listed": 3.55, "alone": 3.45, "two_reasons": 3.50}
    )
    assert score_candidates(turns)["candidate_id"].to_list() == [
        "close",
        "self_listed",
        "two_reasons",
        "alone",
    ]


def _capped_turns() -> pl.DataFrame:
    rows = []
    plan = [
        ("k1", "k", "a", 0.10),
        ("k2", "k", "a", 0.12),
        ("k3", "k", "a", 0.14),
        ("k4", "k", "a", 0.16),
        ("k5", "k", "a", 0.18),
        ("b1", "b1", "b", 0.20),
        ("b2", "b2", "b", 0.22),
        ("b3", "b3", "b", 0.24),
        ("b4", "b4", "b", 0.26),
        ("c1", "c1", "c", 0.30),
        ("c2", "c2", "c", 0.32),
    ]
    for i, (eid, cluster, intent, conf) in enumerate(plan):
        rows.append(turn(eid, minute=i, cluster_id=cluster, intent=intent, confidence=conf))
    return frame("turns", rows)


def test_diversity_caps_and_budget() -> None:
    cands = score_candidates(_capped_turns())
    assert cands.height == 11
    policy = Selection(budget_per_hour=5, max_per_cluster=2, max_per_intent=2)
    batch = select_batch(cands, policy)
    assert sorted(batch.selected["candidate_id"].to_list()) == ["b1", "b2", "c1", "k1", "k2"]
    assert (batch.capped_by_cluster, batch.capped_by_intent, batch.over_budget) == (3, 2, 1)


def test_decided_candidates_are_kept_first_and_count_against_caps() -> None:
    cands = score_candidates(_capped_turns())
    policy = Selection(budget_per_hour=5, max_per_cluster=2, max_per_intent=2)
    batch = select_batch(cands, policy, keep=frozenset({"k5"}))
    assert sorted(batch.selected["candidate_id"].to_list()) == ["b1", "b2", "c1", "k1", "k5"]


def test_hourly_sync_keeps_decisions_and_respects_the_budget(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_lake(cfg, turns=_capped_turns().to_dicts())
    rules = load_rules()
    rep = build_candidates_hour(cfg, HOUR, rules)
    assert (rep.matched, rep.candidates, rep.capped_by_cluster) == (11, 8, 3)
    first = read_candidates(cfg).sort("candidate_id")
    assert build_candidates_hour(cfg, HOUR, rules).candidates == 8  # a rerun changes nothing
    assert read_candidates(cfg).sort("candidate_id").equals(first)

    apply_decisions(cfg, [Decision("c2", "reject", "ann")])
    tight = replace(
        rules, selection=Selection(budget_per_hour=2, max_per_cluster=2, max_per_intent=2)
    )
    rep = build_candidates_hour(cfg, HOUR, tight)
    got = read_candidates(cfg)
    assert sorted(got["candidate_id"].to_list()) == ["c2", "k1"]  # decision kept + best pending
    assert rep.decided_kept == 1
    kept = got.filter(pl.col("candidate_id") == "c2").row(0, named=True)
    assert (kept["status"], kept["reviewer"]) == ("rejected", "ann")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"priority": "URGENT"}, "unknown priority"),
        ({"source": "weather"}, "unknown source"),
        ({"when": "confidence <<< 2"}, "invalid SQL"),
    ],
)
def test_bad_rules_are_refused(tmp_path: Path, patch: dict[str, str], message: str) -> None:
    rule = {"name": "r", "priority": "HIGH", "when": "confidence < 0.5", **patch}
    body = {"priorities": {"HIGH": 3}, "rules": [rule]}
    path = tmp_path / "rules.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")  # JSON is valid YAML
    with pytest.raises(ValueError, match=message):
        load_rules(path)


def test_a_turn_that_no_longer_matches_leaves_the_pending_queue(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_lake(cfg, turns=[turn("a", confidence=0.2)])
    assert build_candidates_hour(cfg, HOUR).candidates == 1
    write_lake(cfg, turns=[turn("a", confidence=0.9)])  # silver rebuilt, e.g. a fixed NLU
    assert build_candidates_hour(cfg, HOUR).candidates == 0
    assert read_candidates(cfg).height == 0
