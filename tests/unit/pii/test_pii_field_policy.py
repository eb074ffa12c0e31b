"""Schema-aware masking: person fields, machine-written text, and the assistant's own name."""

from __future__ import annotations

import pytest

from pipelines.pii import PiiMasker
from pipelines.pii.masking import render
from pipelines.pii.person_fields import machine_text_entities


@pytest.fixture(scope="module")
def masker() -> PiiMasker:
    return PiiMasker()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring upp Alice", "ring upp <PERSON>"),
        ("skicka sms till alice att jag är sen", "skicka sms till <PERSON> att jag är sen"),
        ("boka möte med Alice imorgon", "boka möte med <PERSON> imorgon"),
        ("ring Alices mamma", "ring <PERSON> mamma"),
        ("Alice, ring Britt", "Alice, ring <PERSON>"),
        ("hej Alice vad är klockan", "hej Alice vad är klockan"),
        ("tack Alice", "tack Alice"),
        ("alice tänd lampan i köket", "alice tänd lampan i köket"),
    ],
)
def test_the_assistant_name_is_kept_only_where_it_addresses_the_assistant(
    masker: PiiMasker, text: str, expected: str
) -> None:
    assert masker.mask(text)[0] == expected
    # the reference path (presidio on every recognizer) agrees with the routed one
    assert masker.analyze_plain(text) == masker.analyze(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Klara Lindqvist ringde", "<PERSON> ringde"),
        ("ring Alice Andersson", "ring <PERSON>"),
        ("<FULLNAME> Lind om rapporten", "<PERSON> om rapporten"),
    ],
)
def test_full_names_are_masked_whole(masker: PiiMasker, text: str, expected: str) -> None:
    assert masker.mask(text)[0] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"to": "Britt"}, {"to": "<PERSON>"}),
        ({"contact": "Klara"}, {"contact": "<PERSON>"}),
        ({"contact": "Alice"}, {"contact": "<PERSON>"}),
        ({"recipient": "Klara Lindqvist"}, {"recipient": "<PERSON>"}),
        ({"with": "per holm"}, {"with": "<PERSON>"}),
        ({"contact": "mamma"}, {"contact": "mamma"}),
        ({"to": "vårdcentralen"}, {"to": "vårdcentralen"}),
        ({"intent": "music.control", "alternatives": [{"intent": "call.make"}]},
         {"intent": "music.control", "alternatives": [{"intent": "call.make"}]}),
        ({"error": "recipient unknown: britt"}, {"error": "recipient unknown: <PERSON>"}),
        ({"error": "tool music.control failed: invalid arguments"},
         {"error": "tool music.control failed: invalid arguments"}),
    ],
)  # fmt: skip
def test_structured_fields_follow_the_field_policy(
    masker: PiiMasker, value: dict[str, object], expected: dict[str, object]
) -> None:
    assert masker.mask_json(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tool music.control failed: invalid arguments",
         "tool music.control failed: invalid arguments"),
        ("invalid arguments", "invalid arguments"),
        ("timeout after 3000 ms", "timeout after 3000 ms"),
        ("recipient unknown: britt", "recipient unknown: <PERSON>"),
        ("SMS to: Britt Holm, status=failed", "SMS to: <PERSON>, status=failed"),
        ("contact not found: sigvard hjelmqvist", "contact not found: <PERSON>"),
        ("no answer from per holm", "no answer from <PERSON>"),
        ("user: mamma", "user: mamma"),
    ],
)  # fmt: skip
def test_machine_written_text(masker: PiiMasker, text: str, expected: str) -> None:
    entities = machine_text_entities(text, masker.analyze(text))
    assert render(text, entities, "placeholder", None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slå en signal till karl", "slå en signal till <PERSON>"),
        ("boka ett fika med per imorgon kl 21", "boka ett fika med <PERSON> imorgon kl 21"),
        ("flytta mötet med per holm", "flytta mötet med <PERSON>"),
        ("fika med anna och erik", "fika med <PERSON> och <PERSON>"),
        ("ring bo", "ring <PERSON>"),
        ("boka möte med per telefon", "boka möte med per telefon"),
        ("lunch med hans chef", "lunch med hans chef"),
        ("ring mamma", "ring mamma"),
        ("påminn mig om tvätten", "påminn mig om tvätten"),
        ("skriv till anna@example.org", "skriv till <EMAIL>"),
        ("skicka paketet till britt", "skicka paketet till <PERSON>"),
        ("swisha 200 kr till björn imorgon", "swisha 200 kr till <PERSON> imorgon"),
        ("skicka paketet till malmö", "skicka paketet till malmö"),
        ("skicka en hälsning till hans fru", "skicka en hälsning till hans fru"),
    ],
)
def test_a_first_name_after_a_contact_phrase(masker: PiiMasker, text: str, expected: str) -> None:
    assert masker.mask(text)[0] == expected
    assert masker.analyze_plain(text) == masker.analyze(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"destination": "avenyn 75"}, {"destination": "<ADDRESS>"}),
        ({"destination": "Stora Gatan 47B"}, {"destination": "<ADDRESS>"}),
        ({"address": "Rydsvägen 214, 584 31 Linköping"}, {"address": "<ADDRESS>"}),
        ({"destination": "Stockholm"}, {"destination": "Stockholm"}),
        ({"destination": "Terminal 5"}, {"destination": "Terminal 5"}),
        ({"room": "rum 12"}, {"room": "rum 12"}),
    ],
)
def test_place_fields_with_a_house_number_are_addresses(
    masker: PiiMasker, value: dict[str, object], expected: dict[str, object]
) -> None:
    assert masker.mask_json(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hur kommer jag till avenyn 75", "hur kommer jag till <ADDRESS>"),
        ("Till Stora Gatan 47B tar det ungefär 22 minuter med bil.",
         "Till <ADDRESS> tar det ungefär 22 minuter med bil."),
        ("Till kapitel 3 tar det en timme", "Till kapitel 3 tar det en timme"),
        ("hur lång tid tar det att åka till Malmö 3", "hur lång tid tar det att åka till Malmö 3"),
    ],
)  # fmt: skip
def test_addresses_after_a_way_question(masker: PiiMasker, text: str, expected: str) -> None:
    assert masker.mask(text)[0] == expected
