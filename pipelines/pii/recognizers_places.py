"""Where someone lives or what they drive: street addresses, postcodes, licence plates.

A street name alone ("Storgatan") or a city alone ("Stockholm") says little about a
person; with a house number or a postcode it points at a home. So ADDRESS needs a
street plus a number (optionally a letter, a flat number and "postcode city"), or a
postcode plus a city; POSTCODE alone needs a cue word ("postnummer") or an SE- prefix.
A street is a word with a street suffix ("Sveavägen"), a bare street word used as a
proper name ("Esplanaden 48B", "Avenyn 72"), or, after an address cue ("vägbeskrivning
till", "bor på", "adressen är"), any capitalised name that is no town, thing or time word
("kör till Stureplan 4", "bor på Kungsholms strand 12").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pipelines.pii.recognizers_base import Span, ValidatedPatternRecognizer

STREET_SUFFIXES = (
    "gatan", "gata", "vägen", "väg", "gränd", "gränden", "torget", "torg", "allén", "allé",
    "backe", "backen", "stigen", "platsen", "kajen", "stråket", "promenaden", "esplanaden",
    "slingan", "stranden", "strand", "liden", "hagen", "avenyn", "aveny",
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
# Bare street words that many towns use as the proper name of one street ("Esplanaden" in
# Sundsvall, "Avenyn" in Göteborg, "Stranden", "Kajen"): with a capital letter and a house
# number they are an address, although "esplanaden 4" in lower case may be any esplanade.
PROPER_WHEN_CAPITALISED = frozenset(
    {
        "esplanaden", "avenyn", "promenaden", "allén", "stråket", "kajen", "torget",
        "stranden", "gränden", "slingan",
    }
)  # fmt: skip
# Capitalised words that a number follows without making an address, after an address cue
# ("navigera till Terminal 5", "kör till Volvo 240", "hem till Kapitel 3"): things,
# rooms, lines, media parts, time words.
NOT_PLACES = frozenset(
    {
        "kapitel", "rum", "buss", "bussen", "linje", "linjen", "låt", "låten", "nummer",
        "spår", "spåret", "gate", "terminal", "plattform", "perrong", "sal", "salen", "hus",
        "huset", "hall", "hallen", "våning", "våningen", "plan", "planet", "sektion", "zon",
        "avsnitt", "säsong", "del", "vecka", "veckan", "dag", "dagen", "klockan", "kl",
        "sida", "sidan", "version", "nivå", "nivån", "bana", "banan", "hål", "tåg", "tåget",
        "tunnelbana", "tunnelbanan", "spårvagn", "kassa", "kassan", "entré", "ingång",
        "ingången", "port", "porten", "dörr", "hiss", "parkering", "parkeringen", "p-hus",
        "akt", "vers", "psalm", "artikel", "paragraf", "lektion", "övning", "uppgift",
        "fråga", "match", "omgång", "period", "kanal", "volvo", "saab", "iphone", "ipad",
        "samsung", "galaxy", "pixel", "windows", "android", "ios", "playstation", "xbox",
        "formel", "tesla", "audi", "bmw", "toyota", "mercedes", "kia", "skoda", "ford",
        "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag", "januari",
        "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december", "jul", "påsk", "midsommar", "mamma",
        "pappa", "jobbet", "skolan", "gymmet", "stan", "centrum", "flyget", "färjan",
        "mötet", "mötes", "station", "stationen", "hållplats", "hållplatsen",
    }
)  # fmt: skip
# Words that introduce where someone lives or is going: "vägbeskrivning till", "bor på",
# "adressen är". After one, a capitalised name with a house number is an address even
# without a street suffix ("kör till Kungsportsavenyn 3", "bor på Esplanaden 48B").
_ADDRESS_CUE = (
    r"(?i:(?:vägbeskrivning(?:en)?|navigera|navigering(?:en)?|kör(?:a)?(?:\smig)?|åk(?:a)?"
    r"|ta\smig|hitta|hem|leverera|leverans(?:en)?|skjutsa?(?:\smig)?|cykla|promenera|gå"
    r"|taxi|rutt(?:en)?|vägen|resa|flytta(?:r)?|flyttat"
    r"|kommer\s(?:jag|vi|man|du|ni)|tar\sdet\s(?:att\s)?(?:åka|gå|köra|cykla))\still"
    # an answer about the way somewhere: "Till Stora Gatan 47B tar det ungefär 22 minuter"
    r"|(?:^|(?<=[.!?]\s))Till"
    r"|bor\s(?:på|vid)|adress(?:en)?(?:\sär|:)?|hämta(?:\smig)?\s(?:på|vid)"
    r"|bostad(?:en)?:?|besöksadress(?:en)?:?)\s"
)
_STREET_PREFIX = r"(?:(?:Sankt|S:t|Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre)\s)?"
_STREET_WORD = (
    r"(?P<street>[^\W\d_][^\W\d_]*(?:-[^\W\d_]+)?(?:"
    + "|".join(STREET_SUFFIXES)
    + r")|"
    + "|".join(word.capitalize() for word in sorted(PROPER_WHEN_CAPITALISED))
    + r")"
)
# A number that counts something rather than numbering a house.
_NOT_HOUSE = (
    r"(?!\s?(?:kr|kronor|sek|%|procent|min|minuter|timmar|tim|sekunder|sek|grader|km|mil"
    r"|meter|m|st|stycken|år|dagar|veckor|gånger|personer|liter|kg|kilo)\b)"
)
_HOUSE = r"\s(?P<number>[1-9]\d{0,3})(?:\s?[A-Ha-h](?![\w]))?(?![\d,.:]\d|\w)"
# After a cue the name may be anything, so the number is held to a house number's size
# (1-999, "åk till Malmö 2025" names a year) and must not count something.
_CUED_HOUSE = r"\s(?P<number>[1-9]\d{0,2})(?:\s?[A-Ha-h](?![\w]))?(?![\d,.:]\d|\w)" + _NOT_HOUSE
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


@cache
def _towns() -> frozenset[str]:
    """Cities, towns and landmarks from the person lexicon's place list, minus those that
    are streets or squares themselves ("Stureplan", "Avenyn"): "åk till Malmö 3" names no
    address."""
    path = Path(__file__).resolve().parent / "names" / "places.txt"
    entries = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return frozenset(
        entry.casefold()
        for entry in entries
        if entry and not entry.startswith("#") and not _street_like(entry.casefold())
    )


def _street_like(folded: str) -> bool:
    return folded in PROPER_WHEN_CAPITALISED or folded.endswith((*STREET_SUFFIXES, "plan"))


def _cued_place_ok(place: str) -> bool:
    """The name after an address cue: capitalised (or, in lower-case ASR text, a street
    word), no thing, room or time word in it, and not just a town."""
    words = place.split()
    if any(word.casefold() in NOT_PLACES for word in words):
        return False
    folded = place.casefold()
    if not place[0].isupper():
        street_word = folded not in NOT_STREETS or folded in PROPER_WHEN_CAPITALISED
        return place.islower() and _street_like(words[0]) and street_word
    return folded not in _towns()


class StreetAddressRecognizer(ValidatedPatternRecognizer):
    """Street + house number (+ letter, flat number, "postcode city"), any case."""

    entity = "ADDRESS"
    # Starts at the house number (a cheap scan), then looks back for a street suffix.
    trigger = re.compile(
        r"\s[1-9](?:"
        + "|".join(
            rf"(?<={suffix}\s[1-9])"
            for suffix in (*STREET_SUFFIXES, *(w.capitalize() for w in PROPER_WHEN_CAPITALISED))
        )
        + r")|\d{3}\s?\d{2}\s[A-ZÅÄÖ]|"
        # the last word of every address cue, then a word and a digit: a cheap superset of
        # the cued pattern (the full cue alternation costs ~6 µs a text)
        + r"(?i:till|bor|adress|hämta|bostad)\S*:?\s[^\W\d_]\D{0,80}?\s[1-9]"
    )

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    "cued_street_number",
                    r"(?<![\w\-])"
                    + _ADDRESS_CUE
                    + r"(?P<place>[^\W\d_]+(?:-[^\W\d_]+)?"
                    + r"(?:\s(?:[A-ZÅÄÖ][^\W\d_]+|gata|väg|strand|torg|plan|allé|backe"
                    + r"|gränd)){0,2})"
                    + _CUED_HOUSE
                    + _FLAT
                    + rf"(?:,?\s{_POSTCODE}\s{_CITY}(?!\w))?",
                    0.8,
                ),
                (
                    "street_number",
                    r"(?<![\w\-])"
                    + _STREET_PREFIX
                    + _STREET_WORD
                    + _HOUSE
                    + _NOT_HOUSE
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
        if groups.get("place") is not None:
            if _cued_place_ok(groups["place"]):
                yield match.start("place"), match.end(), score
            return
        if groups.get("street") is not None:
            street = groups["street"]
            proper = street[0].isupper() and street.casefold() in PROPER_WHEN_CAPITALISED
            if street.lower() in NOT_STREETS and not proper:
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
