"""Tokenizer: words, digit runs and single punctuation marks, with their string offsets.

Digits and letters are split even when glued ("14april", "feb13", "15h"), because written
Swedish glues them freely; `gap` records whether whitespace came before a token, which the
grammar needs to tell "15:20" from "15 : 20".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+|[^\W\d_]+|\S")


@dataclass(slots=True)
class Token:
    """One token: lower-cased text, offsets into the original string, and spacing."""

    text: str
    start: int
    end: int
    gap: bool  # whitespace (or the start of the text) before the token
    is_num: bool
    is_word: bool


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`; offsets are Python string indices into `text` itself."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few code points change length when lower-cased
        lowered = "".join(ch.lower()[:1] or ch for ch in text)
    tokens: list[Token] = []
    previous_end = -1
    for m in _TOKEN.finditer(lowered):
        s = m.group()
        start, end = m.span()
        tokens.append(Token(s, start, end, start != previous_end, s.isdecimal(), s.isalpha()))
        previous_end = end
    return tokens
