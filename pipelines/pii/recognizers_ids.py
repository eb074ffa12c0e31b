"""Checksummed Swedish identifiers: personnummer, organisationsnummer, cards, accounts.

Every recognizer here validates what it matches (Luhn, mod-97, calendar dates), so a
random number of the right length is not masked and, more importantly, the audit can
tell a real identifier from a surrogate (surrogates deliberately fail the checksum).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from pipelines.pii.recognizers_base import (
    Span,
    ValidatedPatternRecognizer,
    group_prefixes,
    iban_mod97_ok,
    luhn_ok,
)

# Letters Skatteverket uses in the first serial position of interim numbers.
INTERIM_LETTERS = "TRSUWXJKLMN"
# Score of a personnummer whose only fault is its check digit (see check_digit_typo).
TYPO_SCORE = 0.7

PNR_REGEX = (
    r"(?<![\w+\-.,/:])"
    r"(?P<cent>18|19|20)?(?P<yy>\d\d)(?P<mm>[01]\d)(?P<dd>[0-9]\d)"
    r"(?P<sep>[-+]?)"
    rf"(?P<serial>[0-9{INTERIM_LETTERS}]\d\d)(?P<check>\d)"
    r"(?![\w\-]|[.,]\d)"
)


def _resolve_year(cent: str | None, yy: int, sep: str, today: dt.date) -> int:
    """Full birth year: explicit century, else the latest year that fits the separator.

    A ``+`` separator in the 10-digit form means the person has turned 100.
    """
    if cent:
        return int(cent) * 100 + yy
    limit = today.year - 100 if sep == "+" else today.year
    year = limit - ((limit - yy) % 100)
    return year


def check_digit_typo(
    cent: str | None,
    yy: str,
    mm: str,
    dd: str,
    sep: str,
    serial: str,
    check: str,
    today: dt.date | None = None,
) -> bool:
    """True for a personnummer or samordningsnummer that is right in everything but its
    check digit: a real, past birth date (day - 60 for samordningsnummer), a serial that
    can be issued, and a Luhn sum that does not add up.

    ASR and typing errors produce exactly these ("811228-9875" for "811228-9874"), and the
    rest of the number still identifies the person, so they are masked too. Impossible
    dates ("811345-…", "810230-…") are not: those are other numbers.
    """
    if serial == "000" or not serial.isdigit():
        return False
    if luhn_ok(yy + mm + dd + serial + check):
        return False  # a valid number; personnummer_ok decides about it
    month, day = int(mm), int(dd)
    if day > 60:
        day -= 60
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    today = today or dt.date.today()
    year = _resolve_year(cent, int(yy), sep, today)
    if day > calendar.monthrange(year, month)[1]:
        return False
    return dt.date(year, month, day) <= today


def personnummer_ok(
    cent: str | None,
    yy: str,
    mm: str,
    dd: str,
    sep: str,
    serial: str,
    check: str,
    today: dt.date | None = None,
) -> bool:
    """True for a valid personnummer, samordningsnummer (day + 60) or interim number.

    Samordningsnummer may carry month 00, day 60 or a day that does not exist in the
    month, as in Skatteverket's published test numbers; serial 000 is never issued.
    """
    if serial == "000":
        return False
    serial_digits = serial
    if serial[0].isalpha():
        if serial[0] not in INTERIM_LETTERS:
            return False
        serial_digits = "1" + serial[1:]
    if not luhn_ok(yy + mm + dd + serial_digits + check):
        return False
    month, day = int(mm), int(dd)
    if day >= 60:
        # Skatteverket's own samordningsnummer use month 00, day 60 and impossible
        # dates (Feb 30, Apr 31): only the ranges are checked.
        return month <= 12 and day - 60 <= 31
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    year = _resolve_year(cent, int(yy), sep, today or dt.date.today())
    return day <= calendar.monthrange(year, month)[1]


class PersonnummerRecognizer(ValidatedPatternRecognizer):
    """10/12-digit personnummer, samordningsnummer and interim numbers, checksum-validated."""

    entity = "PERSONNUMMER"
    trigger = re.compile(r"\d{6}")

    def __init__(self) -> None:
        super().__init__([("personnummer", PNR_REGEX, 1.0)])

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        g = match.group
        parts = (g("cent"), g("yy"), g("mm"), g("dd"), g("sep"), g("serial"), g("check"))
        # A bare 10-digit 07... number is as likely a mobile number: let PHONE win there.
        mobile_like = not g("cent") and not g("sep") and g("yy")[0] == "0" and g("yy")[1] == "7"
        if personnummer_ok(*parts):
            yield match.start(), match.end(), 0.8 if mobile_like else score
        elif check_digit_typo(*parts):
            # Not validated (a heuristic score), so an overlapping PHONE or a wider match
            # names the type; the text is masked either way.
            yield match.start(), match.end(), 0.5 if mobile_like else TYPO_SCORE


class OrgnrRecognizer(ValidatedPatternRecognizer):
    """Organisationsnummer (third digit >= 2, Luhn), also with 16 prefix or as VAT number."""

    entity = "ORGNR"
    trigger = re.compile(r"\d{6}")

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "orgnr",
                    r"(?<![\w+\-.,/:])(?:16)?(?P<num>[1-9]\d[2-9]\d{3}-?\d{4})(?![\w\-]|[.,]\d)",
                    0.9,
                ),
                ("vat", r"(?<!\w)SE ?(?P<num>[1-9]\d[2-9]\d{7}) ?01(?!\w)", 0.95),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        if luhn_ok(match.group("num").replace("-", "")):
            yield match.start(), match.end(), score


class CardRecognizer(ValidatedPatternRecognizer):
    """Payment card numbers: 13-19 digits, grouped or not, Luhn-valid, issuer digit 2-6."""

    entity = "CARD"
    trigger = re.compile(r"\d{4}[ \-]?\d{4}")

    def __init__(self) -> None:
        super().__init__(
            [("card", r"(?<![\w+\-.,])[2-6]\d{3}(?:[ \-]?\d){9,15}(?![\w\-]|[.,]\d)", 1.0)]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        for end, raw in group_prefixes(match.group(), match.start()):
            groups = re.split(r"[ \-]", raw)
            digits = "".join(groups)
            if not 13 <= len(digits) <= 19:
                continue
            if len(groups) > 1 and any(not 4 <= len(part) <= 6 for part in groups[:-1]):
                continue
            if len(groups) > 1 and not 1 <= len(groups[-1]) <= 6:
                continue
            if luhn_ok(digits):
                yield match.start(), end, score
                return


# Lengths per country for the IBANs a Swedish user is likely to type.
IBAN_LENGTHS = {
    "SE": 24, "NO": 15, "DK": 18, "FI": 18, "IS": 26, "DE": 22, "GB": 22, "FR": 27,
    "ES": 24, "NL": 18, "BE": 16, "IT": 27, "PL": 28, "EE": 20, "LV": 21, "LT": 20,
    "AT": 20, "CH": 21, "IE": 22, "PT": 25, "LU": 20, "CZ": 24, "HU": 28, "GR": 27,
}  # fmt: skip


class IbanRecognizer(ValidatedPatternRecognizer):
    """IBAN with mod-97 check and, for known countries, the exact length."""

    entity = "IBAN"
    trigger = re.compile(r"\d\d(?<=[A-Za-z]{2}\d\d)")

    def __init__(self) -> None:
        super().__init__(
            [("iban", r"(?<![\w\-])[A-Za-z]{2}\d\d(?: ?[A-Za-z0-9]){8,30}(?![\w\-])", 1.0)]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        for end, raw in group_prefixes(match.group(), match.start()):
            compact = raw.replace(" ", "").upper()
            expected = IBAN_LENGTHS.get(compact[:2])
            if expected is not None and len(compact) != expected:
                continue
            if expected is None and not 15 <= len(compact) <= 34:
                continue
            if iban_mod97_ok(compact):
                yield match.start(), end, score
                return


_ACCOUNT_CUE = r"(?i:bankgiro(?:nummer|t)?|bg|plusgiro(?:nummer|t)?|postgiro(?:nummer|t)?|pg)"
_ACCOUNT_GAP = r"(?:\s*(?i:nr|nummer)\.?)?\s*[:.]?\s*(?:(?i:är)\s+)?"


class PaymentAccountRecognizer(ValidatedPatternRecognizer):
    """Bankgiro, plusgiro and bank account numbers, reported as IBAN (account numbers).

    The contract has no separate type for them; they identify a payee's account exactly
    like an IBAN does. Bankgiro/plusgiro numbers are short and common-looking, so they
    are only taken after a cue word, and must pass their Luhn check.
    """

    entity = "IBAN"
    trigger = re.compile(r"(?i:giro|bg|pg|konto)")

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "giro",
                    rf"(?<!\w){_ACCOUNT_CUE}{_ACCOUNT_GAP}"
                    r"(?P<num>\d{3,4}-\d{4}|\d(?:[ ]?\d){0,6}-\d)(?![\w\-])",
                    0.9,
                ),
                (
                    "bank_account",
                    r"(?<!\w)(?i:konto(?:nummer|nr)?|kontonumret)"
                    rf"{_ACCOUNT_GAP}(?P<num>\d{{4}}(?:-\d)?(?:[ ,\-]{{1,2}}\d{{1,4}}){{1,5}}"
                    r"|\d{4}(?:-\d)?[ ,\-]{0,2}\d{6,12})(?![\w\-])",
                    0.8,
                ),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        number = match.group("num")
        digits = re.sub(r"\D", "", number)
        if "konto" in match.group().lower():
            if 9 <= len(digits) <= 16:
                yield match.start("num"), match.end("num"), score
            return
        if 2 <= len(digits) <= 8 and luhn_ok(digits):
            yield match.start("num"), match.end("num"), score
