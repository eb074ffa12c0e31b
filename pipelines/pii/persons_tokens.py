"""Words of an utterance as the person rules see them, and candidate name spans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.pii.persons_words import ADDRESS, BREAK, FILE_PATH, TOKEN

MAX_NAME_TOKENS = 5
SHORT_TEXT_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the input with what the rules need to know about it."""

    start: int
    end: int
    text: str
    folded: str
    capital: bool  # starts with an upper-case letter and is not an acronym ("SVT")
    sentence_start: bool  # first word of the text, a sentence, a quote or a bracket
    joined_to_previous: bool  # only a single space or hyphen separates it from the previous
    compound_prefix: bool = False  # "Mark-" in "Mark- och miljödomstolen": not a name
    in_address: bool = False  # part of an e-mail address or URL ("erik@företag.se")
    in_path: bool = False  # part of a file reference ("tts/t-9e3f.opus"): rules judge it alone


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person span as token indices [first, last] plus where the evidence came from."""

    first: int
    last: int
    rule: bool
    model: bool


def tokenize(text: str) -> list[Token]:
    """Word tokens with capitalisation and sentence-start flags."""
    tokens: list[Token] = []
    previous_end = 0
    addresses = [m.span() for m in ADDRESS.finditer(text)] if "@" in text or "/" in text else []
    paths = [m.span() for m in FILE_PATH.finditer(text)] if "/" in text or "\\" in text else []
    for match in TOKEN.finditer(text):
        word = match.group()
        gap = text[previous_end : match.start()]
        sentence_start = not tokens or bool(BREAK.search(gap))
        is_acronym = len(word) > 1 and word.isupper()
        tokens.append(
            Token(
                start=match.start(),
                end=match.end(),
                text=word,
                folded=word.casefold(),
                capital=word[0].isupper() and not is_acronym,
                sentence_start=sentence_start,
                joined_to_previous=bool(tokens) and gap in (" ", "-"),
                compound_prefix=text[match.end() : match.end() + 2] in ("- ", "-"),
                in_address=any(start <= match.start() < end for start, end in addresses),
                in_path=any(start <= match.start() < end for start, end in paths),
            )
        )
        previous_end = match.end()
    return tokens


def is_uncased(tokens: Sequence[Token]) -> bool:
    """ASR-like or casually typed text, where names may be written in lower case.

    Text without any capital is uncased. A short text ("Ring erik") with capitals only at
    sentence starts is too; a long one is prose that simply names no one.
    """
    if any(token.capital and not token.sentence_start for token in tokens):
        return False
    return len(tokens) <= SHORT_TEXT_TOKENS or not any(token.capital for token in tokens)
