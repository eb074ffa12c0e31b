"""Surrogates: realistic, consistent, and impossible to confuse with real data."""

from __future__ import annotations

import re

from pipelines.pii.audit import scan_text
from pipelines.pii.recognizers_base import iban_mod97_ok, luhn_ok
from pipelines.pii.surrogates import SurrogateMap


def test_same_value_same_fake_and_different_values_differ() -> None:
    fakes = SurrogateMap(scope="c1")
    first = fakes.fake("PERSON", "Erik")
    assert fakes.fake("PERSON", "Erik") == first
    assert fakes.fake("PERSON", "Anna") != first
    assert first != "Erik" and first.istitle()


def test_person_fakes_share_first_names_and_keep_case() -> None:
    fakes = SurrogateMap(scope="c2")
    full = fakes.fake("PERSON", "Anna Svensson")
    assert full.split()[0] == fakes.fake("PERSON", "Anna")
    assert fakes.fake("PERSON", "anna svensson") == full.lower()
    assert "Anna" not in full and "Svensson" not in full


def test_scope_and_key_change_the_mapping_deterministically() -> None:
    values = [f"070-123 45 {n:02d}" for n in range(10)]
    a = [SurrogateMap("c1").fake("PHONE", v) for v in values]
    assert a == [SurrogateMap("c1").fake("PHONE", v) for v in values]
    assert a != [SurrogateMap("c2").fake("PHONE", v) for v in values]
    assert a != [SurrogateMap("c1", key=b"other-key").fake("PHONE", v) for v in values]


def test_identifier_fakes_keep_format_but_fail_checksums() -> None:
    fakes = SurrogateMap("c3")
    pnr = fakes.fake("PERSONNUMMER", "19811228-9874")
    assert re.fullmatch(r"(19|20)\d{6}-\d{4}", pnr)
    assert not luhn_ok(re.sub(r"\D", "", pnr)[-10:])
    # and an impossible birth day: a real date with a wrong check digit reads as a typo of a
    # real number, which masker and audit treat as one (issue #13)
    assert 32 <= int(pnr[6:8]) <= 59
    short = fakes.fake("PERSONNUMMER", "8112289874")
    assert re.fullmatch(r"\d{10}", short)
    card = fakes.fake("CARD", "4111 1111 1111 1111")
    assert re.fullmatch(r"4\d{3} \d{4} \d{4} \d{4}", card)
    assert not luhn_ok(card.replace(" ", ""))
    iban = fakes.fake("IBAN", "SE45 5000 0000 0583 9825 7466")
    assert iban.startswith("SE") and not iban_mod97_ok(iban.replace(" ", ""))
    orgnr = fakes.fake("ORGNR", "556036-0793")
    assert re.fullmatch(r"556\d{3}-\d{4}", orgnr) and not luhn_ok(orgnr.replace("-", ""))


def test_contact_fakes_come_from_reserved_ranges() -> None:
    fakes = SurrogateMap("c4")
    assert fakes.fake("PHONE", "+46 70 123 45 67").startswith("+46 70 174 06 ")
    assert fakes.fake("EMAIL", "anna@firma.se").endswith("@example.com")
    assert re.fullmatch(r"(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+", fakes.fake("IP", "10.0.0.1"))
    assert fakes.fake("IP", "fe80::1").startswith("2001:db8::")


def test_place_fakes_look_swedish() -> None:
    fakes = SurrogateMap("c5")
    assert re.fullmatch(
        r"\w+ \d+, \d{3} \d{2} \w+", fakes.fake("ADDRESS", "Sveavägen 44, 113 50 Stockholm")
    )
    assert re.fullmatch(r"\d{3} \d{2} \w+", fakes.fake("ADDRESS", "411 05 Göteborg"))
    assert re.fullmatch(r"[1-9]\d{2} \d{2}", fakes.fake("POSTCODE", "113 50"))
    assert re.fullmatch(
        r"[A-HJ-PR-UW-Z]{3} \d{2}[0-9A-HJ-NPR-UW-Z]", fakes.fake("PLATE", "ABC 123")
    )


def test_fakes_never_trip_the_audit() -> None:
    fakes = SurrogateMap("c6")
    raw = {
        "PERSONNUMMER": ["811228-9874", "198112289874", "090527+1474"],
        "PHONE": ["070-123 45 67", "+46 8 123 456 78", "0046 31 12 34 56"],
        "EMAIL": ["anna@firma.se"],
        "CARD": ["4111 1111 1111 1111", "5555555555554444"],
        "IBAN": ["SE45 5000 0000 0583 9825 7466", "DE89370400440532013000"],
    }
    for kind, values in raw.items():
        for value in values:
            assert scan_text(value), value  # the audit does see the real value ...
            fake = fakes.fake(kind, value)
            assert not [f for f in scan_text(f"värde: {fake}") if f.blocking], (
                fake
            )  # ... not the fake


def test_short_names_get_a_pool_name_that_does_not_contain_them() -> None:
    """A fake never holds the raw name, and is a pool name the audit recognises as one."""
    from pipelines.pii.audit_fields import name_like

    smap = SurrogateMap(scope="s", key=b"k" * 32)
    for raw in ("li", "Li", "an", "per", "jo", "Li Wu", "Ann", "ek"):
        fake = smap.fake("PERSON", raw)
        assert raw.casefold() not in fake.casefold(), (raw, fake)
        assert not name_like(fake, surrogate=True), (raw, fake)
