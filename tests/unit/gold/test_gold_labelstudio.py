"""Label Studio: tasks out (Paragraphs + predictions), annotations back in, same tables."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipelines.config import LakeConfig
from pipelines.gold.labelstudio import LABEL_CONFIG, import_tasks
from pipelines.gold.review import read_candidates
from pipelines.gold.store import read_gold
from tests.unit.gold.test_gold_fixtures import kvarn_app, review_lake


@pytest.fixture()
def lake(tmp_path: Path) -> LakeConfig:
    return review_lake(LakeConfig(data_dir=str(tmp_path / "lake")))


def _result(name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"from_name": name, "to_name": "dialogue", "type": kind, "value": value}


def _annotate(task: dict[str, Any], result: list[dict[str, Any]], **extra: Any) -> None:
    """What Label Studio's JSON export holds once a task is annotated."""
    task.setdefault("annotations", []).append(
        {
            "id": len(task.get("annotations", [])) + 1,
            "completed_by": 7,
            "result": result,
            "was_cancelled": False,
            "created_at": "2025-09-02T08:00:00.000000Z",
            "updated_at": "2025-09-02T08:00:00.000000Z",
            **extra,
        }
    )


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(kvarn_app(), args)
    assert result.exit_code == 0, result.output
    return result.output


def test_label_config_is_wellformed_and_names_every_control() -> None:
    root = ET.fromstring(LABEL_CONFIG)
    names = {el.get("name") for el in root.iter() if el.get("name")}
    assert names == {"dialogue", "decision", "intent", "slots", "answer", "rag_positive", "note"}
    paragraphs = next(root.iter("Paragraphs"))
    assert (paragraphs.get("value"), paragraphs.get("layout")) == ("$dialogue", "dialogue")


def test_export_import_round_trip(lake: LakeConfig, tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    _invoke(
        ["review", "export", "--format", "labelstudio", "--out", str(out), "--data", lake.data_dir]
    )
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert out.with_suffix(".xml").read_text(encoding="utf-8") == LABEL_CONFIG
    by_id = {t["data"]["candidate_id"]: t for t in tasks}
    assert list(by_id) == ["b", "a", "c", "d"]  # review order
    b = by_id["b"]["data"]
    assert [p["author"] for p in b["dialogue"]] == ["user", "tool", "assistant"]
    assert b["dialogue"][1]["text"].startswith("lights.set(")
    preds = {r["from_name"]: r["value"] for r in by_id["c"]["predictions"][0]["result"]}
    assert preds == {
        "intent": {"text": ["lights.on"]},
        "slots": {"text": ['{"room": "k\\u00f6k"}']},
        "rag_positive": {"choices": ["doc-1"]},
    }
    assert by_id["c"]["data"]["rag_hits"] == [{"value": "doc-1"}, {"value": "doc-2"}]

    # b: accepted as predicted; a: intent and answer corrected; c: the second document is right;
    # d: skipped in Label Studio; one foreign task with broken slots.
    as_predicted = by_id["b"]["predictions"][0]["result"]
    _annotate(by_id["b"], [_result("decision", "choices", {"choices": ["accept"]}), *as_predicted])
    _annotate(
        by_id["a"],
        [
            _result("decision", "choices", {"choices": ["edit"]}),
            _result("intent", "textarea", {"text": ["timer.set"]}),
            _result("answer", "textarea", {"text": ["Timern är satt."]}),
        ],
    )
    _annotate(
        by_id["c"],
        [
            _result("decision", "choices", {"choices": ["accept"]}),
            _result("rag_positive", "choices", {"choices": ["doc-2"]}),
        ],
    )
    _annotate(by_id["d"], [], was_cancelled=True)
    broken = {"data": {"candidate_id": "a"}, "annotations": []}
    _annotate(
        broken,
        [
            _result("decision", "choices", {"choices": ["edit"]}),
            _result("slots", "textarea", {"text": ["{not json"]}),
        ],
    )
    export = tmp_path / "export.json"
    export.write_text(json.dumps([*tasks, broken, {"data": {"candidate_id": "zz"}}]), "utf-8")

    output = _invoke(["review", "import", str(export), "--data", lake.data_dir])
    assert (
        "imported 4 decision(s): accept 1, edit 2, skip 1; 1 task(s) without annotations" in output
    )
    assert "skipped a: invalid JSON" in output
    state = {r["candidate_id"]: r for r in read_candidates(lake).iter_rows(named=True)}
    assert {k: v["status"] for k, v in state.items()} == {
        "b": "accepted",
        "a": "edited",
        "c": "edited",
        "d": "pending",
    }
    assert {state[k]["decision_source"] for k in "abc"} == {"labelstudio"}
    assert state["a"]["reviewer"] == "labelstudio:7"
    rag = read_gold(lake.table("gold", "rag"))
    assert rag is not None
    assert rag.select("candidate_id", "positive_doc_id", "negative_doc_ids", "source").rows() == [
        ("c", "doc-2", ["doc-1"], "labelstudio")
    ]
    dpo = read_gold(lake.table("gold", "dpo"))
    assert dpo is not None and dpo["chosen"].to_list() == ["Timern är satt."]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ({"result": [_result("decision", "choices", {"choices": ["reject"]})]}, "reject"),
        ({"result": [], "was_cancelled": True}, "skip"),
        ({"result": [_result("decision", "choices", {"choices": ["edit"]})]}, "edit"),
    ],
)
def test_latest_annotation_decides(annotation: dict[str, Any], expected: str) -> None:
    old = {
        "result": [_result("decision", "choices", {"choices": ["accept"]})],
        "updated_at": "2025-09-01T08:00:00Z",
        "completed_by": {"id": 3},
    }
    new = {**annotation, "updated_at": "2025-09-02T08:00:00Z", "completed_by": {"id": 4}}
    got = import_tasks([{"data": {"candidate_id": "x"}, "annotations": [new, old]}])
    (decision,) = got.decisions
    assert (decision.action, decision.reviewer, decision.source) == (
        expected,
        "labelstudio:4",
        "labelstudio",
    )


def test_import_without_a_decision_is_an_error_not_a_guess() -> None:
    got = import_tasks([{"data": {"candidate_id": "x"}, "annotations": [{"result": []}]}])
    assert got.decisions == [] and got.errors == ["x: no decision chosen"]
