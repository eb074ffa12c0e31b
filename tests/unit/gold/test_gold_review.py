"""Review decisions: merged into gold.candidates by id, appended to gold.reviews, masked."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.config import LakeConfig
from pipelines.gold.candidates import build_candidates_hour
from pipelines.gold.queue import load_queue
from pipelines.gold.review import Decision, apply_decisions, read_candidates
from pipelines.gold.store import read_gold
from tests.unit.gold.test_gold_fixtures import HOUR, feedback, rag_hit, tool_call, turn, write_lake


@pytest.fixture()
def lake(tmp_path: Path) -> LakeConfig:
    cfg = LakeConfig(data_dir=str(tmp_path))
    write_lake(
        cfg,
        turns=[
            turn("hello", minute=0),
            turn("a", minute=1, confidence=0.3),
            turn("b", minute=2, tool_call_count=1, tool_fail_count=1),
            turn("c", minute=3, guardian_state="ALERT", rag_hit_count=2),
            turn("d", minute=4, e2e_full_ms=2500.0),
        ],
        tool_calls=[tool_call("b", ok=False)],
        rag_pairs=[rag_hit("c", "doc-1", 1), rag_hit("c", "doc-2", 2)],
        feedback=[feedback("f1", "a", -1, comment="fel svar")],
    )
    build_candidates_hour(cfg, HOUR)
    return cfg


def _state(cfg: LakeConfig) -> dict[str, dict[str, object]]:
    return {r["candidate_id"]: r for r in read_candidates(cfg).iter_rows(named=True)}


def test_queue_is_in_review_order_with_session_context(lake: LakeConfig) -> None:
    items = load_queue(lake)
    assert [i.candidate_id for i in items] == ["b", "a", "c", "d"]  # CRITICAL, HIGH×2, MEDIUM
    b = items[0]
    assert [t["event_id"] for t in b.history] == ["hello", "a"]
    assert [c["ok"] for c in b.calls["b"]] == [False]
    assert [h["doc_id"] for h in items[2].hits] == ["doc-1", "doc-2"]
    assert [f["comment"] for f in items[1].feedback] == ["fel svar"]
    assert len(load_queue(lake, limit=2)) == 2


def test_each_action_lands_in_candidates_and_history(lake: LakeConfig) -> None:
    report = apply_decisions(
        lake,
        [
            Decision(
                "a",
                "edit",
                "ann",
                corrected_intent="timer.set",
                corrected_slots={"who": "Ring Anders Svensson"},
                better_answer="Jag ringer Anders Svensson nu.",
            ),
            Decision("b", "reject", "ann", note="bara brus i ljudet"),
            Decision("c", "accept", "ann"),
            Decision("d", "skip", "ann"),
        ],
    )
    assert report.by_action == {"edit": 1, "reject": 1, "accept": 1, "skip": 1}
    state = _state(lake)
    assert {k: v["status"] for k, v in state.items()} == {
        "a": "edited",
        "b": "rejected",
        "c": "accepted",
        "d": "pending",
    }
    a = state["a"]
    assert a["corrected_intent"] == "timer.set"
    assert a["better_answer"] == "Jag ringer <PERSON> nu."  # the reviewer's text is masked too
    assert "Anders" not in str(a["better_answer_surrogate"])
    assert a["corrected_slots"] == '{"who": "Ring <PERSON>"}'
    assert (a["chosen"], a["rejected"]) == ("Jag ringer <PERSON> nu.", "answer of a")
    assert (state["c"]["rag_positive_doc"], state["c"]["rag_hard_negatives"]) == (
        "doc-1",
        ["doc-2"],
    )
    assert state["b"]["review_note"] == "bara brus i ljudet"
    assert state["d"]["reviewer"] is None
    history = read_gold(lake.table("gold", "reviews"))
    assert history is not None
    assert sorted(history["action"].to_list()) == ["accept", "edit", "reject", "skip"]


def test_history_is_never_lost_when_a_reviewer_changes_their_mind(lake: LakeConfig) -> None:
    apply_decisions(lake, [Decision("a", "reject", "ann")])
    apply_decisions(lake, [Decision("a", "edit", "bo", better_answer="Bättre svar.")])
    state = _state(lake)["a"]
    assert (state["status"], state["reviewer"], state["better_answer"]) == (
        "edited",
        "bo",
        "Bättre svar.",
    )
    history = read_gold(lake.table("gold", "reviews"))
    assert history is not None
    rows = history.sort("decided_at").select("action", "previous_status", "status", "reviewer")
    assert rows.rows() == [
        ("reject", "pending", "rejected", "ann"),
        ("edit", "rejected", "edited", "bo"),
    ]
    apply_decisions(lake, [Decision("a", "accept", "bo")])
    assert _state(lake)["a"]["better_answer"] is None  # accept clears the corrections


def test_an_edit_without_changes_is_an_accept(lake: LakeConfig) -> None:
    report = apply_decisions(
        lake,
        [Decision("a", "edit", "ann", corrected_intent="lights.on", better_answer="answer of a")],
    )
    assert report.by_action == {"accept": 1}
    assert _state(lake)["a"]["status"] == "accepted"


def test_unknown_ids_are_reported_not_raised(lake: LakeConfig) -> None:
    report = apply_decisions(
        lake, [Decision("nope", "accept", "ann"), Decision("a", "accept", "ann")]
    )
    assert report.unknown == ["nope"]
    assert report.applied == 1
    with pytest.raises(ValueError, match="unknown action"):
        apply_decisions(lake, [Decision("a", "approve", "ann")])


def test_rerunning_the_hour_never_touches_decisions(lake: LakeConfig) -> None:
    apply_decisions(lake, [Decision("a", "edit", "ann", corrected_intent="timer.set")])
    build_candidates_hour(lake, HOUR)
    a = read_candidates(lake, ids=["a"]).row(0, named=True)
    assert (a["status"], a["corrected_intent"]) == ("edited", "timer.set")
    assert a["reasons"] == ["nlu_uncertainty", "negative_feedback"]
    assert read_candidates(lake).filter(pl.col("status") == "pending").height == 3
