"""A first name right after a request to contact or meet someone: "slå en signal till karl".

Speech recognition writes names in lower case, and many Swedish first names are also words
("per", "karl", "bo", "hans"), so the name rules let a lone lower-case one pass unless a strong
cue precedes it. In the assistant's commands the strongest cues are phrases, not words: "slå en
signal till", "sms till", "möte med", "fika med". After such a phrase a listed first name (and a
surname after it) is the person contacted. A first name that is also a word must end the
request there — be followed by a time, a preposition, "och", "att" or nothing — so "möte med
per telefon" and "lunch med hans chef" stay as they are. Handing something over is such a
phrase too: "skicka paketet till britt" (a place after it is no listed first name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipelines.pii.persons_lexicon import load_lexicon
from pipelines.pii.recognizers_base import Span, ValidatedPatternRecognizer

RECOGNIZER_NAME = "NameAfterContactPhrase"
CONTACT_PHRASES = (
    r"sl[åa]\s+en\s+signal\s+till", r"ring(?:a|er)?(?:\s+upp)?", r"sms(?::?a)?(?:\s+till)?",
    r"messa", r"mejla", r"maila", r"meddela", r"kontakta", r"skriv\s+till", r"svara",
    r"(?:ett\s+)?(?:sms|mejl|mail|meddelande)\s+till",
    r"(?:möte|mötet|fika|fikat|lunch|lunchen|middag|middagen|träff|träffen|samtal|samtalet"
    r"|avstämning|avstämningen|videosamtal|lektion|tid)\s+med",
    r"träffa|bjud\s+in|påminn",
    # handing something over: "skicka paketet till britt", "swisha 200 kr till björn"
    r"(?:skicka|posta|lämna|swisha|överför|leverera)(?:\s+[\w:]+){0,3}?\s+till",
)  # fmt: skip
# What may follow a first name that is also an ordinary word, for it to be read as a name.
_AFTER_AMBIGUOUS = frozenset(
    {"imorgon", "idag", "ikväll", "inatt", "i", "på", "om", "kl", "klockan", "att", "och",
     "nu", "sen", "senare", "efter", "före", "till", "från", "direkt", "snart",
     "imorrn", "imorn", "tack", "nästa", "innan", "med"}
)  # fmt: skip
_NOT_NAMES_AFTER = frozenset(
    {"telefon", "post", "mejl", "mail", "sms", "person", "styck", "dag", "vecka", "månad",
     "timme", "år", "capita", "gång"}
)  # fmt: skip
_WORD = r"[a-zåäöéüA-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[a-zåäöéüA-ZÅÄÖÉÜ][a-zåäöéü]+)?"
SCORE = 0.8
_GLUED = re.compile(r"[@_]|\.\w")


class ContactNameRecognizer(ValidatedPatternRecognizer):
    """PERSON for a listed first name (and a surname after it) after a contact phrase."""

    entity = "PERSON"
    gate = (
        r"(?i:signal|ring|sms|mess|mejl|mail|medd|kontakt|skriv|svara|med\b|träff|bjud|påminn"
        r"|skicka|posta|lämna|swisha|överför|leverera)"
    )

    def __init__(self) -> None:
        phrases = "|".join(CONTACT_PHRASES)
        pattern = rf"\b(?:{phrases})\s+(?P<first>{_WORD})(?:\s+(?P<last>{_WORD}))?"
        self.trigger = re.compile(rf"\b(?:{phrases})\s", re.IGNORECASE)
        super().__init__([("name after contact phrase", pattern, SCORE)], flags=re.IGNORECASE,
                         name=RECOGNIZER_NAME)  # fmt: skip

    def spans(self, match: re.Match[str], text: str, score: float) -> Iterator[Span]:
        if _GLUED.match(text, match.end()):
            return  # the local part of an e-mail address or a dotted identifier
        lexicon = load_lexicon()
        first = match.group("first").casefold()
        if not lexicon.is_first_name(first) or first in lexicon.relationship_words:
            return
        last = match.group("last")
        if last is not None and lexicon.is_surname(last.casefold()):
            yield match.start("first"), match.end("last"), score
            return
        following = (last or "").casefold()
        if following in _NOT_NAMES_AFTER:
            return
        if first in lexicon.ambiguous and following and following not in _AFTER_AMBIGUOUS:
            return
        yield match.start("first"), match.end("first"), score
