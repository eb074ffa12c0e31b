"""Names that are whole values of structured fields: ``{"to": "Britt"}``, ``{"with": "per"}``.

A lone first name carries no sentence context, so the name rules and model, tuned not to
mask "Per" in "fem kronor per dag", let it through — while the key says plainly that the
value is a person. Tool arguments and slots therefore get one more rule: under a person key,
a short value without digits is a PERSON when one of its words is a listed first name,
surname or corpus name, and the value is not a known place or organisation or made only of
relationship words ("mamma", "chefen" are not personal data).
"""

from __future__ import annotations

from pipelines.pii.entities import Entity
from pipelines.pii.persons_lexicon import load_lexicon, normalise_phrase
from pipelines.pii.persons_words import TOKEN

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
MAX_VALUE_CHARS = 80
MAX_WORDS = 5
SCORE = 0.8


def is_label_key(key: object) -> bool:
    return isinstance(key, str) and key.casefold() in NEVER_PERSONAL_KEYS


def is_person_key(key: object) -> bool:
    return isinstance(key, str) and key.casefold().replace("-", "_") in PERSON_KEYS


def person_value(value: str) -> bool:
    """Whether a value found under a person key reads as somebody's name."""
    if not value or len(value) > MAX_VALUE_CHARS or any(c.isdigit() for c in value):
        return False
    words = TOKEN.findall(value)
    if not 1 <= len(words) <= MAX_WORDS:
        return False
    lexicon = load_lexicon()
    if normalise_phrase(value) in lexicon.non_name_phrases:
        return False
    folded = [w.casefold() for w in words]
    if all(w in lexicon.relationship_words for w in folded):
        return False
    return any(lexicon.is_known_name(w) for w in folded if w not in lexicon.relationship_words)


def person_field_entities(key: object, value: str, found: list[Entity]) -> list[Entity]:
    """``found`` plus, for a name-valued person field the recognizers missed, the whole
    value as one PERSON entity; nothing under a label key."""
    if is_label_key(key):
        return []
    if found or not is_person_key(key) or not person_value(value):
        return found
    start = len(value) - len(value.lstrip())
    end = len(value.rstrip())
    return [Entity(start, end, "PERSON", SCORE)]
