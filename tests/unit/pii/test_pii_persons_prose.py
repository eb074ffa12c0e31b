"""Person names in news prose that only a rule can see (issue #13, branch recall4): the
rules alone (no model), with names no list knows, so each test fails without its rule."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from pipelines.pii.persons import PersonDetector


@pytest.fixture(scope="module")
def rules_only() -> PersonDetector:
    return PersonDetector(use_model=False, cache_size=0)


def found(detector: PersonDetector, text: str) -> list[str]:
    return [text[span.start : span.end] for span in detector.detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Matchen vanns till slut av argentinaren Zeballos.", ["Zeballos"]),
        ("Loppet vanns av finländaren Pörhönen före två svenskar.", ["Pörhönen"]),
        ("matchen vanns till slut av argentinaren zeballos.", ["zeballos"]),
        ("Efter tre åk ledde tyskan Wqxtorr Blomfeld.", ["Wqxtorr Blomfeld"]),
    ],
)
def test_unknown_name_after_a_nationality_noun(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tahvanainen har vunnit de två senaste åren.", ["Tahvanainen"]),
        ("Det var Pörhönen som körde snabbast i går.", ["Pörhönen"]),
        ("Bakom honom kom Väätäläinen och en norrman.", ["Väätäläinen"]),
    ],
)
def test_finnish_surname_shape(rules_only: PersonDetector, text: str, expected: list[str]) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kaffemaskinen på kontoret gick sönder i går.",
        "Oppositionen röstade nej till förslaget.",
        "Amerikanen vann loppet i fjol.",
        "Planen är att bygga klart till sommaren.",
        "Decemberlönen betalas ut före jul.",
    ],
)
def test_definite_nouns_are_no_finnish_surnames(rules_only: PersonDetector, text: str) -> None:
    assert found(rules_only, text) == []


def test_a_place_between_a_first_name_and_an_unknown_word_is_a_middle_name(
    rules_only: PersonDetector,
) -> None:
    text = "Norrmannen Aksel Lund Qvzindal, som leder cupen, blev tvåa."
    assert found(rules_only, text) == ["Aksel Lund Qvzindal"]
    assert found(rules_only, "Sedan åkte Aksel till Lund i går.") == ["Aksel"]
    # a first name that is also a word ("karl"), capitalised inside a sentence
    text = "Det sade den tyske läkaren Karl Lund Qvzindal i går."
    assert found(rules_only, text) == ["Karl Lund Qvzindal"]
