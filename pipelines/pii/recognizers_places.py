"""Where someone lives or what they drive: street addresses, postcodes, licence plates.

A street name alone ("Storgatan") or a city alone ("Stockholm") says little about a
person; with a house number or a postcode it points at a home. So ADDRESS needs a
street plus a number (optionally a letter, a flat number and "postcode city"), or a
postcode plus a city; POSTCODE alone needs a cue word ("postnummer") or an SE- prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipelines.pii.recognizers_base import Span, ValidatedPatternRecognizer

STREET_SUFFIXES = (
    "gatan", "gata", "vägen", "väg", "gränd", "gränden", "torget", "torg", "allén", "allé",
    "backe", "backen", "stigen", "platsen", "kajen", "stråket", "promenaden", "esplanaden",
    "slingan", "stranden", "strand", "liden", "hagen",
)  # fmt: skip
# Ordinary words that end like a street but are not one.
NOT_STREETS = frozenset(
    {
        "motorväg", "motorvägen", "cykelväg", "cykelvägen", "gångväg", "gångvägen",
        "halvväg", "halvvägen", "omväg", "omvägen", "genväg", "genvägen", "landsväg",
        "landsvägen", "järnväg", "järnvägen", "flygplan", "flygplanet", "plan", "väg",
        "vägen", "gata", "gatan", "torg", "torget", "backe", "backen", "strand",
        "stranden", "slingan", "ringen", "parken", "hagen", "liden", "leden", "nöjesparken",
        "skidbacken", "slalombacken", "pulkabacken", "tidsplan", "tidsplanen", "matplan",
        "våningsplan", "stadsplan", "detaljplan", "schemaplan", "handlingsplan",
        "affärsplan", "budgetplan", "träningsplan", "veckoplan", "hemväg", "hemvägen",
        "allé", "allén", "gränd", "gränden", "kajen", "stråket", "platsen",
        "promenaden", "esplanaden", "stigen", "boxningsringen", "fotbollsplan",
    }
)  # fmt: skip
_STREET_PREFIX = r"(?:(?:Sankt|S:t|Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre)\s)?"
_STREET_WORD = r"(?P<street>[^\W\d_][^\W\d_]*(?:-[^\W\d_]+)?(?:" + "|".join(STREET_SUFFIXES) + r"))"
_HOUSE = r"\s(?P<number>[1-9]\d{0,3})(?:\s?[A-Ha-h](?![\w]))?(?![\d,.:]\d|\w)"
_FLAT = r"(?:,?\s(?:lgh|lägenhet)\.?\s?\d{3,4})?"
_POSTCODE = r"[1-9]\d{2}\s?\d{2}"
_CITY = r"[A-ZÅÄÖ][a-zåäöé]+(?:[\s\-][A-ZÅÄÖ][a-zåäöé]+)?"
# Capitalised words that follow a five-digit amount and are not a city.
NOT_CITIES = frozenset(
    {
        "Kr", "Kronor", "Sek", "Euro", "Dollar", "Minuter", "Sekunder", "Timmar", "Dagar",
        "Steg", "St", "Stycken", "Personer", "Poäng", "Meter", "Km", "Kilometer", "Mil",
        "Gram", "Kilo", "Liter", "Kalorier", "Och", "Till", "Eller", "Kl", "Klockan",
    }
)  # fmt: skip


class StreetAddressRecognizer(ValidatedPatternRecognizer):
    """Street + house number (+ letter, flat number, "postcode city"), any case."""

    entity = "ADDRESS"
    # Starts at the house number (a cheap scan), then looks back for a street suffix.
    trigger = re.compile(
        r"\s[1-9](?:"
        + "|".join(rf"(?<={suffix}\s[1-9])" for suffix in STREET_SUFFIXES)
        + r")|\d{3}\s?\d{2}\s[A-ZÅÄÖ]"
    )

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "street_number",
                    r"(?<![\w\-])"
                    + _STREET_PREFIX
                    + _STREET_WORD
                    + _HOUSE
                    + _FLAT
                    + rf"(?:,?\s{_POSTCODE}\s{_CITY}(?!\w))?",
                    0.85,
                ),
                (
                    "postcode_city",
                    rf"(?<![\w\-+])(?<!\d[ \-])(?:SE-?)?{_POSTCODE}\s(?P<city>{_CITY})(?!\w)",
                    0.75,
                ),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        groups = match.groupdict()
        if groups.get("street") is not None:
            if groups["street"].lower() in NOT_STREETS:
                return
        elif groups.get("city") is not None and groups["city"].split()[0] in NOT_CITIES:
            return
        yield match.start(), match.end(), score


class PostcodeRecognizer(ValidatedPatternRecognizer):
    """A Swedish postcode named as such ("postnummer 113 50") or written "SE-113 50"."""

    entity = "POSTCODE"
    trigger = re.compile(r"(?i:post)|SE-?\d")

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "postcode_cue",
                    r"(?i:postnumm?er|postnr|postkod)(?:et)?\.?:?\s(?:är\s)?"
                    r"(?P<code>[1-9]\d{2}\s?\d{2})(?!\w|[.,]\d)",
                    0.85,
                ),
                ("postcode_se", r"(?<![\w\-])(?P<code>SE-?[1-9]\d{2}\s?\d{2})(?![\w]|[.,]\d)", 0.8),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        yield match.start("code"), match.end("code"), score


# Acronyms that look like an old-style plate next to a number ("SAS 123", "EUR 100").
NOT_PLATES = frozenset(
    {
        "BMW", "SAS", "SVT", "SEK", "EUR", "USD", "GBP", "NOK", "DKK", "USB", "GPS", "DVD",
        "APP", "CPU", "RAM", "LED", "PDF", "SMS", "MMS", "TCP", "UDP", "KLM", "ABB", "SKF",
        "ICA", "MAX", "MIN", "NHL", "SHL", "NBA", "NFL", "UFC", "WWE", "ATP", "WTA", "AMD",
        "PPM", "RPM", "KWH", "MHZ", "GHZ", "KMH", "CET", "UTC", "GMT", "DNA", "FPS", "HDR",
        "PIN", "TOP", "MTV", "CNN", "BBC", "HBO", "RTL", "ZDF", "ARD", "TBS", "AFP", "EKG",
    }
)  # fmt: skip
_PLATE_LETTER = "A-HJ-PR-UW-Z"  # Swedish plates skip I, Q, V (and Å, Ä, Ö)
_PLATE_LAST = "0-9A-HJ-NPR-UW-Z"  # the new format's final letter is never O


class PlateRecognizer(ValidatedPatternRecognizer):
    """Swedish registration numbers: ABC 123 and (since 2019) ABC 12D, upper case."""

    entity = "PLATE"
    trigger = re.compile(r"\d\d(?<=[A-Z]{3}\d\d)|\d\d(?<=[A-Z]{3}[ \-]\d\d)")

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "plate",
                    rf"(?<![\w\-])(?P<letters>[{_PLATE_LETTER}]{{3}})[ \-]?"
                    rf"\d\d[{_PLATE_LAST}](?![\w\-]|[.,:]\d)",
                    0.8,
                ),
            ]
        )

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        if match.group("letters") not in NOT_PLATES:
            yield match.start(), match.end(), score
