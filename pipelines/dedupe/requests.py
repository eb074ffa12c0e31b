"""The key a text is clustered by: what a request asks for, not how it was said.

Character 4-gram MinHash cannot tell "tänd lampan i köket" from "släck lampan i köket" (Jaccard
~0.6) and no single threshold separates short commands: raise it and real duplicates are lost.
So the key removes what never changes a request — the wake word ("Alice", "hej Alice"),
politeness ("snälla", "tack", "kan du …"), fillers ("eh", "typ", "nu"), a word said twice —
and puts the infinitive after "kan du" back in the imperative ("kan du tända" = "tänd"). Then:

- **requests** — at most ``SHORT_MAX_TOKENS`` words left, or up to ``REQUEST_MAX_TOKENS`` when
  the first word is a command verb or a question word — are compared **exactly**: the key is
  ``EXACT_MARK`` + the words, hashed as one shingle, so two requests cluster only when every
  remaining word agrees — action, object, place, time, number, negation alike;
- **longer texts** keep character 4-grams, but each shingle is tagged with the text's contrast
  words (the poles of actions — tänd/släck, öppna/stäng, … — and negation): texts that differ
  there share no shingle, everything else is compared as before.

The key is a plain string, so signatures stay datasketch-compatible: ``shingles(key)`` lists
exactly what is hashed.
"""

from __future__ import annotations

import hashlib
import itertools

from pipelines.dedupe.normalize import EXACT_MARK, EXACT_SHINGLES, TAG_SEP, key_tokens

SHORT_MAX_TOKENS = 6
"""Texts of at most this many words (after removals) are compared exactly."""
REQUEST_MAX_TOKENS = 12
"""Texts that read as a request (a command verb or question word first) are compared exactly up
to this many words: "vad blir vädret i göteborg i helgen" and "… i malmö …" must stay apart."""
REQUEST_OPENERS = frozenset(
    {
        "tänd", "släck", "öppna", "stäng", "höj", "sänk", "lås", "starta", "stoppa", "pausa",
        "boka", "avboka", "flytta", "ring", "skicka", "påminn", "spela", "dimma", "radera",
        "sätt", "ställ", "lägg", "ta", "visa", "sök", "läs", "skriv", "kör", "navigera", "väck",
        "byt", "spara", "ändra", "hitta", "berätta", "säg", "svara", "meddela", "sms", "maila",
        "mejla", "vad", "hur", "vem",
        "vilken", "vilket", "vilka", "varför", "finns",
    }
)  # fmt: skip

WAKE_WORDS = frozenset({"alice"})
MASKED_NAME = "<person>"
_GREETINGS = frozenset({"hej", "hallå", "okej", "ok", "hörru", "hejsan"})
FILLERS = frozenset(
    {
        "snälla", "tack", "tackar", "vänligen", "eh", "ehm", "öh", "öhm", "hmm", "mm", "äh",
        "alltså", "asså", "liksom", "typ", "ba", "ju", "nu", "då",
    }
)  # fmt: skip
_POLITE_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("jag", "vill", "att", "du"),
    ("skulle", "du", "kunna"),
    ("kan", "du", "vara", "snäll", "och"),
    ("kan", "du"),
    ("kan", "ni"),
    ("vill", "du"),
)
# Infinitive → imperative of the assistant's command verbs whose forms differ (verbs ending
# in -a in both, like "spela" or "öppna", need no entry).
IMPERATIVE = {
    "tända": "tänd", "släcka": "släck", "stänga": "stäng", "höja": "höj", "sänka": "sänk",
    "låsa": "lås", "ringa": "ring", "lägga": "lägg", "sätta": "sätt", "ställa": "ställ",
    "påminna": "påminn", "skriva": "skriv", "köra": "kör", "läsa": "läs", "söka": "sök",
    "stryka": "stryk", "tömma": "töm", "välja": "välj", "byta": "byt",
}  # fmt: skip
CONTRAST_WORDS = frozenset(
    {
        "tänd", "släck", "öppna", "stäng", "höj", "sänk", "starta", "stoppa", "boka", "avboka",
        "inte", "ej", "aldrig", "icke",
    }
)  # fmt: skip
"""Words that tag the shingles of longer texts: the poles of the assistant's actions and
negation. Kept short: a misspelt or dropped tag word parts real variants of long texts."""


_REMOVABLE = WAKE_WORDS | FILLERS | {MASKED_NAME}
_POLITE_FIRST = frozenset(prefix[0] for prefix in _POLITE_PREFIXES)


def _key_version() -> str:
    """A digest of every rule above: stored sketches of another version are not comparable."""
    rules = repr(
        (
            EXACT_SHINGLES,
            SHORT_MAX_TOKENS,
            REQUEST_MAX_TOKENS,
            sorted(REQUEST_OPENERS),
            sorted(WAKE_WORDS),
            sorted(_GREETINGS),
            sorted(FILLERS),
            _POLITE_PREFIXES,
            sorted(IMPERATIVE.items()),
            sorted(CONTRAST_WORDS),
        )
    )
    return "req-" + hashlib.sha256(rules.encode("utf-8")).hexdigest()[:8]


KEY_VERSION = _key_version()


def _strip_wake(tokens: list[str]) -> list[str]:
    """The wake word (after a greeting or alone) at the start or the end; a masked name right
    before a request ("<PERSON>, tänd lampan") is the wake word the masker took for a name."""
    if len(tokens) >= 2 and tokens[0] in _GREETINGS and tokens[1] in WAKE_WORDS:
        tokens = tokens[2:]
    elif (tokens and tokens[0] in WAKE_WORDS) or (
        len(tokens) >= 2 and tokens[0] == MASKED_NAME and tokens[1] in REQUEST_OPENERS
    ):
        tokens = tokens[1:]
    if tokens and tokens[-1] in WAKE_WORDS:
        tokens = tokens[:-1]
    return tokens


def _strip_polite(tokens: list[str]) -> tuple[list[str], bool]:
    for prefix in _POLITE_PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            return tokens[len(prefix) :], True
    return tokens, False


def request_words(text: str) -> list[str]:
    """The words of ``text`` that say what is asked (see the module docstring)."""
    tokens = key_tokens(text)
    if not tokens:
        return []
    words = tokens
    if not _REMOVABLE.isdisjoint(tokens):  # most texts have nothing to remove
        words = _strip_wake(words)
        words = [w for w in words if w not in FILLERS]
        words = _strip_wake(words)  # "snälla Alice, …"
    if words and words[0] in _POLITE_FIRST:
        words, polite = _strip_polite(words)
        if polite:
            words = [IMPERATIVE.get(words[0], words[0]), *words[1:]]
    if len(words) <= REQUEST_MAX_TOKENS and any(
        a == b for a, b in itertools.pairwise(words)
    ):  # a word said twice, in a request (longer texts keep their words)
        words = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
    return words or tokens  # "tack" alone, "hej Alice": the words are the request


def request_key(text: str) -> str:
    """The clustering key: exact for short requests, contrast-tagged 4-grams otherwise."""
    words = request_words(text)
    if not words:
        return ""
    limit = REQUEST_MAX_TOKENS if words[0] in REQUEST_OPENERS else SHORT_MAX_TOKENS
    if len(words) <= limit:
        return EXACT_MARK + " ".join(words)
    tag = "+".join(sorted(CONTRAST_WORDS.intersection(words)))
    body = " ".join(words)
    return f"{tag}{TAG_SEP}{body}" if tag else body
