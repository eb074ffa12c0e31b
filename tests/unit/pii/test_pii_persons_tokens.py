"""The person rules' tokenizer flags and their per-word memos."""

from __future__ import annotations

import pytest

from pipelines.pii import persons_rules
from pipelines.pii.persons_lexicon import load_lexicon
from pipelines.pii.persons_rules import PersonRules
from pipelines.pii.persons_tokens import is_uncased, tokenize


def test_tokens_carry_sentence_starts_joins_and_addresses() -> None:
    text = 'Ring Anna-Lena. Mejla "Erik" på erik@firma.se - Mark- och miljödomstolen'
    tokens = {token.text: token for token in tokenize(text)}
    assert tokens["Ring"].sentence_start and not tokens["Ring"].joined_to_previous
    assert tokens["Anna-Lena"].joined_to_previous and not tokens["Anna-Lena"].sentence_start
    assert tokens["Mejla"].sentence_start  # after ". "
    assert tokens["Erik"].sentence_start and not tokens["Erik"].joined_to_previous  # quote
    assert tokens["firma"].in_address and not tokens["på"].in_address
    assert tokens["Mark"].compound_prefix and tokens["Mark"].sentence_start  # after " - "
    assert tokens["miljödomstolen"].joined_to_previous
    assert [t.folded for t in tokenize("SVT och Erik")] == ["svt", "och", "erik"]
    assert [t.capital for t in tokenize("SVT och Erik")] == [False, False, True]


@pytest.mark.parametrize(
    ("text", "uncased"),
    [
        ("ring erik johansson", True),
        ("Ring erik", True),  # short, capital only at the start
        ("Ring Erik", False),
        ("Det var en lång mening om vädret i dag och i morgon. Sedan regn", False),
        ("det var en lång mening om vädret i dag och i morgon sedan regn", True),
    ],
)
def test_uncased_text(text: str, uncased: bool) -> None:
    assert is_uncased(tokenize(text)) is uncased


def test_word_memos_answer_as_the_lexicon_does_and_stay_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = ["erik", "eriks", "johansson", "per", "björn", "bord", "lindqvists", "xq"] * 3
    fresh = [
        (PersonRules(load_lexicon()).first_name(w), PersonRules(load_lexicon()).surname(w))
        for w in words
    ]
    monkeypatch.setattr(persons_rules, "WORD_MEMO_ENTRIES", 3)
    rules = PersonRules(load_lexicon())
    assert [(rules.first_name(w), rules.surname(w)) for w in words] == fresh
    assert [rules.ambiguous(w) for w in words] == [
        PersonRules(load_lexicon()).ambiguous(w) for w in words
    ]
    assert max(len(rules._first_names), len(rules._surnames), len(rules._ambiguous)) <= 3
    assert fresh[0][0] and fresh[2][1] and fresh[5] == (False, False)  # erik, johansson, bord
