"""Swedish pattern recognizers: checksums, formats, and what must never be masked."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from pipelines.pii.engine import PiiAnalyzer
from pipelines.pii.recognizers import build_swedish_recognizers
from pipelines.pii.recognizers_contact import SE_NUMBER_PATTERNS, se_national_number_ok
from pipelines.pii.recognizers_ids import personnummer_ok

CORPORA = Path(__file__).resolve().parents[3].parent / "shared" / "corpora"
CASES = Path(__file__).resolve().parent / "data" / "pii_cases_sv.jsonl"


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return PiiAnalyzer(use_person_model=False)


def found(analyzer: PiiAnalyzer, text: str) -> list[tuple[str, str]]:
    return [(text[e.start : e.end], e.type) for e in analyzer.analyze(text)]


def _pnr_rows() -> list[dict]:
    path = CORPORA / "personnummer_cases.jsonl"
    if not path.exists():
        pytest.skip("shared corpora not available")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    # every hand-made row (list/interim, all four formats) plus a deterministic 1-in-40
    # sample of Skatteverket's test numbers (the eval runs all 43k)
    return [r for i, r in enumerate(rows) if "all" not in r["case_id"] or i % 40 == 0]


def _check_digit_typo_row(raw: str) -> bool:
    """Test-side reading of issue #13: an invalid row with a real past birth date (day - 60
    for a samordningsnummer) and an issuable serial is wrong only in its check digit."""
    shape = re.fullmatch(r"(\d\d)?(\d\d)(\d\d)(\d\d)[-+]?(\d{3})\d", raw)
    if shape is None or shape.group(5) == "000":
        return False
    century, yy, mm, dd = shape.group(1), int(shape.group(2)), int(shape.group(3)), shape.group(4)
    this_year = dt.date.today().year % 100
    year = int(century) * 100 + yy if century else (1900 if yy > this_year else 2000) + yy
    try:
        born = dt.date(year, mm, int(dd) % 60 if int(dd) > 60 else int(dd))
    except ValueError:
        return False
    return born <= dt.date.today()


def test_personnummer_cases_valid_masked_invalid_not_reported(analyzer: PiiAnalyzer) -> None:
    """Valid rows and (since issue #13) rows wrong only in their check digit are masked as
    PERSONNUMMER; the other invalid rows (serial 000, no interim letter, spaced) are not."""
    rows = _pnr_rows()
    texts = [f"Mitt personnummer är {r['text']}, tack." for r in rows]
    typos = 0
    for row, text, entities in zip(rows, texts, analyzer.analyze_many(texts), strict=True):
        start = text.index(row["text"])
        span = (start, start + len(row["text"]))
        types = {e.type for e in entities if e.start <= span[0] and e.end >= span[1]}
        typo = not row["valid"] and _check_digit_typo_row(row["text"])
        typos += typo
        if row["valid"] or typo:
            assert "PERSONNUMMER" in types, row["case_id"]
        else:
            assert all(e.type != "PERSONNUMMER" for e in entities), row["case_id"]
    assert typos == 16  # 4 numbers (2 personnummer, 2 samordningsnummer) x 4 formats


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("pnr 811228-9875", "811228-9875"),  # 9874 is right
        ("personnummer 8112289875", "8112289875"),
        ("mitt pnr är 19811228-9873 tror jag", "19811228-9873"),
        ("samordningsnummer 730288-9932", "730288-9932"),  # day 88 = 28th + 60
        ("pnr 811245-9875", None),  # day 45 exists in no month
        ("pnr 810230-1235", None),  # 30 February
        ("pnr 811328-9875", None),  # month 13
        ("pnr 150916-0006", None),  # serial 000 is never issued
        ("pnr 20991228-9875", None),  # born in the future
        ("kundnummer 1234567890", None),  # month 56
    ],
)
def test_personnummer_with_wrong_check_digit(
    analyzer: PiiAnalyzer, text: str, number: str | None
) -> None:
    assert found(analyzer, text) == ([(number, "PERSONNUMMER")] if number else []), text


def test_wrong_check_digit_mobile_number_stays_phone(analyzer: PiiAnalyzer) -> None:
    # 0701234567 reads as 2007-01-23 with a wrong check digit: PHONE names it.
    assert found(analyzer, "ring 0701234567") == [("0701234567", "PHONE")]


@pytest.mark.parametrize(
    ("parts", "valid"),
    [
        (("19", "81", "12", "28", "-", "987", "4"), True),
        ((None, "81", "12", "28", "", "987", "4"), True),
        ((None, "81", "12", "28", "", "987", "5"), False),  # checksum
        ((None, "15", "09", "16", "-", "000", "6"), False),  # serial 000 is never issued
        (("19", "73", "02", "88", "-", "993", "1"), True),  # samordningsnummer, day + 60
        (("19", "15", "00", "72", "", "239", "0"), True),  # samordningsnummer, month 00
        (("20", "00", "01", "01", "-", "T22", "0"), True),  # interim number
        (("20", "00", "01", "01", "-", "E22", "1"), False),  # E is no interim letter
        ((None, "00", "02", "29", "-", "239", "9"), True),  # 2000-02-29
        ((None, "00", "02", "29", "+", "239", "9"), False),  # "+": born 1900, no leap year
    ],
)
def test_personnummer_validation(parts: tuple, valid: bool) -> None:
    assert personnummer_ok(*parts) is valid


def _phone_examples() -> list[str]:
    path = CORPORA / "se_phone_metadata.json"
    if not path.exists():
        pytest.skip("shared corpora not available")
    meta = json.loads(path.read_text(encoding="utf-8"))
    forms = []
    for kind in meta["number_types"].values():
        nsn = kind.get("exampleNumber")
        if not nsn:
            continue
        groups: tuple[str, ...] = (nsn,)
        for rule in meta["availableFormats"]:
            match = re.fullmatch(rule["pattern"], nsn)
            if match and any(re.match(lead, nsn) for lead in rule["leadingDigits"]):
                groups = match.groups()
                break
        first, rest = groups[0], groups[1:]
        forms += [
            "0" + nsn,
            f"0{first}-{''.join(rest)}",
            f"0{first}-{' '.join(rest)}",
            "0" + " ".join(groups),
            "+46" + nsn,
            "+46 " + " ".join(groups),
            "0046 " + " ".join(groups),
            f"+46 (0){first}-{' '.join(rest)}",
        ]
    return forms


def test_every_swedish_example_number_in_every_format_is_phone(analyzer: PiiAnalyzer) -> None:
    for number in _phone_examples():
        text = f"ring mig på {number} efter lunch"
        assert found(analyzer, text) == [(number, "PHONE")], number


def test_phone_patterns_match_the_shared_metadata() -> None:
    path = CORPORA / "se_phone_metadata.json"
    if not path.exists():
        pytest.skip("shared corpora not available")
    meta = json.loads(path.read_text(encoding="utf-8"))["number_types"]
    for kind, pattern in SE_NUMBER_PATTERNS.items():
        assert meta[kind]["nationalNumberPattern"] == pattern, kind
    assert se_national_number_ok("701234567")
    assert not se_national_number_ok("12")


@pytest.mark.parametrize(
    "text",
    [
        "Skapa ett möte 2025-09-01 kl 10:00",
        "väck mig kl 06.30 imorgon och kl 0715 på fredag",
        "butiken har öppet 0900-1700 på lördag",
        "mötet är 14:00-15:30 i rum 4012",
        "händelsen loggades 2025-09-01T10:00:00+02:00",
        "boka bord för 4 personer 19:30 den 12/9 eller 01-02-2025",
        "ring 112 om det brinner eller 1177 för vården",
        "det var 1 299 000 kronor för huset, 20250901",
        "version 1.2.3 och temperaturen 21.5 grader",
        "han kör en BMW 320 och flyger SAS 123",
        "ta vänster vid motorvägen 3 km fram",
        "kundnummer 150916-0006 och ordernummer 4111 1111 1111 1112",
        "ta E4 norrut i 120 km/h, klockan 10:05:30",
    ],
)
def test_dates_times_and_numbers_are_not_masked(analyzer: PiiAnalyzer, text: str) -> None:
    assert found(analyzer, text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Avenyn 72", "Avenyn 72"),
        ("Esplanaden 48B", "Esplanaden 48B"),
        ("Vägbeskrivning till Esplanaden 48B", "Esplanaden 48B"),
        ("Kungsportsavenyn 3", "Kungsportsavenyn 3"),
        ("jag bor på Avenyn 72, 411 36 Göteborg", "Avenyn 72, 411 36 Göteborg"),
        ("kör till Stureplan 4", "Stureplan 4"),
        ("bor på Kungsholms strand 12", "Kungsholms strand 12"),
        ("adressen är Järntorget 7 C", "Järntorget 7 C"),
        ("vägbeskrivning till esplanaden 48b", "esplanaden 48b"),  # ASR, after a cue
        ("hämta mig på Hantverkargatan 5", "Hantverkargatan 5"),
    ],
)
def test_street_addresses_without_suffix_word(
    analyzer: PiiAnalyzer, text: str, address: str
) -> None:
    assert found(analyzer, text) == [(address, "ADDRESS")]


@pytest.mark.parametrize(
    "text",
    [
        "läs kapitel 3",
        "Kapitel 3 handlar om Avenyn",
        "vi ses i rum 12",
        "Rum 12 är bokat",
        "ta buss 55 till Avenyn",
        "spela låt nummer 4",
        "han kör en Volvo 240",
        "kör till Volvo 240",
        "köp en iPhone 15",
        "navigera till Terminal 5",
        "navigera till Gate 12",
        "kör till jobbet 10 minuter",
        "åk till Göteborg 3 timmar",
        "åk till Malmö 2025",
        "ta mig till Arlanda 5",
        "vägbeskrivning till Ikea 14:30",
        "flytta mötet till Fredag 3",
        "kör till gatan 3",
        "navigera till motorvägen 3",
        "esplanaden 4 gånger",
        "Avenyn 72 kr",
        "Storgatan 3 km bort",
        "vägbeskrivning till Avenyn",
    ],
)
def test_numbers_after_words_are_no_address(analyzer: PiiAnalyzer, text: str) -> None:
    assert found(analyzer, text) == [], text


def test_hand_written_cases_without_persons(analyzer: PiiAnalyzer) -> None:
    for line in CASES.open(encoding="utf-8"):
        case = json.loads(line)
        expected = sorted((value, kind) for value, kind in case["pii"] if kind != "PERSON")
        if any(kind == "PERSON" for _, kind in case["pii"]):
            continue  # person names are covered by test_pii_persons.py
        assert sorted(found(analyzer, case["text"])) == expected, case["id"]


def test_triggers_are_necessary_conditions() -> None:
    """Whenever a recognizer fires, its trigger and gate fire too (the fast path relies on it)."""
    texts = [json.loads(line)["text"] for line in CASES.open(encoding="utf-8")]
    texts += [f"ring {n} nu" for n in _phone_examples()]
    texts += [
        "+47 912 34 567",
        "fe80::1ff:fe23:4567:890a",
        "SE-41105",
        "ABC-123",
        "kontonr: 1234 567890",
        "Avenyn 72",
        "Esplanaden 48B",
        "vägbeskrivning till esplanaden 48b",
        "bor på Kungsholms strand 12",
        "Besöksadress: Stureplan 4",
        "bostaden: Kungsholms strand 12",
        "HÄMTA MIG VID Stureplan 4",
        "adressen är Karl Johans gata 3",
    ]
    for recognizer in build_swedish_recognizers():
        gate = re.compile(recognizer.gate)
        for text in texts:
            if recognizer.analyze(text, [recognizer.entity]):
                assert recognizer.trigger.search(text), (type(recognizer).__name__, text)
                assert gate.search(text), (type(recognizer).__name__, text)


def test_no_us_recognizers_are_registered(analyzer: PiiAnalyzer) -> None:
    entities = set(analyzer.presidio.get_supported_entities("sv"))
    assert entities <= {
        "PERSON", "PERSONNUMMER", "PHONE", "EMAIL", "ADDRESS", "POSTCODE", "IBAN", "CARD",
        "PLATE", "IP", "ORGNR",
    }  # fmt: skip
    assert not any("US_" in e for e in entities)
