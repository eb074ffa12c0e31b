"""Contact data: Swedish and international phone numbers, e-mail addresses, IP addresses.

Phone numbers are validated against the national number plan (libphonenumber's SE
metadata, see ``SE_NUMBER_PATTERNS``) after stripping the ``+46``/``0046``/``0`` prefix,
so dates ("2025-09-01"), times ("kl 10:00", "10.30") and opening hours ("0900-1700")
are not masked as numbers.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from pipelines.pii.recognizers_base import Span, ValidatedPatternRecognizer, group_prefixes

# National significant number patterns per number type, from google/libphonenumber
# resources/PhoneNumberMetadata.xml (Apache-2.0), territory SE. A unit test checks they
# still equal ../shared/corpora/se_phone_metadata.json when that file is present.
SE_NUMBER_PATTERNS: dict[str, str] = {
    "fixedLine": (
        r"(?:(?:[12][136]|3[356]|4[0246]|6[03]|8\d)\d|90[1-9])\d{4,6}|(?:1(?:2[0-35]|4[0-4]|"
        r"5[0-25-9]|7[13-6]|[89]\d)|2(?:2[0-7]|4[0136-8]|5[0138]|7[018]|8[01]|9[0-57])|"
        r"3(?:0[0-4]|1\d|2[0-25]|4[056]|7[0-2]|8[0-3]|9[023])|4(?:1[013-8]|3[0135]|"
        r"5[14-79]|7[0-246-9]|8[0156]|9[0-689])|5(?:0[0-6]|[15][0-5]|2[0-68]|3[0-4]|4\d|"
        r"6[03-5]|7[013]|8[0-79]|9[01])|6(?:1[1-3]|2[0-4]|4[02-57]|5[0-37]|6[0-3]|7[0-2]|"
        r"8[0247]|9[0-356])|9(?:1[0-68]|2\d|3[02-5]|4[0-3]|5[0-4]|[68][01]|7[0135-8]))\d{5,6}"
    ),
    "mobile": r"7[023689]\d{7}",
    "pager": r"74[02-9]\d{6}",
    "tollFree": r"20\d{4,7}",
    "premiumRate": r"649\d{6}|99[1-59]\d{4}(?:\d{3})?|9(?:00|39|44)[1-8]\d{3,6}",
    "sharedCost": r"77[0-7]\d{6}",
    "personalNumber": r"75[1-8]\d{6}",
    "uan": r"10[1-8]\d{6}",
    "voicemail": r"(?:25[245]|67[3-68])\d{9}",
}
_SE_NUMBER = re.compile("|".join(f"(?:{p})" for p in SE_NUMBER_PATTERNS.values()))

_SEP = r"(?:[ \u00a0]?[\-–][ \u00a0]?|[ \u00a0])"
_NOT_BEFORE = r"(?<![\w+\-–/.,:])"
_NOT_AFTER = r"(?![\w]|[\-–.,:/]\d)"
_PHONE_SE_INTL = (
    rf"{_NOT_BEFORE}(?:\+[ \u00a0]?46|00[ \u00a0]?46)[ \u00a0\-]*(?:\(0\)[ \u00a0\-]*|0[ \-])?"
    rf"\d(?:{_SEP}?\d){{5,11}}{_NOT_AFTER}"
)
_PHONE_SE_NATIONAL = (
    rf"{_NOT_BEFORE}(?:\(0\d{{1,3}}\)[ \u00a0]?|0\d)(?:{_SEP}?\d){{4,11}}{_NOT_AFTER}"
)
_PHONE_FOREIGN = (
    rf"{_NOT_BEFORE}(?:\+|00)(?!46)[1-9]\d{{0,2}}(?:{_SEP}?\(?\d\)?){{6,13}}{_NOT_AFTER}"
)
_DATE_OR_TIME_RANGE = re.compile(
    r"\d{4}-\d\d-\d\d|\d\d-\d\d-\d{4}|\d\d?[./-]\d\d?[./-]\d{2,4}"
    r"|(?:[01]\d|2[0-3])[0-5]\d ?[\-–] ?(?:[01]\d|2[0-3])[0-5]\d"
)


def se_national_number_ok(nsn: str) -> bool:
    """True when ``nsn`` (no prefix) is a number in the Swedish numbering plan."""
    return _SE_NUMBER.fullmatch(nsn) is not None


def _national_significant(raw: str) -> str | None:
    """Digits after the +46 / 0046 / trunk-0 prefix, or None for a malformed prefix."""
    digits = re.sub(r"\D", "", raw)
    stripped = raw.lstrip()
    if stripped.startswith("+") or stripped.startswith("00"):
        digits = digits[4:] if stripped.startswith("00") else digits[2:]
        return digits[1:] if digits.startswith("0") else digits
    return digits[1:] if digits.startswith("0") else None


class SwedishPhoneRecognizer(ValidatedPatternRecognizer):
    """Swedish numbers in national, +46 and 0046 forms with spaces, dashes or (0)."""

    entity = "PHONE"
    trigger = re.compile(rf"{_NOT_BEFORE}0\d(?:[ \u00a0\-–]{{0,3}}\d){{4}}|\(0\d|\+[ \u00a0]?46")

    def __init__(self) -> None:
        super().__init__(
            [("se_intl", _PHONE_SE_INTL, 0.95), ("se_national", _PHONE_SE_NATIONAL, 0.9)]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        for end, raw in group_prefixes(match.group(), match.start()):
            if _DATE_OR_TIME_RANGE.fullmatch(raw):
                return
            nsn = _national_significant(raw)
            if nsn and se_national_number_ok(nsn):
                yield match.start(), end, score
                return


class ForeignPhoneRecognizer(ValidatedPatternRecognizer):
    """International numbers with another country code (+47, 0045, +1 ...): 8-15 digits."""

    entity = "PHONE"
    trigger = re.compile(rf"\+[1-9]|{_NOT_BEFORE}00[1-9]")

    def __init__(self) -> None:
        super().__init__([("foreign_intl", _PHONE_FOREIGN, 0.7)])

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        digits = re.sub(r"\D", "", match.group())
        if match.group().startswith("00"):
            digits = digits[2:]
        if 8 <= len(digits) <= 15:
            yield match.start(), match.end(), score


_TLDS_SPOKEN = r"(?:se|com|nu|org|net|eu|io|fi|no|dk)"


class EmailRecognizer(ValidatedPatternRecognizer):
    """Written e-mail addresses, and spoken ones from ASR ("anna snabel-a gmail punkt com")."""

    entity = "EMAIL"
    trigger = re.compile(r"@|snabel", re.IGNORECASE)
    gate = r"@|(?i:snabel)"

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "email",
                    r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,24}(?![\w\-])",
                    1.0,
                ),
                (
                    "spoken_email",
                    r"(?i)(?<!\w)\w+(?: (?:punkt|understreck|bindestreck) \w+)* "
                    r"snabel-?a \w+(?: punkt \w+)* punkt " + _TLDS_SPOKEN + r"(?!\w)",
                    0.85,
                ),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        value = match.group()
        if "@" in value:
            local = value.split("@", 1)[0]
            if local.startswith(".") or local.endswith(".") or ".." in value:
                return
        yield match.start(), match.end(), score


class IpRecognizer(ValidatedPatternRecognizer):
    """IPv4 (octets <= 255) and IPv6 (parsed by ``ipaddress``)."""

    entity = "IP"
    trigger = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d|:[0-9A-Fa-f]{0,4}:")
    gate = r"\d|:"

    def __init__(self) -> None:
        super().__init__(
            [
                ("ipv4", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)", 0.9),
                (
                    "ipv6",
                    r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:|::?)(?:[0-9A-Fa-f]{0,4}:){1,7}"
                    r"[0-9A-Fa-f]{0,4}(?![\w:])",
                    0.9,
                ),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        value = match.group()
        if "." in value:
            if any(len(part) > 1 and part[0] == "0" for part in value.split(".")):
                return
        elif (value.count(":") < 3 and "::" not in value) or sum(map(str.isalnum, value)) < 3:
            return
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return
        yield match.start(), match.end(), score
