"""Neutral gold examples → TRL / OpenAI / sentence-transformers / NLU records, schema-valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipelines.export.formats import (
    SCHEMA_FILES,
    canonical_json,
    for_parquet,
    format_dpo,
    format_examples,
    format_nlu,
    format_sft,
    openai_messages,
    trl_messages,
)
from pipelines.export.sources import Example
from pipelines.io.docs import load_docs

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "exports"
NEUTRAL = [
    {"role": "user", "content": "tänd lampan i köket och sätt en timer"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"name": "home.set_light", "arguments": {"state": "on", "room": "köket"}},
        {"name": "timer.start", "arguments": "{\"duration\": \"PT5M\"}"},
    ]},
    {"role": "tool", "name": "timer.start", "content": "ok"},
    {"role": "tool", "name": "home.set_light", "content": {"status": "ok"}},
    {"role": "assistant", "content": "Klart."},
]  # fmt: skip


def validator(kind: str, flavor: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / SCHEMA_FILES[(kind, flavor)]).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def example(kind: str, payload: dict[str, Any], **kw: Any) -> Example:
    base: dict[str, Any] = {
        "example_id": kw.pop("example_id", "e1"), "kind": kind, "session_id": "s1",
        "event_ids": ["ev1"], "intent": "lights.on", "trust": "reviewed", "source": "review",
        "candidate_id": None, "cluster_id": None, "cluster_size": None, "ts": None,
        "env": "prod", "payload": payload,
    }  # fmt: skip
    base.update(kw)
    return Example(**base)


def test_trl_messages_have_the_trl_tool_structure() -> None:
    msgs = trl_messages(NEUTRAL)
    assert msgs[1] == {
        "role": "assistant",
        "tool_calls": [
            {"type": "function",
             "function": {"name": "home.set_light", "arguments": {"room": "köket", "state": "on"}}},
            {"type": "function", "function": {"name": "timer.start",
                                              "arguments": {"duration": "PT5M"}}},
        ],
    }  # fmt: skip
    assert list(msgs[1]["tool_calls"][0]["function"]["arguments"]) == ["room", "state"]
    assert msgs[2] == {"role": "tool", "name": "timer.start", "content": "ok"}
    assert msgs[3]["content"] == '{"status": "ok"}'
    assert msgs[-1] == {"role": "assistant", "content": "Klart."}


def test_openai_messages_pair_calls_and_results_by_id() -> None:
    msgs = openai_messages(NEUTRAL)
    calls = msgs[1]["tool_calls"]
    assert [c["id"] for c in calls] == ["call_1", "call_2"]
    assert calls[0]["function"] == {"name": "home_set_light",
                                    "arguments": '{"room": "köket", "state": "on"}'}  # fmt: skip
    # results arrive in another order than the calls: each finds its own call id
    assert msgs[2] == {"role": "tool", "tool_call_id": "call_2", "content": "ok"}
    assert msgs[3]["tool_call_id"] == "call_1"


@pytest.mark.parametrize("flavor", ["trl", "openai"])
def test_sft_rows_validate_and_list_tools(flavor: str) -> None:
    ex = example("sft", {"messages": NEUTRAL, "tools": [
        {"name": "home.set_light", "parameters": {"type": "object", "properties": {
            "room": {"type": "string"}, "state": {"type": "string"}}}}]})  # fmt: skip
    row = format_sft(ex, flavor)
    validator("sft", flavor).validate(row)
    names = [t["function"]["name"] for t in row["tools"]]
    assert names == (["home.set_light", "timer.start"] if flavor == "trl"
                     else ["home_set_light", "timer_start"])  # fmt: skip
    inferred = row["tools"][1]["function"]["parameters"]
    assert inferred["properties"] == {"duration": {"type": "string"}}
    validator("sft", flavor).validate(for_parquet("sft", row))
    assert isinstance(for_parquet("sft", row)["tools"], str)


def test_openai_schema_rejects_trl_rows() -> None:
    row = format_sft(example("sft", {"messages": NEUTRAL, "tools": []}), "trl")
    assert list(validator("sft", "openai").iter_errors(row))


@pytest.mark.parametrize("flavor", ["trl", "openai"])
def test_dpo_rows(flavor: str) -> None:
    prompt = [{"role": "user", "content": "vad är klockan"}]
    row = format_dpo(example("dpo", {"prompt": prompt, "chosen": "Tio.", "rejected": "Vet ej."}),
                     flavor)  # fmt: skip
    validator("dpo", flavor).validate(row)
    if flavor == "trl":
        assert list(row) == ["prompt", "chosen", "rejected"]
        assert row["chosen"] == [{"role": "assistant", "content": "Tio."}]
    else:
        assert row["input"]["messages"] == prompt
        assert row["non_preferred_output"][0]["content"] == "Vet ej."


def test_rag_expands_one_triplet_per_known_negative(tmp_path: Path) -> None:
    for name, text in (("a", "# Titel A\n\nText A.\n"), ("b", "Text B"), ("c", "Text C")):
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    docs = load_docs(str(tmp_path))
    assert docs["a"] == "Titel A\n\nText A."
    skipped: dict[str, int] = {}
    exs = [
        example("rag", {"anchor": "fråga", "positive_doc_id": "a",
                        "negative_doc_ids": ["c", "b", "zz", "a"]}),
        example("rag", {"anchor": "annan", "positive_doc_id": "gone", "negative_doc_ids": ["b"]},
                example_id="e2"),
        example("rag", {"anchor": "ensam", "positive_doc_id": "b", "negative_doc_ids": []},
                example_id="e3"),
    ]  # fmt: skip
    rows = format_examples("rag", exs, "trl", docs, skipped)
    assert [list(r.row) for r in rows] == [["anchor", "positive", "negative"]] * 2
    assert sorted(r.row["negative"] for r in rows) == ["Text B", "Text C"]
    assert {r.extra["negative_doc_id"] for r in rows} == {"b", "c"}
    assert skipped == {"missing_doc": 2, "no_negative": 1}
    for r in rows:
        validator("rag", "trl").validate(r.row)
    assert len({r.example_id for r in rows}) == 2


def test_nlu_rows_sort_slots_and_stringify_for_parquet() -> None:
    row = format_nlu(example("nlu", {"text": "ring <PERSON>", "intent": "call.contact",
                                     "slots": {"z": "1", "contact": "<PERSON>"}}))  # fmt: skip
    assert row == {"text": "ring <PERSON>", "intent": "call.contact",
                   "slots": {"contact": "<PERSON>", "z": "1"}}  # fmt: skip
    assert list(row["slots"]) == ["contact", "z"]
    validator("nlu", "trl").validate(row)
    flat = for_parquet("nlu", row)
    assert json.loads(flat["slots"]) == row["slots"]
    validator("nlu", "trl").validate(flat)


def test_canonical_json_ignores_key_order() -> None:
    expected = '{"a":"å","b":1}'
    assert canonical_json({"b": 1, "a": "å"}) == canonical_json({"a": "å", "b": 1}) == expected
