"""Name gazetteer and non-name stoplists for Swedish PERSON detection.

The lists live as plain text under ``pipelines/pii/names/`` so they can be reviewed and
extended without touching code. Hand-written lists come from knowledge of SCB's name
statistics; ``corpus_*.txt`` are harvested from the *training* split of the person corpus by
``benchmarks/train_ner.py`` (never from the held-out part). Everything is case-folded once at
load time so lookups are plain set membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NAMES_DIR = Path(__file__).resolve().parent / "names"

# Surname endings that are productive in Swedish family names (Johansson, Lindberg,
# Bergström, Lindqvist, Berglund, Lindgren, ...). Applied only to tokens of 5+ letters whose
# stem is at least three letters, so plain words such as "berg" or "lund" do not match.
_SURNAME_SUFFIX = re.compile(
    r"^[^\W\d_]{3,}(?:sson|son|berg|bergh|ström|strom|qvist|quist|kvist|lund|gren|dahl|holm|"
    r"blad|stedt|ander|lander|ell|én|lin|dotter)$"
)
# -én/-ell/-lin are short and occur in ordinary words; require a longer token for them.
_SHORT_SUFFIXES = ("lin", "én", "ell")
# Irish and Italian surnames with an elided prefix ("O'Neal", "D'Alema"); the corpus writes
# them "O ' Neal", which ``PersonRules.prepare`` joins into one word first. No place or
# organisation in the lists has this shape. D' only with a capital: "coup d'état".
_ELIDED_SURNAME = re.compile(r"^[od]['’][^\W\d_]{3,}$")


def looks_like_surname(folded: str) -> bool:
    """True if a case-folded token has Swedish surname morphology (e.g. -sson, -berg, -qvist)."""
    if _ELIDED_SURNAME.match(folded):
        return True
    if len(folded) < 6 or not _SURNAME_SUFFIX.match(folded):
        return False
    return not (folded.endswith(_SHORT_SUFFIXES) and len(folded) < 7)


# Endings that ordinary lower-case words share ("aktuell", "nyhetsblad", "kalander"):
# without a capital letter they are no evidence of a surname.
_WEAK_LOWER_SUFFIXES = ("ell", "én", "lin", "ander", "blad")


def lower_surname_shape(folded: str) -> bool:
    """Surname morphology that holds up in lower-case text ("södergren", "hansdotter",
    "lindqvist"), i.e. without the endings ordinary words share."""
    if _ELIDED_SURNAME.match(folded):
        return folded[0] == "o"  # "o'neal"; "d'" is French elision in lower case ("d'état")
    return looks_like_surname(folded) and not folded.endswith(_WEAK_LOWER_SUFFIXES)


def _read_list(name: str) -> list[str]:
    path = NAMES_DIR / name
    if not path.exists():
        return []
    entries: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def _folded(name: str) -> frozenset[str]:
    return frozenset(entry.casefold() for entry in _read_list(name))


def _folded_words(name: str) -> frozenset[str]:
    """Word lists may hold several words per line; every whitespace-separated word counts."""
    return frozenset(word.casefold() for entry in _read_list(name) for word in entry.split())


def normalise_phrase(text: str) -> str:
    """Fold case and whitespace so multi-word stoplist phrases compare reliably."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class PersonLexicon:
    """Case-folded lookup sets used by the rules, the cue and the precision filter."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    corpus_names: frozenset[str]
    ambiguous: frozenset[str]
    non_name_phrases: frozenset[str]
    phrase_starts: frozenset[str]  # first words of non_name_phrases (and genitive forms)
    longest_phrase: int
    non_name_tokens: frozenset[str]
    relationship_words: frozenset[str]
    greeting_words: frozenset[str]
    cue_words: frozenset[str]
    strong_cue_words: frozenset[str]
    vocabulary: frozenset[str]

    def is_first_name(self, folded: str) -> bool:
        """A listed first name, or a hyphenated combination of them (Anna-Karin, Per-Olof)."""
        if folded in self.first_names:
            return True
        if "-" in folded:
            parts = folded.split("-")
            return all(part in self.first_names for part in parts if part)
        return False

    def is_surname(self, folded: str) -> bool:
        """A listed or corpus-harvested surname, a double-barrelled one, or surname morphology."""
        if folded in self.surnames or looks_like_surname(folded):
            return True
        if "-" in folded:
            parts = [part for part in folded.split("-") if part]
            return bool(parts) and all(
                part in self.surnames or looks_like_surname(part) for part in parts
            )
        return False

    def is_known_name(self, folded: str) -> bool:
        """Any name evidence: gazetteer first name or surname, or a corpus-harvested name."""
        return self.is_first_name(folded) or self.is_surname(folded) or folded in self.corpus_names


# Cue words after which even an ambiguous word ("per", "björn", "bo") is read as a name.
_STRONG_CUES = (
    "ring",
    "ringa",
    "ringer",
    "sms:a",
    "smsa",
    "messa",
    "maila",
    "mejla",
    "heter",
    "hette",
    "kontakta",
    "kontakten",
    "chatta",
    "facetime",
    "videosamtal",
    "gratta",
    "hälsa",
)

_GREETING_WORDS = (
    "hej",
    "hejsan",
    "hallå",
    "tjena",
    "tjenare",
    "tja",
    "god",
    "glad",
    "gott",
    "glatt",
    "trevlig",
    "kära",
    "käre",
    "bäste",
    "bästa",
    "grattis",
    "tack",
    "välkommen",
    "hälsningar",
    "mvh",
    "kram",
    "kramar",
    "snälla",
    "älskade",
    "morgon",
    "kväll",
    "natt",
    "jul",
    "påsk",
    "midsommar",
    "helg",
    "nytt",
)


@cache
def load_lexicon() -> PersonLexicon:
    """Load every list once per process (about 20k entries, a few milliseconds)."""
    first_names = _folded("first_names.txt") | _folded("first_names_international.txt")
    surnames = _folded("surnames.txt") | _folded("surnames_international.txt")
    corpus_names = _folded("corpus_names.txt")
    vocabulary = (
        _folded_words("corpus_vocabulary.txt")
        | _folded_words("command_vocabulary.txt")
        | _folded_words("everyday_vocabulary.txt")
        | _folded_words("assistant_vocabulary.txt")
    )
    # Names that also occur as ordinary lower-case words are ambiguous as well ("ville", "linda").
    listed_ambiguous = _folded("ambiguous_words.txt")
    ambiguous = listed_ambiguous | ((first_names | surnames) & vocabulary)
    phrases = frozenset(
        normalise_phrase(entry)
        for name in ("places.txt", "organisations.txt", "greetings.txt", "corpus_non_names.txt")
        for entry in _read_list(name)
    )
    cue_words = _folded("cue_words.txt")
    firsts = {phrase.split()[0] for phrase in phrases if phrase}
    phrase_starts = frozenset(firsts | {word + "s" for word in firsts})
    return PersonLexicon(
        first_names=first_names,
        surnames=surnames,
        corpus_names=corpus_names - vocabulary,
        ambiguous=ambiguous,
        non_name_phrases=phrases,
        phrase_starts=phrase_starts,
        longest_phrase=max((len(phrase.split()) for phrase in phrases), default=1),
        non_name_tokens=_folded("non_name_tokens.txt"),
        relationship_words=_folded("relationship_words.txt"),
        greeting_words=frozenset(_GREETING_WORDS),
        cue_words=cue_words | frozenset(_STRONG_CUES),
        strong_cue_words=frozenset(_STRONG_CUES),
        vocabulary=vocabulary - first_names - surnames - corpus_names,
    )
