"""Merging rule and model spans, and the precision filter.

Removes what neither rules nor model should mask: places ("Gamla Stan"), organisations
("Sveriges Radio"), greetings ("Glad Påsk"), relationship words ("ring mamma"), everyday
words that are also names ("per dag", "en björn", "bo i", "första maj"), allow-listed names
(the assistant's own name), and model guesses with no support (acronyms, "i Kelowna").
"""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.pii.persons_lexicon import normalise_phrase
from pipelines.pii.persons_rules import PersonRules
from pipelines.pii.persons_tokens import SHORT_TEXT_TOKENS, Candidate, Token, is_uncased
from pipelines.pii.persons_words import (
    LOCATIVE,
    NAME_CONTEXT,
    NOUN_ENDINGS,
    ORG_HEADS,
    PLACE_SHAPE,
    SPOKE_TO,
    TITLE_ENDINGS,
    non_name_compound,
)


class PrecisionFilter:
    """Merges candidate spans and keeps only those that pass the precision rules."""

    def __init__(self, rules: PersonRules) -> None:
        self.rules = rules
        self.lex = rules.lex
        self.allow = rules.allow

    def merge(
        self,
        tokens: Sequence[Token],
        rule: list[Candidate],
        model: list[Candidate],
        stop: set[int],
    ) -> list[Candidate]:
        """Union of overlapping rule and model spans (a name is one span).

        A model span first loses stoplisted words at its edges and is then completed over
        adjacent capitalised words the model left out ("Dani" in "Dani Alves" when only
        "Alves" was tagged)."""
        completed: list[Candidate] = []
        for cand in model:
            first, last = cand.first, cand.last
            while first <= last and first in stop:  # "Rio" of a stoplisted place
                first += 1
            while last >= first and last in stop:
                last -= 1
            if first > last:
                continue
            if tokens[first].capital:
                first = self.rules.extend(tokens, first, stop, capital=True)[0]
            if tokens[last].capital:
                last = self.rules.extend(tokens, last, stop, capital=True)[1]
            completed.append(Candidate(first, last, cand.rule, cand.model))
        merged: list[Candidate] = []
        for cand in sorted(rule + completed, key=lambda c: (c.first, c.last)):
            if merged and cand.first <= merged[-1].last:
                prev = merged[-1]
                merged[-1] = Candidate(
                    prev.first,
                    max(prev.last, cand.last),
                    prev.rule or cand.rule,
                    prev.model or cand.model,
                )
            else:
                merged.append(cand)
        return merged

    def _trim(self, tokens: Sequence[Token], cand: Candidate, stop: set[int]) -> Candidate | None:
        first, last = cand.first, cand.last

        def droppable(j: int) -> bool:
            token = tokens[j]
            folded = token.folded
            if folded in self.lex.greeting_words:
                return True
            if folded in self.lex.relationship_words or folded in self.lex.cue_words:
                return not self.rules.first_name(folded)
            if folded in self.allow:
                return True
            if self.rules.known_word(folded) and not self.rules.name_evidence(folded):
                return not token.capital or token.sentence_start
            return False

        while first <= last and droppable(first):
            first += 1
        while last >= first and droppable(last):
            last -= 1
        if first > last:
            return None
        return Candidate(first, last, cand.rule, cand.model)

    def _next_to_stop(self, tokens: Sequence[Token], j: int, joined: int, stop: set[int]) -> bool:
        """Token j is a capitalised non-name word written together with the span."""
        if j < 0 or j >= len(tokens) or j not in stop or not tokens[joined].joined_to_previous:
            return False
        if tokens[joined].sentence_start:
            return False
        neighbour = tokens[j]
        if neighbour.sentence_start and j < joined and neighbour.folded.endswith(NOUN_ENDINGS):
            return False  # a title opening the sentence: "Hovrättsrådet Fredrik Wärsell"
        head = neighbour.folded in self.lex.non_name_tokens or non_name_compound(neighbour.folded)
        return head and neighbour.capital and neighbour.folded not in self.lex.greeting_words

    def keep(self, tokens: Sequence[Token], cand: Candidate, stop: set[int]) -> bool:
        """The precision rules for one candidate span."""
        words = tokens[cand.first : cand.last + 1]
        if any(cand.first <= j <= cand.last for j in stop):
            return False
        if self._next_to_stop(tokens, cand.first - 1, cand.first, stop) or self._next_to_stop(
            tokens, cand.last + 1, cand.last + 1, stop
        ):
            return False  # part of a longer non-name: "Lex Maria", "DeMille Award"
        phrase = normalise_phrase(" ".join(token.text for token in words))
        if phrase in self.lex.non_name_phrases or (
            phrase.endswith("s")
            and phrase[:-1] in self.lex.non_name_phrases
            and not self._listed_whole(phrase)
        ):
            return False
        if all(token.folded in self.allow for token in words):
            return False
        if all(token.folded in self.lex.relationship_words for token in words):
            return False
        after = cand.last + 1
        if (
            after < len(tokens)
            and words[-1].folded.endswith("s")
            and tokens[after].folded in ORG_HEADS
            and tokens[after].joined_to_previous
        ):
            return False
        if cand.rule:
            return True
        lower_in_cased_text = not any(token.capital for token in words) and not is_uncased(tokens)
        if lower_in_cased_text and not self.rules.cue_before(tokens, cand.first)[1]:
            return False  # in cased text a name is capitalised unless a cue says otherwise
        # model-only spans need some support beyond the model's guess
        if not any(token.capital or token.text.islower() for token in words):
            return False  # only acronyms and codes ("IBAN DE89…")
        if not any(token.capital for token in words) and not self._lower_support(tokens, cand):
            return False  # lower-case guess without a listed name or a cue: "wire", "queen"
        if self._spoken_to(tokens, cand.first):
            return False  # "säger han till Norrbottens-Kuriren": a newspaper
        if len(words) == 1:
            return self._single_model_word(tokens, cand.first)
        if PLACE_SHAPE.match(words[-1].folded) and not any(
            self.rules.name_evidence(token.folded) for token in words
        ):
            return False  # "Saltsjö Duvnäs": a place name's ending, no name in it
        return not all(self.rules.known_word(token.folded) for token in words)

    def _listed_whole(self, phrase: str) -> bool:
        """A single word on the first-name lists as it stands, not as a genitive: "Abbas"
        is no "Abba's" (surnames stay out: "Lyons" is mostly Lyon's)."""
        return " " not in phrase and self.lex.is_first_name(phrase)

    @staticmethod
    def _spoken_to(tokens: Sequence[Token], i: int) -> bool:
        """Right after "till"/"för" that follows a reporting verb and a pronoun or name."""
        if i < 3 or tokens[i - 1].folded not in ("till", "för"):
            return False
        return any(tokens[j].folded in SPOKE_TO for j in range(max(0, i - 7), i - 1))

    def _lower_support(self, tokens: Sequence[Token], cand: Candidate) -> bool:
        """Evidence for a lower-case model span beyond the model: a word with name evidence
        (lists, harvested names, surname morphology) or a cue, reporting verb or title
        right before it ("ring zlatan", "sade merkel", "skulptören auguste rodin")."""
        rules = self.rules
        words = tokens[cand.first : cand.last + 1]
        if len(tokens) <= SHORT_TEXT_TOKENS:
            return True  # a short request ("spela robyn"): the model learnt those well
        if any(rules.name_evidence(token.folded) for token in words):
            return True
        if cand.first == 0 or tokens[cand.first].sentence_start:
            return False
        previous = tokens[cand.first - 1].folded
        return (
            rules.cue_before(tokens, cand.first)[1]
            or previous in NAME_CONTEXT
            or (len(previous) > 6 and previous.endswith(TITLE_ENDINGS))
        )

    def _single_model_word(self, tokens: Sequence[Token], i: int) -> bool:
        """Whether a one-word model span is plausible as a name."""
        rules = self.rules
        token = tokens[i]
        folded = token.folded
        if token.text.isupper() and not token.capital:
            return False  # an acronym ("LI", "ERC"), unless it is a listed name
        evidence = rules.name_evidence(folded)
        if token.sentence_start and not evidence and not rules.unknown(folded, lower=True):
            return False  # "Industriproduktionen": a definite noun opening a sentence
        prose = is_uncased(tokens) and len(tokens) > SHORT_TEXT_TOKENS
        if (token.capital or prose) and not evidence:
            # in uncased prose a lower-case word is judged as its capitalised form would be
            if PLACE_SHAPE.match(folded):
                return False  # "Storvreta", "Duvnäs": Swedish place-name endings
            before = tokens[i - 1].folded if i > 0 else ""
            if before in LOCATIVE and not token.sentence_start:
                return False  # "i Kelowna", "på Ullevi": under 5% are persons in news
        if rules.ambiguous(folded) and not rules.first_name(folded):
            if token.sentence_start:
                # "Borg sade att …", "Lind har envetet …": the model's guess
                return rules.surname_opens_prose(tokens, i)
            return token.capital
        if rules.ambiguous(folded) or rules.known_word(folded):
            if token.capital and not token.sentence_start:
                return not rules.common_use(tokens, i)
            return rules.cue_before(tokens, i)[1] and not rules.common_use(tokens, i)
        return True

    def finalize(
        self, tokens: Sequence[Token], candidates: list[Candidate], stop: set[int]
    ) -> list[Candidate]:
        kept: list[Candidate] = []
        for cand in candidates:
            trimmed = self._trim(tokens, cand, stop)
            if trimmed is not None and self.keep(tokens, trimmed, stop):
                kept.append(trimmed)
        return kept
