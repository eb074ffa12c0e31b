"""Person names in news prose that only a rule can see (issue #13, rounds recall4 and recall5):
the rules alone (no model), with invented names no list knows, so each test fails without its
rule."""

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bollen smet in bakom Atalanta-målvakten Qorvetti i första halvlek.", ["Qorvetti"]),
        ("Det var landslagsanfallaren Zubrakk som avgjorde matchen.", ["Zubrakk"]),
        ("det var landslagsanfallaren zubrakk som avgjorde matchen i går.", ["zubrakk"]),
        ("Enligt chefsåklagaren Wqxtorr Blomfeld saknas bevis.", ["Wqxtorr Blomfeld"]),
    ],
)
def test_unknown_name_after_a_compound_title(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected


def test_a_nationality_ending_makes_no_title(rules_only: PersonDetector) -> None:
    # "toaletten" ends in "letten" (a Latvian), but is no person noun
    assert found(rules_only, "Vi väntade länge utanför toaletten Qorvetti i parken.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Segermålet gjorde Zambias Qorvetti Zubrakk i förlängningen.", ["Qorvetti Zubrakk"]),
        ("I finalen sköt Tunisiens Qorvetti över.", ["Qorvetti"]),
    ],
)
def test_unknown_name_after_a_place_genitive(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Han har länge lett Sveriges Socialchefer.",
        "Ordföranden i Danmarks Blindebibliotek avgår.",
        "Programmet sänds i Sveriges Radio i kväll.",
    ],
)
def test_a_compound_after_a_place_genitive_is_no_name(
    rules_only: PersonDetector, text: str
) -> None:
    assert found(rules_only, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("– Det började lite dumt, säger von Qorvetti och ler.", ["von Qorvetti"]),
        ("Hon slogs med en halv sekund av van der Zubrakk.", ["van der Zubrakk"]),
    ],
)
def test_a_particle_before_an_unknown_surname(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KARIN QORVETTI professor och ERIK ZUBRAKK läkare", ["KARIN QORVETTI", "ERIK ZUBRAKK"]),
    ],
)
def test_an_unlisted_surname_in_an_all_caps_signature(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected


def test_an_acronym_after_an_all_caps_first_name_stays(rules_only: PersonDetector) -> None:
    assert found(rules_only, "HEJ ERIK NASA ringer") == ["ERIK"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reservationen skrevs av Lars E O Qorvetti och två andra.", ["Lars E O Qorvetti"]),
        ("Vi läser författaren C G Lindqvist i kursen.", ["C G Lindqvist"]),
    ],
)
def test_initials_inside_a_name(rules_only: PersonDetector, text: str, expected: list[str]) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qorvman anlände senare då han kallats in efter larmet.", ["Qorvman"]),
        ("Efter matchen tackade Zubrakman publiken.", ["Zubrakman"]),
    ],
)
def test_man_surname_shape(rules_only: PersonDetector, text: str, expected: list[str]) -> None:
    assert found(rules_only, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pressombudsman på förbundet är numera en jurist.",
        "Prissumman delas lika mellan de tre vinnarna.",
    ],
)
def test_ordinary_words_in_man_are_no_surnames(rules_only: PersonDetector, text: str) -> None:
    assert found(rules_only, text) == []


def test_unknown_name_after_a_past_reporting_verb(rules_only: PersonDetector) -> None:
    text = "”Annonser är ingen tidning”, skrev Qorvetti också i sin blogg."
    assert found(rules_only, text) == ["Qorvetti"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Han kan nu kalla sig Sir Qorvetti.", ["Sir Qorvetti"]),
        ("Boken skrevs av sir Qorvetti Zubrakk.", ["Qorvetti Zubrakk"]),
    ],
)
def test_an_honorific_before_a_name(
    rules_only: PersonDetector, text: str, expected: list[str]
) -> None:
    assert found(rules_only, text) == expected
