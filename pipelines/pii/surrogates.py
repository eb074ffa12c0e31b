"""Consistent, realistic fake Swedish values, so masked dialogues stay coherent.

Within one ``SurrogateMap`` (one conversation) the same raw value always becomes the
same fake ("Erik" -> "Johan" in every turn), different values become different fakes,
and the choice is a keyed hash of (scope, type, value) so re-running a partition gives
the same output. Fakes are built so that they can never be somebody's real data:
identifiers fail their checksum (no person, card or account can have them), phone
numbers come from PTS's range reserved for fiction (070-174 06 05 ... 99), e-mail uses
the reserved example.com domain and IP addresses the documentation ranges. That is
also what lets the strict audit pass over surrogate-masked data.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re

FIRST_NAMES = (
    "Johan", "Karin", "Lars", "Eva", "Anders", "Maria", "Mikael", "Sara", "Per", "Lena",
    "Fredrik", "Emma", "Daniel", "Ingrid", "Henrik", "Sofia", "Magnus", "Elin", "Oskar",
    "Linnea", "Gustav", "Maja", "Viktor", "Hanna", "Nils", "Ebba", "Axel", "Klara",
)  # fmt: skip
SURNAMES = (
    "Lindqvist", "Bergström", "Holm", "Sandberg", "Nyström", "Lundgren", "Ek", "Wallin",
    "Forsberg", "Sjöberg", "Engström", "Björk", "Hedlund", "Dahl", "Strand", "Lindholm",
    "Åberg", "Norberg", "Hellström", "Blom", "Lund", "Falk", "Söderberg", "Berglund",
)  # fmt: skip
STREETS = (
    "Storgatan", "Kyrkogatan", "Skolgatan", "Parkvägen", "Björkvägen", "Ringvägen",
    "Torggatan", "Sjövägen", "Ekbacken", "Lindallén", "Åsvägen", "Hamngatan",
)  # fmt: skip
CITIES = ("Uppsala", "Västerås", "Örebro", "Linköping", "Lund", "Umeå", "Gävle", "Borås")
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"  # no I, Q, V as on Swedish plates
PLATE_LAST_LETTERS = "ABCDEFGHJKLMNPRSTUWXYZ"  # the new format never ends in O
FICTION_MOBILE_PREFIX = "7017406"  # PTS: 070-174 06 05 ... 070-174 06 99 are for fiction
RESERVED_EMAIL_DOMAIN = "example.com"
_ASCII = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")


def _normalise(entity_type: str, raw: str) -> str:
    """The identity of a value: "070-123 45 67" and "+46701234567" are one number."""
    if entity_type in ("PHONE", "PERSONNUMMER", "CARD", "ORGNR", "POSTCODE"):
        digits = re.sub(r"\D", "", raw)
        if entity_type == "PHONE" and digits.startswith("0046"):
            digits = "0" + digits[4:]
        elif entity_type == "PHONE" and raw.lstrip().startswith("+46"):
            digits = "0" + digits[2:]
        if entity_type == "PHONE" and digits.startswith("00"):
            digits = digits[1:]
        return digits[-10:] if entity_type == "PERSONNUMMER" else digits
    return re.sub(r"\s+", " ", raw).strip().casefold()


def _match_case(fake: str, raw: str) -> str:
    if raw.islower():
        return fake.lower()
    if raw.isupper() and len(raw) > 1:
        return fake.upper()
    return fake


def _digits_like(raw: str, rng: random.Random, keep_first: int = 0) -> str:
    """Same shape as ``raw`` (separators, letters kept) with fresh digits."""
    out: list[str] = []
    kept = 0
    for char in raw:
        if char.isdigit():
            out.append(char if kept < keep_first else str(rng.randrange(10)))
            kept += 1
        else:
            out.append(char)
    return "".join(out)


def _luhn_sum_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _break_last_digit(value: str, still_valid: object) -> str:
    """Change the last digit until ``still_valid(value)`` is False (fails the checksum)."""
    assert callable(still_valid)
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not positions:
        return value
    last = positions[-1]
    for step in range(10):
        candidate = value[:last] + str((int(value[last]) + step) % 10) + value[last + 1 :]
        if not still_valid(candidate):
            return candidate
    return value


def _looks_real(candidate: str) -> bool:
    """True when the strict leakage audit would flag the fake as real data.

    A fake phone number that happens to read as a valid (coordination) personnummer, say,
    would fail the audit downstream, so such candidates are drawn again."""
    from pipelines.pii.audit import scan_text

    return any(f.blocking for f in scan_text(candidate))


class SurrogateMap:
    """Fake values for one conversation (``scope``), deterministic for a given key."""

    def __init__(self, scope: str = "", key: bytes = b"kvarn-surrogates-v1") -> None:
        self.scope = scope
        self._key = key
        self._fakes: dict[tuple[str, str], str] = {}  # person name parts
        self._fakes_by_form: dict[tuple[str, str, str], str] = {}
        self._attempts: dict[tuple[str, str], int] = {}
        self._used: set[str] = set()

    def __len__(self) -> int:
        """Number of distinct values (and name parts) replaced so far."""
        return len(self._fakes) + len(self._attempts)

    def _rng(self, *parts: str) -> random.Random:
        message = "\x1f".join((self.scope, *parts)).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def fake(self, entity_type: str, raw: str) -> str:
        """The surrogate for ``raw``: stable per value, never equal to or containing it.

        The same value written another way ("0701234567", "+46 70 123 45 67") gets the
        same fake value written that other way.
        """
        if entity_type == "PERSON":
            return self._fake_person(raw)
        value = (entity_type, _normalise(entity_type, raw))
        written = (*value, re.sub(r"\d", "9", raw))
        if written in self._fakes_by_form:
            return self._fakes_by_form[written]
        known = self._attempts.get(value)
        if known is None:
            for attempt in range(50):
                candidate = self._generate(entity_type, raw, self._rng(*value, str(attempt)))
                canonical = _normalise(entity_type, candidate)
                if (
                    self._acceptable(candidate, raw)
                    and canonical not in self._used
                    and not _looks_real(candidate)
                ):
                    break
            self._attempts[value] = attempt
            self._used.add(_normalise(entity_type, candidate))
        else:
            candidate = self._generate(entity_type, raw, self._rng(*value, str(known)))
        self._fakes_by_form[written] = candidate
        return candidate

    @staticmethod
    def _acceptable(candidate: str, raw: str) -> bool:
        folded = candidate.casefold()
        return raw.casefold() not in folded and folded != raw.casefold()

    def _fake_person(self, raw: str) -> str:
        """Token by token, so "Anna" and "Anna Svensson" share the first name's fake."""
        tokens = re.split(r"(\s+|-)", raw)
        out: list[str] = []
        word_index = 0
        for token in tokens:
            if not token or token.isspace() or token == "-":
                out.append(token)
                continue
            pool = FIRST_NAMES if word_index == 0 else SURNAMES
            role = "first" if word_index == 0 else "last"
            out.append(_match_case(self._fake_token(role, token, pool), token))
            word_index += 1
        fake = "".join(out)
        if self._acceptable(fake, raw):
            return fake
        # A short name inside every drawn fake ("Li" in "Linnea Lindqvist"): the first pool
        # name that does not contain it, or the placeholder — never an invented word that
        # reads as a real name nobody chose ("Johanx").
        for name in (*FIRST_NAMES, *SURNAMES):
            candidate = _match_case(name, raw)
            if self._acceptable(candidate, raw):
                return candidate
        return "<PERSON>"

    def _fake_token(self, role: str, token: str, pool: tuple[str, ...]) -> str:
        key = (f"PERSON_{role}", token.casefold())
        if key in self._fakes:
            return self._fakes[key]
        rng = self._rng(*key)
        choices = [n for n in pool if n.casefold() != token.casefold()]
        fresh = [n for n in choices if n not in self._used] or choices
        name = fresh[rng.randrange(len(fresh))]
        self._fakes[key] = name
        self._used.add(name)
        return name

    def _generate(self, entity_type: str, raw: str, rng: random.Random) -> str:
        generator = getattr(self, f"_gen_{entity_type.lower()}", None)
        if generator is None:
            return f"<{entity_type}>"
        result: str = generator(raw, rng)
        return result

    @staticmethod
    def _gen_personnummer(raw: str, rng: random.Random) -> str:
        digits = re.sub(r"\D", "", raw)
        sep = next((ch for ch in raw[6:] if ch in "-+"), "")
        year = rng.randrange(1940, 2000)  # no leading 0: never reads as a phone number
        # Day 32-59 exists in no month, even as a samordningsnummer (day + 60): a real date
        # with a wrong check digit would read as a mistyped real number and be flagged.
        date = f"{year % 100:02d}{rng.randrange(1, 13):02d}{rng.randrange(32, 60):02d}"
        serial = f"{rng.randrange(1, 1000):03d}"
        body = date + serial + str(rng.randrange(10))
        fake = _break_last_digit(body, _luhn_sum_ok)
        head = str(year // 100) if len(digits) >= 12 else ""
        return f"{head}{fake[:6]}{sep}{fake[6:]}"

    @staticmethod
    def _gen_phone(raw: str, rng: random.Random) -> str:
        last = f"{rng.randrange(5, 100):02d}"
        stripped = raw.strip()
        if stripped.startswith("+"):
            return f"+46 70 174 06 {last}"
        if stripped.startswith("00"):
            return f"0046 70 174 06 {last}"
        if "-" in stripped:
            return f"070-174 06 {last}"
        if " " in stripped:
            return f"070 174 06 {last}"
        return f"0{FICTION_MOBILE_PREFIX}{last}"

    @staticmethod
    def _gen_email(raw: str, rng: random.Random) -> str:
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last = SURNAMES[rng.randrange(len(SURNAMES))]
        return f"{first}.{last}@{RESERVED_EMAIL_DOMAIN}".translate(_ASCII).lower()

    @staticmethod
    def _gen_address(raw: str, rng: random.Random) -> str:
        postcode = f"{rng.randrange(100, 985)} {rng.randrange(10, 100)}"
        city = CITIES[rng.randrange(len(CITIES))]
        if re.match(r"(?:SE-?)?\d{3}\s?\d{2}\s", raw):
            return f"{postcode} {city}"
        street = STREETS[rng.randrange(len(STREETS))]
        fake = f"{street} {rng.randrange(1, 80)}"
        if re.search(r"\d{3}\s?\d{2}\s+\w", raw):
            fake += f", {postcode} {city}"
        return _match_case(fake, raw)

    @staticmethod
    def _gen_postcode(raw: str, rng: random.Random) -> str:
        fake = _digits_like(raw, rng)
        first = next(i for i, ch in enumerate(fake) if ch.isdigit())
        return fake[:first] + str(rng.randrange(1, 10)) + fake[first + 1 :]

    @staticmethod
    def _gen_iban(raw: str, rng: random.Random) -> str:
        fake = _digits_like(raw, rng, keep_first=0)
        compact = re.sub(r"\s", "", fake).upper()
        if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
            return _break_last_digit(fake, lambda v: _iban_valid(re.sub(r"\s", "", v).upper()))
        return _break_last_digit(fake, lambda v: _luhn_sum_ok(re.sub(r"\D", "", v)))

    @staticmethod
    def _gen_card(raw: str, rng: random.Random) -> str:
        fake = _digits_like(raw, rng, keep_first=1)
        return _break_last_digit(fake, lambda v: _luhn_sum_ok(re.sub(r"\D", "", v)))

    @staticmethod
    def _gen_orgnr(raw: str, rng: random.Random) -> str:
        fake = _digits_like(raw, rng, keep_first=3)
        return _break_last_digit(fake, lambda v: _luhn_sum_ok(re.sub(r"\D", "", v)[-10:]))

    @staticmethod
    def _gen_plate(raw: str, rng: random.Random) -> str:
        out = []
        for index, char in enumerate(raw):
            if char.isalpha() and index < 3:
                out.append(PLATE_LETTERS[rng.randrange(len(PLATE_LETTERS))])
            elif char.isalpha():
                out.append(PLATE_LAST_LETTERS[rng.randrange(len(PLATE_LAST_LETTERS))])
            elif char.isdigit():
                out.append(str(rng.randrange(10)))
            else:
                out.append(char)
        return "".join(out)

    @staticmethod
    def _gen_ip(raw: str, rng: random.Random) -> str:
        if ":" in raw:
            return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
        network = ("192.0.2", "198.51.100", "203.0.113")[rng.randrange(3)]
        return f"{network}.{rng.randrange(1, 255)}"


def _iban_valid(compact: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
