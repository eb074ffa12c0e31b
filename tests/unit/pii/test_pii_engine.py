"""The engine: overlap resolution, the routed fast path, allow-list, person fallback."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from presidio_analyzer import RecognizerResult

from pipelines.pii.engine import PiiAnalyzer, finalize
from pipelines.pii.entities import Entity, resolve_overlaps

CASES = Path(__file__).resolve().parent / "data" / "pii_cases_sv.jsonl"


@pytest.fixture(scope="module")
def patterns_only() -> PiiAnalyzer:
    return PiiAnalyzer(use_person_model=False)


@pytest.fixture(scope="module")
def full() -> PiiAnalyzer:
    return PiiAnalyzer()


def _mix(seed: int = 3, count: int = 400) -> list[str]:
    """Assistant-like texts: the hand-written cases, recombined, plus PII-free commands."""
    cases = [json.loads(line)["text"] for line in CASES.open(encoding="utf-8")]
    plain = [
        "sätt en timer på 10 minuter",
        "vad blir vädret i Göteborg imorgon",
        "spela lite jazz",
        "boka möte kl 14:30 på fredag",
        "lägg till mjölk på listan",
        "God morgon Alice",
        "",
    ]
    rng = random.Random(seed)
    texts = cases + plain
    for _ in range(count):
        texts.append(f"{rng.choice(plain)} och {rng.choice(cases)}")
    return texts


def test_resolve_overlaps_merges_and_is_order_independent() -> None:
    candidates = [
        Entity(10, 20, "POSTCODE", 0.85),
        Entity(0, 30, "ADDRESS", 0.85),
        Entity(40, 45, "PERSON", 0.9),
        Entity(43, 60, "EMAIL", 1.0),
        Entity(70, 75, "PHONE", 0.9),
    ]
    expected = [
        Entity(0, 30, "ADDRESS", 0.85),
        Entity(40, 60, "EMAIL", 1.0),  # union of the overlap, the validated type wins
        Entity(70, 75, "PHONE", 0.9),
    ]
    assert resolve_overlaps(candidates) == expected
    assert resolve_overlaps(list(reversed(candidates))) == expected


def test_validated_identifier_keeps_its_type_inside_a_wider_guess() -> None:
    candidates = [Entity(0, 27, "PERSON", 0.75), Entity(5, 27, "IBAN", 1.0)]
    assert resolve_overlaps(candidates) == [Entity(0, 27, "IBAN", 1.0)]


def test_repeated_value_is_masked_everywhere() -> None:
    text = "Erik sa att Erik och Eriksson kommer"
    result = RecognizerResult("PERSON", 0, 4, 0.9)
    assert finalize(text, [result]) == [
        Entity(0, 4, "PERSON", 0.9),
        Entity(12, 16, "PERSON", 0.9),  # word-bounded: "Eriksson" untouched
    ]


@pytest.mark.parametrize("fixture", ["patterns_only", "full"])
def test_fast_path_output_equals_plain_presidio(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    analyzer: PiiAnalyzer = request.getfixturevalue(fixture)
    texts = _mix()
    plain = [analyzer.analyze_plain(t) for t in texts]
    assert [analyzer.analyze(t) for t in texts] == plain
    assert analyzer.analyze_many(texts) == plain
    assert sum(1 for found in plain if found) > len(texts) // 2


def test_texts_without_candidates_skip_all_recognizers(patterns_only: PiiAnalyzer) -> None:
    assert patterns_only.entities_to_check("spela lite jazz i köket") == []
    assert patterns_only.entities_to_check("ring 070-123 45 67") == ["PHONE"]
    assert set(patterns_only.entities_to_check("mejla a@b.se eller 811228-9874")) >= {
        "EMAIL",
        "PERSONNUMMER",
    }


def test_analyze_many_handles_none_empty_and_duplicates(patterns_only: PiiAnalyzer) -> None:
    out = patterns_only.analyze_many([None, "", "ring 0701234567", "ring 0701234567"])
    assert out[0] == [] and out[1] == []
    assert out[2] == out[3] == [Entity(5, 15, "PHONE", 0.9)]
    out[2].clear()  # results are independent lists
    assert out[3] != []


def test_allow_list_is_exact_and_case_variants() -> None:
    analyzer = PiiAnalyzer(allow_list=("anna@example.org",), use_person_model=False)
    assert analyzer.analyze("skriv till anna@example.org") == []
    assert analyzer.analyze("skriv till ANNA@EXAMPLE.ORG") == []
    assert [e.type for e in analyzer.analyze("skriv till bo@example.org")] == ["EMAIL"]


def test_person_support_is_used_when_available(full: PiiAnalyzer) -> None:
    try:
        import pipelines.pii.persons  # noqa: F401
    except ModuleNotFoundError:
        assert not full.has_person_recognizers
        return
    assert full.has_person_recognizers
    assert "PERSON" in full.presidio.get_supported_entities("sv")


def test_entities_are_sorted_disjoint_python_offsets(full: PiiAnalyzer) -> None:
    text = "Hej! Ring Åsa på +46 70 123 45 67 och mejla åsa@exempel.se 🙂 2025-09-01"
    entities = full.analyze(text)
    assert [text[e.start : e.end] for e in entities if e.type != "PERSON"] == [
        "+46 70 123 45 67",
        "åsa@exempel.se",
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(entities))


def test_engine_works_without_the_person_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until persons.py exists (or if it is removed) the engine runs patterns only."""
    import sys

    monkeypatch.setitem(sys.modules, "pipelines.pii.persons", None)
    analyzer = PiiAnalyzer()
    assert not analyzer.has_person_recognizers
    assert [e.type for e in analyzer.analyze("ring Erik på 0701234567")] == ["PHONE"]
