"""Gold tables: semi-automatic rules, reviewed rows, precedence, consent and provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.gold.build import build_gold
from pipelines.gold.candidates import build_candidates_hour
from pipelines.gold.review import Decision, apply_decisions
from pipelines.gold.store import read_gold
from pipelines.gold.trace import (
    TraceReport,
    check_candidate_hours,
    check_candidates,
    check_gold_table,
)
from pipelines.io import delta
from tests.unit.gold.test_gold_fixtures import (
    HOUR,
    feedback,
    rag_hit,
    tool_call,
    turn,
    write_docs,
    write_lake,
)

CAL = "calendar.create"


@pytest.fixture()
def lake(tmp_path: Path) -> LakeConfig:
    cfg = LakeConfig(data_dir=str(tmp_path))
    failing: dict[str, Any] = {"intent": CAL, "tool_call_count": 1, "tool_fail_count": 1}
    working: dict[str, Any] = {"intent": CAL, "tool_call_count": 1, "tool_fail_count": 0}
    write_lake(
        cfg,
        turns=[
            turn("fail", session="s1", minute=0, output_text="Det gick inte.", **failing),
            turn(
                "retry", session="s1", minute=1, output_text="Klart!", e2e_full_ms=2500.0, **working
            ),
            turn("hi", session="s2", minute=0),
            turn(
                "liked",
                session="s2",
                minute=1,
                rag_hit_count=3,
                tool_call_count=1,
                output_text="Pantburkar lämnas i pantautomaten i butiken, du får en kvittolapp.",
            ),
            turn("pref", session="s3", minute=0),
            turn("nocons", session="s4", minute=0, training_ok=False),
            turn("fail2", session="s5", minute=0, **failing),
            turn("retry2", session="s5", minute=1, **working),
            turn("fail3", session="s6", minute=0, **failing),
            turn("other", session="s6", minute=1, **{**working, "intent": "timer.set"}),
        ],
        tool_calls=[
            tool_call("fail", ok=False, session_id="s1"),
            tool_call("retry", ok=True, session_id="s1"),
            tool_call("liked", ok=True, session_id="s2"),
        ],
        rag_pairs=[rag_hit("liked", f"doc-{i}", i, session_id="s2") for i in (1, 2, 3)],
        feedback=[
            feedback("f-like", "liked", 1, session="s2", minute=2),
            feedback("f-like-again", "liked", 1, session="s2", minute=3),
            feedback(
                "f-pref",
                "pref",
                -1,
                session="s3",
                preferred_answer="Så här.",
                preferred_answer_surrogate="Så här (s).",
            ),
            feedback("f-nocons", "nocons", 1, session="s4"),
            feedback("f-hidden", "hi", 1, session="s2", training_ok=False),
            feedback("f-down", "retry2", -1, session="s5", minute=2),
        ],
    )
    write_docs(cfg)
    return cfg


def _table(cfg: LakeConfig, kind: str) -> list[dict[str, Any]]:
    got = read_gold(cfg.table("gold", kind))
    assert got is not None
    return got.sort("source").to_dicts()


def test_semi_automatic_gold_rules(lake: LakeConfig) -> None:
    report = build_gold(lake)
    assert report.rows == {"sft": 1, "dpo": 2, "rag": 1, "nlu": 1}
    dpo = {r["source"]: r for r in _table(lake, "dpo")}
    retry = dpo["retry_pair"]
    assert (retry["chosen"], retry["rejected"], retry["trust"]) == (
        "Klart!",
        "Det gick inte.",
        "auto",
    )
    assert retry["event_ids"] == ["fail", "retry"]
    assert json.loads(retry["prompt"]) == [{"role": "user", "content": "text of fail"}]
    pref = dpo["feedback_preferred"]
    assert (pref["chosen"], pref["chosen_surrogate"], pref["rejected"]) == (
        "Så här.",
        "Så här (s).",
        "answer of pref",
    )
    assert pref["event_ids"] == ["f-pref", "pref"]

    (sft,) = _table(lake, "sft")
    assert (sft["source"], sft["trust"], sft["event_ids"]) == (
        "feedback_positive",
        "auto",
        ["f-like", "hi", "liked"],
    )
    messages = json.loads(sft["messages"])
    assert [m["role"] for m in messages] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert messages[3]["tool_calls"] == [{"name": "lights.set", "arguments": {"room": "kök"}}]
    assert json.loads(sft["messages_surrogate"])[0]["content"] == "surrogate text of hi"
    assert json.loads(sft["tools"]) == [
        {
            "name": "lights.set",
            "parameters": {"type": "object", "properties": {"room": {"type": "string"}}},
        }
    ]
    (rag,) = _table(lake, "rag")
    assert (rag["anchor"], rag["positive_doc_id"], rag["negative_doc_ids"]) == (
        "query of liked",
        "doc-2",  # the source of the answer, not the top hit
        ["doc-1", "doc-3"],
    )
    assert rag["source"] == "rag_feedback"
    (nlu,) = _table(lake, "nlu")
    assert (nlu["text"], nlu["intent"], json.loads(nlu["slots"])) == (
        "text of liked",
        "lights.on",
        {"room": "kök"},
    )
    versions = json.loads(nlu["delta_versions"])
    assert versions == {"silver/feedback": 0, "silver/tool_calls": 0, "silver/turns": 0}


def test_reviewers_override_the_automatic_rules(lake: LakeConfig) -> None:
    build_candidates_hour(lake, HOUR)
    apply_decisions(
        lake,
        [
            Decision(
                "pref",
                "edit",
                "ann",
                better_answer="Ett bättre svar.",
                corrected_intent="help.info",
            ),
            Decision("retry", "reject", "ann"),  # a candidate for its slow answer
        ],
    )
    report = build_gold(lake)
    assert report.by_source["dpo"] == {"review": 1}  # the retry pair used a rejected turn
    (dpo,) = _table(lake, "dpo")
    assert (dpo["chosen"], dpo["rejected"], dpo["trust"], dpo["candidate_id"]) == (
        "Ett bättre svar.",
        "answer of pref",
        "reviewed",
        "pref",
    )
    nlu = {r["candidate_id"]: r for r in _table(lake, "nlu")}
    assert nlu["pref"]["intent"] == "help.info"
    assert json.loads(nlu["pref"]["delta_versions"])["gold/candidates"] is not None


def test_a_rebuild_without_new_inputs_writes_nothing(lake: LakeConfig) -> None:
    build_gold(lake)
    versions = {k: delta.table_version(lake.table("gold", k)) for k in ("sft", "dpo", "rag", "nlu")}
    again = build_gold(lake)
    assert again.written == {"sft": None, "dpo": None, "rag": None, "nlu": None}
    assert {k: delta.table_version(lake.table("gold", k)) for k in versions} == versions


def test_rejecting_removes_rows_and_every_row_traces_to_silver(lake: LakeConfig) -> None:
    build_candidates_hour(lake, HOUR)
    apply_decisions(lake, [Decision("pref", "accept", "ann")])
    build_gold(lake)
    assert read_gold(lake.table("gold", "sft"), pl.col("candidate_id") == "pref") is not None
    apply_decisions(lake, [Decision("pref", "reject", "ann")])
    build_gold(lake)
    sft = read_gold(lake.table("gold", "sft"))
    assert sft is not None and "pref" not in sft["candidate_id"].to_list()
    for kind in ("sft", "dpo", "rag", "nlu"):
        assert check_gold_table(lake, kind).passed
    assert check_candidates(lake, HOUR).passed


def test_the_trace_check_catches_a_forgotten_event(lake: LakeConfig) -> None:
    build_gold(lake)
    delta.overwrite_partition(
        lake.table("silver", "feedback"),
        read_gold(lake.table("silver", "feedback"), pl.col("event_id") != "f-like"),
        "hour",
        HOUR,
    )
    report = check_gold_table(lake, "sft")
    assert (report.passed, report.untraced_rows, report.missing_event_ids) == (False, 1, 1)


def test_the_candidate_check_of_several_hours_equals_each_hour_alone(lake: LakeConfig) -> None:
    build_candidates_hour(lake, HOUR)
    cands = read_gold(lake.table("gold", "candidates"))
    assert cands is not None and cands.height > 1
    victim = cands["event_ids"].to_list()[0][0]
    for table in SILVER_TABLES:  # the event is gone from every silver table
        kept = read_gold(lake.table("silver", table), pl.col("event_id") != victim)
        if kept is not None:
            delta.overwrite_partition(lake.table("silver", table), kept, "hour", HOUR)
    empty = "2000-01-01T00"
    reports = check_candidate_hours(lake, [HOUR, empty])
    assert reports[empty] == TraceReport(rows=0)
    assert reports[HOUR] == check_candidates(lake)  # the whole table is this hour
    assert not reports[HOUR].passed and reports[HOUR].missing_event_ids == 1
