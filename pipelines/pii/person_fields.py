"""Names that are whole values of structured fields: ``{"to": "Britt"}``, ``{"with": "per"}``.

A lone first name carries no sentence context, so the name rules and model, tuned not to
mask "Per" in "fem kronor per dag", let it through — while the key says plainly that the
value is a person. Tool arguments and slots therefore get one more rule: under a person key,
a short value without digits is a PERSON when one of its words is a listed first name,
surname or corpus name, and the value is not a known place or organisation or made only of
relationship words ("mamma", "chefen" are not personal data).

Machine-written text (tool errors and results, stack traces, failure causes) gets its own
rule both ways. Programs write English and identifiers, which the Swedish name model misreads
("invalid arguments" as a name), and they write the person they failed on after a key word
and a colon ("recipient unknown: britt"), which sentence rules miss. There a lower-case span
is a name only if a word of it is a listed name, and a name-like value after a person key
word and a colon is a PERSON whatever its case.
"""

from __future__ import annotations

import re

from pipelines.pii.entities import Entity, resolve_overlaps
from pipelines.pii.persons_lexicon import load_lexicon, normalise_phrase
from pipelines.pii.persons_words import TOKEN
from pipelines.pii.recognizers_places import NOT_PLACES

PERSON_KEYS = frozenset(
    {
        "contact", "contacts", "contact_name", "with", "to", "recipient", "recipients", "name",
        "full_name", "first_name", "last_name", "surname", "attendee", "attendees",
        "participant", "participants", "invitee", "invitees", "person", "persons", "people",
        "caller", "callee", "sender", "from", "who", "guest", "guests", "assignee",
    }
)  # fmt: skip
# Values under these keys are labels the assistant's own components wrote (an intent, a
# route, a model or voice name), never a person's words: masked, "music.control" became
# "music.<PERSON>" and intent labels broke.
NEVER_PERSONAL_KEYS = frozenset(
    {"intent", "route", "lang", "language", "model", "voice", "tool", "tool_name", "error_code"}
)
# Keys whose values are places the user goes to or lives at: with a house number, the
# whole value is an address ("destination": "Stora Gatan 47B", "avenyn 75").
PLACE_KEYS = frozenset(
    {"destination", "address", "adress", "street", "to_address", "delivery_address",
     "pickup", "pickup_address", "home", "home_address", "location", "plats", "destination_address"}
)  # fmt: skip
_HOUSE_NUMBER = re.compile(r"(?<!\d)[1-9]\d{0,3}(?:\s?[A-Ha-h])?(?![\d:.,]\d)")
# Keys of JSON values that programs write (the error of a response, a test's reason).
MACHINE_TEXT_KEYS = frozenset(
    {"error", "errors", "result", "reason", "detail", "details", "exception", "traceback",
     "stack_trace", "root_cause"}
)  # fmt: skip
# "<person key word>[ a few words]: <value>" in a program's message.
_KEYED_VALUE = re.compile(
    r"\b(?P<key>contact|contacts|recipient|recipients|to|with|from|name|caller|callee|sender"
    r"|attendee|attendees|participant|invitee|person|user|who)\b[^:\n]{0,24}?:[ \t]*"
    r"(?P<value>[^\s,;:()\[\]{}\"'<>=][^,;:()\[\]{}\"'<>=\n]{0,60}?)(?=[ \t]*(?:$|[,;)\]}\"'\n]))",
    re.IGNORECASE,
)
_PLACEHOLDERS = re.compile(r"<[A-Z_]+>")
MAX_VALUE_CHARS = 80
MAX_WORDS = 5
SCORE = 0.8


def is_label_key(key: object) -> bool:
    return isinstance(key, str) and key.casefold() in NEVER_PERSONAL_KEYS


def is_person_key(key: object) -> bool:
    return isinstance(key, str) and key.casefold().replace("-", "_") in PERSON_KEYS


def is_place_key(key: object) -> bool:
    return isinstance(key, str) and key.casefold().replace("-", "_") in PLACE_KEYS


def place_value(value: str) -> bool:
    """Whether a value under a place key reads as a street address: words and a house
    number, short ("avenyn 75", "Stora Gatan 47B, 722 15 Västerås")."""
    words = TOKEN.findall(value)
    return (
        0 < len(value) <= MAX_VALUE_CHARS
        and 1 <= len(words) <= 8
        and _HOUSE_NUMBER.search(value) is not None
        and not any(w.casefold() in NOT_PLACES for w in words)  # "Terminal 5", "rum 12"
    )


def _covers(found: list[Entity], value: str) -> bool:
    """Whether ``found`` masks every letter and digit of ``value``."""
    covered = [False] * len(value)
    for e in found:
        for i in range(e.start, min(e.end, len(value))):
            covered[i] = True
    return all(covered[i] or not ch.isalnum() for i, ch in enumerate(value))


def person_value(value: str) -> bool:
    """Whether a value found under a person key reads as somebody's name."""
    if not value or len(value) > MAX_VALUE_CHARS or any(c.isdigit() for c in value):
        return False
    words = TOKEN.findall(value)
    if not 1 <= len(words) <= MAX_WORDS:
        return False
    lexicon = load_lexicon()
    folded = [w.casefold() for w in words]
    if all(w in lexicon.relationship_words for w in folded):
        return False
    # Under a person key a listed first name is a name even where the same word is also a
    # place or a verb elsewhere ("contact": "Klara").
    if any(lexicon.is_first_name(w) for w in folded if w not in lexicon.relationship_words):
        return True
    if normalise_phrase(value) in lexicon.non_name_phrases:
        return False
    return any(lexicon.is_known_name(w) for w in folded if w not in lexicon.relationship_words)


def person_field_entities(key: object, value: str, found: list[Entity]) -> list[Entity]:
    """``found`` plus, for a name-valued person field the recognizers missed, the whole
    value as one PERSON entity; nothing under a label key."""
    if is_label_key(key):
        return []
    if isinstance(key, str) and key.casefold() in MACHINE_TEXT_KEYS:
        found = machine_text_entities(value, found)
    if is_place_key(key) and place_value(value) and not _covers(found, value):
        start = len(value) - len(value.lstrip())
        return [Entity(start, len(value.rstrip()), "ADDRESS", SCORE)]
    if not is_person_key(key) or not person_value(_PLACEHOLDERS.sub(" ", value)):
        return found
    if found and all(e.type != "PERSON" for e in found):
        return found  # a phone number or address under "to": masked as what it is
    # Recognizers may have found only part of the name ("Klara <PERSON>", "Alice <PERSON>"):
    # if what they left still reads as a name, the value is masked whole.
    rest = value
    for e in sorted(found, key=lambda e: e.start, reverse=True):
        rest = rest[: e.start] + " " + rest[e.end :]
    if found and not person_value(rest):
        return found
    start = len(value) - len(value.lstrip())
    end = len(value.rstrip())
    return [Entity(start, end, "PERSON", SCORE)]


def machine_text_entities(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` corrected for text a program wrote: lower-case PERSON spans without a
    listed name dropped, name-valued ``key: value`` pairs added."""
    lexicon = load_lexicon()
    kept = [
        e
        for e in found
        if e.type != "PERSON"
        or any(c.isupper() for c in text[e.start : e.end])
        or any(lexicon.is_known_name(w.casefold()) for w in TOKEN.findall(text[e.start : e.end]))
    ]
    added = [
        Entity(m.start("value"), m.end("value"), "PERSON", SCORE)
        for m in _KEYED_VALUE.finditer(text)
        if person_value(m.group("value"))
        and not any(e.start < m.end("value") and m.start("value") < e.end for e in kept)
    ]
    return resolve_overlaps(kept + added) if added else kept


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ ]$")
_WORD_AFTER = re.compile(r"[ ]([^\W\d_]+(?:-[^\W\d_]+)?)\b")


def extend_first_names(text: str, entities: list[Entity]) -> list[Entity]:
    """PERSON spans grown over the rest of the name around them.

    The name rules leave a first name that is also a word or the assistant's own name out of
    a full name ("Klara Lindqvist", "Alice Andersson" became "Klara <PERSON>"): a listed first
    name right before a PERSON span, in the same case, joins it. The producer's ``<FULLNAME>``
    often took a verb and the first name ("Mejla Karin" of "Mejla Karin Lind"), leaving the
    surname: a capitalised listed surname or first name right after a PERSON span joins it."""
    if not any(e.type == "PERSON" for e in entities):
        return entities
    lexicon = load_lexicon()
    out: list[Entity] = []
    for entity in entities:
        if entity.type == "PERSON":
            start, end = entity.start, entity.end
            m = _WORD_BEFORE.search(text, max(0, start - 40), start) if start > 1 else None
            if m is not None:
                word = m.group(1)
                same_case = word[0].isupper() == text[start].isupper()
                if same_case and lexicon.is_first_name(word.casefold()):
                    start = m.start(1)
            after = _WORD_AFTER.match(text, end)
            if after is not None and after.group(1)[0].isupper():
                folded = after.group(1).casefold()
                if lexicon.is_surname(folded) or lexicon.is_first_name(folded):
                    end = after.end(1)
            if (start, end) != (entity.start, entity.end):
                entity = Entity(start, end, entity.type, entity.score)
        out.append(entity)
    return resolve_overlaps(out)
