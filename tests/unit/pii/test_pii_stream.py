"""The `kvarn pii` contract: JSONL in, one JSONL line out per line in."""

from __future__ import annotations

import json

import pytest

from pipelines.pii import PiiMasker
from pipelines.pii.stream import pii_stream


@pytest.fixture(scope="module")
def masker() -> PiiMasker:
    return PiiMasker(use_person_model=False)


def run(lines: list[str], masker: PiiMasker, batch_size: int = 1) -> list[dict]:
    return [json.loads(out) for out in pii_stream(lines, masker=masker, batch_size=batch_size)]


def test_contract_fields_offsets_and_masks(masker: PiiMasker) -> None:
    text = "ring +46 70 123 45 67 eller mejla åsa@firma.se 🙂"
    [out] = run([json.dumps({"id": "a1", "text": text}) + "\n"], masker)
    assert out["id"] == "a1"
    assert out["masked"] == "ring <PHONE> eller mejla <EMAIL> 🙂"
    assert [(e["start"], e["end"], e["type"]) for e in out["entities"]] == [
        (5, 21, "PHONE"),
        (34, 46, "EMAIL"),
    ]
    for entity in out["entities"]:
        assert set(entity) == {"start", "end", "type", "score"}
        assert text[entity["start"] : entity["end"]] not in out["masked"]


@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_bad_lines_yield_errors_and_processing_continues(
    masker: PiiMasker, batch_size: int
) -> None:
    lines = [
        json.dumps({"id": 1, "text": "ring 0701234567"}),
        "{not json 0701234567",
        json.dumps(["a", "list"]),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "x", "text": 811228_9874}),
        json.dumps({"id": "y"}),
        "",
        json.dumps({"id": 2, "text": ""}),
    ]
    out = run(lines, masker, batch_size)
    assert len(out) == len(lines)
    assert out[0] == {"id": 1, "masked": "ring <PHONE>", "entities": out[0]["entities"]}
    assert [o.get("id") for o in out] == [1, None, None, None, "x", "y", None, 2]
    assert all("error" in o for o in out[1:7])
    assert out[7] == {"id": 2, "masked": "", "entities": []}
    assert not any(
        "0701234567" in o.get("error", "") or "8112289874" in o.get("error", "") for o in out
    )


@pytest.mark.parametrize("batch_size", [1, 16])
def test_order_and_ids_are_preserved_for_many_lines(masker: PiiMasker, batch_size: int) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": f"ring 070-123 45 {i:02d}"}) for i in range(50)]
    out = run(lines, masker, batch_size)
    assert [o["id"] for o in out] == [f"r{i}" for i in range(50)]
    assert all(o["masked"] == "ring <PHONE>" for o in out)
