"""Swedish words the date grammar is built from: numbers, ordinals, calendar names, units.

Everything is lower case; the tokenizer lower-cases its input. Inflected forms are listed
explicitly (Swedish adds -en/-et/-na for definite forms) so that look-ups stay plain dict hits.
"""

from __future__ import annotations

_UNITS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9,
}  # fmt: skip
_TEENS = {
    "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14, "femton": 15,
    "sexton": 16, "sjutton": 17, "arton": 18, "aderton": 18, "nitton": 19,
}  # fmt: skip
_TENS = {
    "tjugo": 20, "tjugu": 20, "tjugi": 20, "trettio": 30, "tretti": 30, "fyrtio": 40,
    "förti": 40, "femtio": 50, "femti": 50, "sextio": 60,
}  # fmt: skip


def _number_words() -> dict[str, int]:
    words = {"noll": 0, **_UNITS, **_TEENS, **_TENS}
    for tens, tv in _TENS.items():
        if tv >= 60:
            continue
        for unit, uv in _UNITS.items():
            words[tens + unit] = tv + uv
    return words


#: Cardinal numbers written as words, 0–60 (glued compounds such as "tjugofem" included).
NUMBER_WORDS: dict[str, int] = _number_words()
#: Tens that may be followed by a separate unit word ("tjugo fem", as ASR writes it).
TENS_WORDS: dict[str, int] = {w: v for w, v in _TENS.items() if v < 60}
#: Unit words that may follow a separate tens word.
UNIT_WORDS: dict[str, int] = {w: v for w, v in _UNITS.items() if w != "ett"}
#: Articles that are numbers only before a unit ("en timme"), never on their own.
ARTICLE_NUMBERS: frozenset[str] = frozenset({"en", "ett"})

_ORDINAL_UNITS = {
    "första": 1, "förste": 1, "andra": 2, "andre": 2, "tredje": 3, "fjärde": 4, "femte": 5,
    "sjätte": 6, "sjunde": 7, "åttonde": 8, "nionde": 9,
}  # fmt: skip


def _ordinal_words() -> dict[str, int]:
    words = dict(_ORDINAL_UNITS)
    words.update({
        "tionde": 10, "elfte": 11, "tolfte": 12, "trettonde": 13, "fjortonde": 14,
        "femtonde": 15, "sextonde": 16, "sjuttonde": 17, "artonde": 18, "adertonde": 18,
        "nittonde": 19, "tjugonde": 20, "trettionde": 30,
    })  # fmt: skip
    for tens, tv in (("tjugo", 20), ("trettio", 30)):
        for unit, uv in _ORDINAL_UNITS.items():
            if tv + uv <= 31:
                words[tens + unit] = tv + uv
    return words


#: "tretiden", "niotiden": about three, about nine o'clock.
TIDEN_WORDS: dict[str, int] = {
    w + "tiden": v for w, v in NUMBER_WORDS.items() if 1 <= v <= 12 and w != "en"
}

#: Ordinals as words, 1–31 ("tredje", "tjugoförsta").
ORDINAL_WORDS: dict[str, int] = _ordinal_words()
#: Suffixes of digit ordinals: 1:a, 2:a, 3:e, 21:a (after a colon).
ORDINAL_SUFFIXES: frozenset[str] = frozenset({"a", "e"})
LAST_WORDS: frozenset[str] = frozenset({"sista", "siste"})

#: Month names and abbreviations → month number. Abbreviations need a day number next to them.
MONTHS: dict[str, int] = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "augusti": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip

#: Weekday names (and their definite forms) → ISO weekday index, Monday = 0.
WEEKDAYS: dict[str, int] = {}
WEEKDAY_STEMS: tuple[str, ...] = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
for _i, _stem in enumerate(WEEKDAY_STEMS):
    WEEKDAYS[_stem + "dag"] = _i
    WEEKDAYS[_stem + "dagen"] = _i
#: Abbreviated weekdays ("tors.", "fre").
WEEKDAY_ABBREVIATIONS: dict[str, int] = {s: i for i, s in enumerate(WEEKDAY_STEMS)}
WEEKDAY_ABBREVIATIONS["tor"] = 3
#: Past weekday forms used after "i": "i tisdags" is last Tuesday.
WEEKDAY_PAST: dict[str, int] = {s + "dags": i for i, s in enumerate(WEEKDAY_STEMS)}

#: Relative day words, one token. Two-token forms ("i morgon") are in RELATIVE_DAY_PHRASES.
RELATIVE_DAYS: dict[str, int] = {
    "idag": 0, "imorgon": 1, "imorn": 1, "imorrn": 1, "igår": -1, "övermorgon": 2,
    "överimorgon": 2, "iövermorgon": 2, "förrgår": -2, "förgår": -2, "morgondagen": 1,
    "gårdagen": -1,
}  # fmt: skip
RELATIVE_DAY_PHRASES: dict[tuple[str, ...], int] = {
    ("i", "dag"): 0, ("i", "morgon"): 1, ("i", "morn"): 1, ("i", "morrn"): 1, ("i", "går"): -1,
    ("i", "övermorgon"): 2, ("i", "överimorgon"): 2, ("i", "förrgår"): -2, ("i", "förgår"): -2,
    ("i", "dag", "om", "en", "vecka"): 7, ("i", "morgon", "bitti"): 1,
}  # fmt: skip

#: Parts of the day as (start, end) minutes from midnight of their day; end may pass 24:00.
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morgon": (4 * 60, 12 * 60), "förmiddag": (8 * 60, 12 * 60), "lunch": (12 * 60, 14 * 60),
    "eftermiddag": (12 * 60, 19 * 60), "kväll": (18 * 60, 24 * 60), "natt": (22 * 60, 30 * 60),
    "efter lunch": (13 * 60, 17 * 60), "bitti": (4 * 60, 9 * 60),
}  # fmt: skip
#: Surface forms of the parts of the day.
PART_WORDS: dict[str, str] = {
    "morgon": "morgon", "morgonen": "morgon", "morse": "morgon", "förmiddag": "förmiddag",
    "förmiddagen": "förmiddag", "lunch": "lunch", "lunchen": "lunch", "lunchtid": "lunch",
    "eftermiddag": "eftermiddag", "eftermiddagen": "eftermiddag", "kväll": "kväll",
    "kvällen": "kväll", "natt": "natt", "natten": "natt", "bitti": "bitti",
}  # fmt: skip
#: Single tokens meaning "this <part>" of today: "ikväll", "inatt", "imorse".
TODAY_PART_WORDS: dict[str, str] = {
    "ikväll": "kväll", "inatt": "natt", "imorse": "morgon", "ieftermiddag": "eftermiddag",
}  # fmt: skip

#: Duration units → (grain, multiplier in that grain). "kvart" is a quarter of an hour.
UNITS: dict[str, tuple[str, int]] = {}
for _grain, _forms in (
    ("second", ("sekund", "sekunder", "sekunden", "sekunderna", "sek", "s")),
    ("minute", ("minut", "minuter", "minuten", "minuterna", "min")),
    ("hour", ("timme", "timmar", "timmen", "timmarna", "timma", "tim", "h", "t")),
    ("day", ("dag", "dagar", "dagen", "dagarna", "dygn", "dygnet", "dygnen")),
    ("week", ("vecka", "veckor", "veckan", "veckorna", "v")),
    ("month", ("månad", "månader", "månaden", "månaderna", "mån")),
    ("year", ("år", "året", "åren", "åren")),
):
    for _form in _forms:
        UNITS[_form] = (_grain, 1)
UNITS.update({"kvart": ("minute", 15), "halvtimme": ("minute", 30), "halvtimma": ("minute", 30)})
UNITS.update({"halvtimmen": ("minute", 30), "halvår": ("month", 6), "halvåret": ("month", 6)})

#: Words naming a calendar cycle for "denna vecka", "nästa månad", "förra året".
CYCLE_WORDS: dict[str, str] = {
    "vecka": "week", "veckan": "week", "veckas": "week", "månad": "month", "månaden": "month",
    "kvartal": "quarter", "kvartalet": "quarter", "år": "year", "året": "year",
}  # fmt: skip
#: Modifiers of a cycle or a name → offset; "i" (this) is handled by the grammar.
THIS_WORDS: frozenset[str] = frozenset({"denna", "denne", "detta", "dessa", "innevarande"})
NEXT_WORDS: frozenset[str] = frozenset({"nästa", "kommande", "nästkommande", "följande"})
PREV_WORDS: frozenset[str] = frozenset({"förra", "föregående", "förgående", "senaste"})

#: Seasons: surface form → name.
SEASONS: dict[str, str] = {
    "vår": "vår", "våren": "vår", "sommar": "sommar", "sommaren": "sommar",
    "sommarn": "sommar", "höst": "höst", "hösten": "höst", "vinter": "vinter",
    "vintern": "vinter",
}  # fmt: skip
#: "i somras" is last summer.
SEASONS_PAST: dict[str, str] = {
    "våras": "vår", "somras": "sommar", "höstas": "höst", "vintras": "vinter",
}  # fmt: skip
WEEKEND_WORDS: frozenset[str] = frozenset({"helg", "helgen", "veckoslut", "veckoslutet"})

#: Words that soften a time ("ca. kl. 15") and are kept inside the span.
APPROX_WORDS: frozenset[str] = frozenset(
    {"ca", "cirka", "circa", "omkring", "ungefär", "runt", "kring", "vid", "framåt", "ungf"}
)
#: Words that sharpen a time ("kl. 17 precis") and are kept inside the span.
EXACT_WORDS: frozenset[str] = frozenset({"precis", "exakt", "prick", "sharp"})
#: Explicit zones after a time → UTC offset in minutes.
ZONES: dict[str, int] = {
    "cet": 60, "cest": 120, "gmt": 0, "utc": 0, "z": 0, "eet": 120, "eest": 180,
    "bst": 60, "wet": 0, "west": 60,
}  # fmt: skip
