"""Masking: placeholders, surrogates, nested JSON, the cached masker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.pii import PiiMasker, SurrogateMap, get_masker
from pipelines.pii.audit import scan_text

CASES = Path(__file__).resolve().parent / "data" / "pii_cases_sv.jsonl"
TEXTS = [json.loads(line)["text"] for line in CASES.open(encoding="utf-8")]


@pytest.fixture(scope="module")
def masker() -> PiiMasker:
    return PiiMasker(use_person_model=False)


def test_placeholders_replace_every_entity(masker: PiiMasker) -> None:
    masked, entities = masker.mask("ring 070-123 45 67 eller mejla anna@firma.se")
    assert masked == "ring <PHONE> eller mejla <EMAIL>"
    assert [(e.start, e.end, e.type) for e in entities] == [(5, 18, "PHONE"), (31, 44, "EMAIL")]


@pytest.mark.parametrize("mode", ["placeholder", "surrogate"])
def test_masked_text_never_contains_an_entity_raw_text(masker: PiiMasker, mode: str) -> None:
    for text, (masked, entities) in zip(TEXTS, masker.mask_many(TEXTS, mode=mode), strict=True):
        assert masked is not None
        for entity in entities:
            assert text[entity.start : entity.end] not in masked, (mode, text)


@pytest.mark.parametrize("mode", ["placeholder", "surrogate"])
def test_masked_output_passes_the_audit(masker: PiiMasker, mode: str) -> None:
    for masked, _ in masker.mask_many(TEXTS, mode=mode):
        assert masked is not None
        assert not [f for f in scan_text(masked) if f.blocking], (mode, masked)


def test_surrogates_are_consistent_within_a_conversation(masker: PiiMasker) -> None:
    conversation = SurrogateMap(scope="conv-1")
    turns = [
        "ring 070-123 45 67",
        "nej, ring +46 70 123 45 67 istället",  # the same number, other format
        "och sen 08-555 123 45",
    ]
    masked = [m or "" for m, _ in masker.mask_many(turns, "surrogate", conversation)]
    fake_1 = masked[0].removeprefix("ring ")
    assert fake_1.startswith("070-174 06 ")  # PTS range reserved for fiction
    assert masked[1] == "nej, ring +46 70 174 06 " + fake_1[-2:] + " istället"
    other = masked[2].removeprefix("och sen ")
    assert other.startswith("070-174 06 ") and other != fake_1  # another number, another fake
    again = [m for m, _ in masker.mask_many(turns, "surrogate", SurrogateMap(scope="conv-1"))]
    assert again == masked  # deterministic for a scope


def test_surrogate_mode_without_map_still_masks(masker: PiiMasker) -> None:
    masked, entities = masker.mask("pnr 811228-9874", mode="surrogate")
    assert entities and "811228-9874" not in masked
    assert masked.startswith("pnr ") and len(masked) == len("pnr 811228-9874")


def test_mask_json_masks_values_recursively_and_keeps_keys(masker: PiiMasker) -> None:
    args = {
        "070-123 45 67": "key stays",
        "contact": {"phone": "070-123 45 67", "emails": ["a@firma.se", "ingen"]},
        "pnr": 198112289874,
        "mobile": 46701234567,
        "count": 3,
        "flag": True,
        "none": None,
        "timestamp": 1735689600,
    }
    assert masker.mask_json(args) == {
        "070-123 45 67": "key stays",
        "contact": {"phone": "<PHONE>", "emails": ["<EMAIL>", "ingen"]},
        "pnr": "<PERSONNUMMER>",
        "mobile": "<PHONE>",
        "count": 3,
        "flag": True,
        "none": None,
        "timestamp": 1735689600,
    }


def test_one_analysis_renders_many_documents_like_mask_json(masker: PiiMasker) -> None:
    docs = [
        {"contact": "Anna Svensson", "phone": "070-123 45 67", "n": 46701234567},
        {"to": ["anna@example.se", "ring 08-123 456 78"], "same": "070-123 45 67"},
        "plain text",
    ]
    found = masker.analyze_json(docs)
    for doc in docs:
        assert masker.render_json(doc, found) == masker.mask_json(doc)
    smap = SurrogateMap(scope="s")
    once = [masker.render_json(d, found, "surrogate", smap) for d in docs]
    assert once[0]["phone"] == once[1]["same"]  # one fake number per real one
    assert "070-123 45 67" not in json.dumps(once, ensure_ascii=False)
    with pytest.raises(ValueError, match="unknown mask mode"):
        masker.render_json(docs[0], found, "nope")


def test_both_renderings_in_one_walk_equal_two_walks_and_draw_the_same_surrogates(
    masker: PiiMasker,
) -> None:
    """``render_json_both`` is the placeholder walk and the surrogate walk at once: the same
    values, the same fakes drawn in the same order (a session's map stays what two walks
    leave), and an unmasked subtree is one shared object for both."""
    docs = [
        {"contact": "Anna Svensson", "phone": "070-123 45 67", "n": 46701234567, "k": 3},
        {"to": ["anna@example.se", "ring 08-123 456 78"], "same": "070-123 45 67"},
        {"date": "imorgon", "nested": {"list": ["hej", 1, None, True]}},
        ["Anna Svensson", {"attendees": ["Per Olsson", "teamet"]}],
        "plain text",
        12,
    ]
    found = masker.analyze_json(docs)
    two, one = SurrogateMap(scope="s", key=b"k" * 32), SurrogateMap(scope="s", key=b"k" * 32)
    for doc in docs:
        plain, fake = masker.render_json_both(doc, found, one)
        assert plain == masker.render_json(doc, found)
        assert fake == masker.render_json(doc, found, "surrogate", two)
    assert vars(one) == vars(two)  # the same fakes, drawn in the same order
    plain, fake = masker.render_json_both(docs[2], found, one)
    assert plain is fake  # nothing to mask: one object, serialised once
    plain, fake = masker.render_json_both(docs[0], found, one)
    assert plain is not fake and plain["k"] == fake["k"] == 3
    assert "Anna" not in json.dumps([plain, fake], ensure_ascii=False)


def test_mask_many_keeps_none_and_order(masker: PiiMasker) -> None:
    out = masker.mask_many([None, "hej", "ring 0701234567"])
    assert out == [(None, []), ("hej", []), ("ring <PHONE>", out[2][1])]


def test_unknown_mode_is_rejected(masker: PiiMasker) -> None:
    with pytest.raises(ValueError, match="mask mode"):
        masker.mask("ring 0701234567", mode="redact")


def test_get_masker_is_cached_per_configuration() -> None:
    first = get_masker(allow_list=("Alice",), use_person_model=False)
    assert get_masker(allow_list=["Alice"], use_person_model=False) is first
    assert get_masker(allow_list=("Bob",), use_person_model=False) is not first


def test_structured_fields_know_persons_from_labels() -> None:
    """A bare first name under a person key is a person; an intent label is not, and neither
    is a word inside a code identifier."""
    masker = get_masker()
    doc = {
        "args": {"to": "Britt", "with": ["Per", "Åsa Lind"], "room": "köket", "contact": "mamma"},
        "alternatives": [{"intent": "music.control", "confidence": 0.4}],
        "recipient": "Stockholm",
    }
    masked = masker.mask_json(doc)
    assert masked["args"] == {"to": "<PERSON>", "with": ["<PERSON>", "<PERSON>"],
                              "room": "köket", "contact": "mamma"}  # fmt: skip
    assert masked["alternatives"][0]["intent"] == "music.control"
    assert masked["recipient"] == "Stockholm"  # a place, not a person
    assert masker.mask("tool music.control failed")[0].startswith("tool music.control ")
    assert masker.mask("ring Anna.")[0] == "ring <PERSON>."
