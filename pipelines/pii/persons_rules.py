"""Gazetteer and context rules for Swedish person names.

The rules find what a small news-trained model misses (lower-case ASR commands such as
"ring erik johansson", hyphenated and multi-part names, names after "säger" or a title) and
decide which texts need the model at all: only those with a word no list or rule can judge.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Sequence
from functools import lru_cache
from typing import TypeVar

from pipelines.pii.persons_lexicon import PersonLexicon, looks_like_surname, lower_surname_shape
from pipelines.pii.persons_tokens import (
    MAX_NAME_TOKENS,
    SHORT_TEXT_TOKENS,
    Candidate,
    Token,
    is_uncased,
)
from pipelines.pii.persons_words import (
    AFTER_BO,
    AFTER_PER,
    AGE_ENDINGS,
    ARABIC_ARTICLE,
    BEFORE_COMMON,
    FINNISH_SURNAME,
    GERMANIC_PARTICLES,
    HONORIFICS,
    MAN_SURNAME,
    NAME_CONTEXT,
    NOUN_ENDINGS,
    PARTICLES,
    PLACE_SHAPE,
    ROMAN,
    SURNAME_PARTICLES,
    non_name_compound,
    title_compound,
)

_K = TypeVar("_K", bound=Hashable)

WORD_MEMO_ENTRIES = 200_000
"""Words remembered per word class before the memo starts over (a few tens of MB at most)."""


def _remember(memo: dict[_K, bool], key: _K, value: bool) -> None:
    if len(memo) >= WORD_MEMO_ENTRIES:
        memo.clear()
    memo[key] = value


def _base(folded: str) -> tuple[str, ...]:
    """The word and, for a genitive ("Eriks", "Anderssons"), the word without its -s."""
    if len(folded) > 3 and folded.endswith("s"):
        return (folded, folded[:-1])
    return (folded,)


_ELISION_GAP = re.compile(r"^ ?['’] ?$")


def _join_elisions(tokens: list[Token], text: str) -> list[Token]:
    """ "O ' Neal" / "D ' Alema" (the corpus's tokenised spelling) as one word "O'Neal", the
    way "O'Neal" is tokenised: an "O" or "D" then an apostrophe and a capitalised word (in
    lower case only "o ' neal": "d '" is French elision there)."""
    joined: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            nxt is not None
            and token.text in ("O", "D", "o")
            and _ELISION_GAP.match(text[token.end : nxt.start])
            and nxt.text[0].isalpha()
            and nxt.text[0].isupper() == token.text.isupper()
        ):
            word = f"{token.text}'{nxt.text}"
            joined.append(
                token._replace(
                    end=nxt.end,
                    text=word,
                    folded=word.casefold(),
                    capital=token.text.isupper(),
                    compound_prefix=nxt.compound_prefix,
                    in_address=token.in_address or nxt.in_address,
                    in_path=token.in_path or nxt.in_path,
                )
            )
            i += 2
            continue
        joined.append(token)
        i += 1
    return joined


@lru_cache(maxsize=65536)
def _code_like(word: str) -> bool:
    """Numbers and codes ("2025", "DE8937…", "P3"), but not a name with a footnote digit
    left over from the source text ("Sanden8")."""
    if word[0].isdigit():
        return True
    return any(ch.isdigit() for ch in word) and word.upper() == word


# Swedish street-name endings: such a word is an address part, never a person's name.
STREET_SUFFIXES = ("gatan", "vägen", "gränd", "gränden", "torget", "stigen", "backen", "allén",
                   "esplanaden", "kajen", "leden", "plan", "platsen")  # fmt: skip


class PersonRules:
    """The gazetteer/context rules for one lexicon and allow-list."""

    def __init__(self, lexicon: PersonLexicon, allow_list: Collection[str] = ("Alice",)) -> None:
        self.lex = lexicon
        self.allow = frozenset(word.casefold() for word in allow_list)
        # Word classes depend on the word and the lexicon alone, and the rules ask them many
        # times per text (and telemetry repeats its words): each is judged once per word.
        self._first_names: dict[str, bool] = {}
        self._surnames: dict[tuple[str, bool], bool] = {}
        self._ambiguous: dict[str, bool] = {}

    # -- word classes -------------------------------------------------------------------------

    def first_name(self, folded: str) -> bool:
        known = self._first_names.get(folded)
        if known is None:
            known = any(self.lex.is_first_name(form) for form in self._forms(folded))
            _remember(self._first_names, folded, known)
        return known

    def surname(self, folded: str, morphology: bool = True) -> bool:
        key = (folded, morphology)
        known = self._surnames.get(key)
        if known is None:
            known = self._surname(folded, morphology)
            _remember(self._surnames, key, known)
        return known

    def _surname(self, folded: str, morphology: bool) -> bool:
        lex = self.lex
        for form in self._forms(folded):
            if form in lex.surnames or form in lex.corpus_names:
                return True
            if morphology and form not in lex.vocabulary and lex.is_surname(form):
                return True
        return morphology and (self.finnish_surname(folded) or self.man_surname(folded))

    def man_surname(self, folded: str) -> bool:
        """A surname in -man ("Bäckman", "Hellman"), unless it ends in an ordinary word of
        four letters or more ("ombudsman", "prissumman")."""
        if not MAN_SURNAME.match(folded):
            return False
        vocabulary = self.lex.vocabulary
        return not any(folded[cut:] in vocabulary for cut in range(len(folded) - 3))

    def finnish_surname(self, folded: str) -> bool:
        """Finnish surname morphology ("Salminen", "Hirvonen", "Leppänen", "Hämäläinen"),
        unless it is the definite form of a noun or of a compound ending in one ("planen",
        "Kaffemaskinen", "Julgranen": four letters or more of its end, with or without the
        definite -en, are an ordinary word)."""
        if not FINNISH_SURNAME.match(folded) or folded in NAME_CONTEXT:
            return False  # nor "Amerikanen", a nationality
        vocabulary = self.lex.vocabulary
        stem = folded[:-2]
        return not any(folded[cut:] in vocabulary for cut in range(len(folded) - 4)) and not any(
            stem[cut:] in vocabulary for cut in range(len(stem) - 3)
        )

    def _forms(self, folded: str) -> tuple[str, ...]:
        """The word, and its genitive reading unless the word itself is an ordinary word
        ("klass" is a class, not Klas's; "minnas" is to remember)."""
        if folded in self.lex.vocabulary:
            return (folded,)
        return _base(folded)

    def _lower_surname(self, folded: str) -> bool:
        """Surname morphology in lower case, except a "son" of an ordinary word
        ("lantbrukarson", "prästson": someone's son, not a -son surname)."""
        if not lower_surname_shape(folded):
            return False
        if folded.endswith("son") and not folded.endswith("sson"):
            stem = folded[:-3]
            return stem not in self.lex.vocabulary and stem + "e" not in self.lex.vocabulary
        return True

    def ambiguous(self, folded: str) -> bool:
        known = self._ambiguous.get(folded)
        if known is None:
            known = any(form in self.lex.ambiguous for form in _base(folded))
            _remember(self._ambiguous, folded, known)
        return known

    def known_word(self, folded: str) -> bool:
        """An ordinary lower-case word (from the corpus or the command vocabulary), or a
        hyphenated compound ending in one ("ICA-listan", "e-post")."""
        vocabulary = self.lex.vocabulary
        if folded in vocabulary:
            return True
        head, _, last = folded.rpartition("-")
        return bool(head) and len(last) > 2 and last in vocabulary

    def name_evidence(self, folded: str) -> bool:
        return self.first_name(folded) or self.surname(folded)

    def prepare(self, tokens: list[Token], text: str = "") -> list[Token]:
        """Treat all-caps words that are listed names as capitalised ("ANDERS W JONSSON"),
        and join an elided surname prefix written apart ("O ' Neal") into one word."""
        if text and ("'" in text or "’" in text):
            tokens = _join_elisions(tokens, text)
        prepared = [
            token._replace(capital=True)
            if not token.capital
            and token.text.isupper()
            and (self.first_name(token.folded) or self.surname(token.folded, morphology=False))
            else token
            for token in tokens
        ]
        for i in range(1, len(prepared)):
            token, before = prepared[i], prepared[i - 1]
            if (
                not token.capital
                and len(token.text) > 4  # "ERIK SVT", "ERIK NASA": acronyms
                and token.text.isupper()
                and token.joined_to_previous
                and before.capital
                and before.text.isupper()
                and self._listed_first(i - 1, prepared)
                and not self.known_word(token.folded)
                and token.folded not in self.lex.non_name_tokens
                and token.folded not in self.lex.non_name_phrases
            ):
                # an unlisted surname in an all-caps signature: "BENGT WADENSJÖ"
                prepared[i] = token._replace(capital=True)
        return prepared

    # -- stoplisted phrases ---------------------------------------------------------------------

    def stoplisted(self, tokens: Sequence[Token]) -> set[int]:
        """Indices of tokens inside a place/organisation/greeting phrase ("Gamla Stan") and of
        capitalised words that are never part of a name ("Radio", "Rikskriminalpolisen")."""
        covered: set[int] = set()
        lex = self.lex
        phrases = lex.non_name_phrases
        for i, token in enumerate(tokens):
            folded = token.folded
            if (
                token.compound_prefix
                or token.in_address
                or _code_like(token.text)
                or (
                    folded in lex.non_name_tokens
                    and not self.first_name(folded)
                    and not (self.surname(folded) and self._after_first_name(tokens, i))
                )
            ):
                covered.add(i)
                continue
            if token.capital and non_name_compound(folded):
                covered.add(i)
                continue
            if folded not in lex.phrase_starts:
                continue
            for j in range(min(len(tokens), i + lex.longest_phrase) - 1, i - 1, -1):
                if j > i and not all(tokens[k].joined_to_previous for k in range(i + 1, j + 1)):
                    continue
                phrase = " ".join(token.folded for token in tokens[i : j + 1])
                if phrase not in phrases and not (
                    phrase.endswith("s") and len(tokens[j].folded) > 3 and phrase[:-1] in phrases
                ):
                    continue
                if j == i and self.first_name(folded) and not self.ambiguous(folded):
                    break  # "Sofia", "Max": a first name wins over a single-word place/brand
                if j == i and self._surname_follows(tokens, i):
                    break  # "Rio Ferdinand", "Paris Lindqvist": a first name after all
                if j == i and self._after_first_name(tokens, i):
                    break  # "Alfred Nobel", "Marcelo Rios": a surname after all
                if j == i and self._middle_name(tokens, i):
                    break  # "Aksel Lund Svindal": a middle name after all
                covered.update(range(i, j + 1))
                break
        return covered

    def _surname_follows(self, tokens: Sequence[Token], i: int) -> bool:
        if i + 1 >= len(tokens) or not tokens[i].capital:
            return False
        nxt = tokens[i + 1]
        return (
            nxt.joined_to_previous
            and nxt.capital
            and not nxt.sentence_start
            and self.surname(nxt.folded)
            and nxt.folded not in self.lex.non_name_phrases
        )

    def _after_first_name(self, tokens: Sequence[Token], i: int) -> bool:
        """A capitalised one-word non-name right after a listed first name, with no
        capitalised word after it."""
        if i == 0 or not tokens[i].capital or tokens[i].sentence_start:
            return False
        if not tokens[i].joined_to_previous or not tokens[i - 1].capital:
            return False
        if i + 1 < len(tokens) and tokens[i + 1].capital and tokens[i + 1].joined_to_previous:
            return False
        return self._listed_first(i - 1, tokens)

    def _middle_name(self, tokens: Sequence[Token], i: int) -> bool:
        """A capitalised one-word place or organisation between a first name and a
        capitalised word no list knows: "Aksel Lund Svindal", "Karl Max Einhaupl"."""
        if i == 0 or i + 1 >= len(tokens) or not tokens[i].capital or tokens[i].sentence_start:
            return False
        if not tokens[i].joined_to_previous:
            return False
        before = tokens[i - 1]
        if not self._listed_first(i - 1, tokens) and not (
            before.capital and not before.sentence_start and self.first_name(before.folded)
        ):
            return False  # "Karl Max Einhaupl": "Karl" is also a word, but capitalised here
        nxt = tokens[i + 1]
        return (
            nxt.joined_to_previous
            and nxt.capital
            and not nxt.sentence_start
            and not self.known_word(nxt.folded)
            and nxt.folded not in self.lex.phrase_starts
            and nxt.folded not in self.lex.non_name_tokens
            and not non_name_compound(nxt.folded)
        )

    # -- rules ----------------------------------------------------------------------------------

    def cue_before(self, tokens: Sequence[Token], i: int) -> tuple[bool, bool]:
        """(any cue, strong cue) directly before token i in the same clause."""
        if i == 0 or tokens[i].sentence_start:
            return False, False
        previous = tokens[i - 1].folded
        if previous in self.lex.relationship_words:
            if previous.endswith("s") and previous[:-1] in self.lex.relationship_words:
                return False, False  # a possessive: "mammas omtanke", "pappas bil"
            return True, True  # "farmor inga", "morbror per"
        return previous in self.lex.cue_words, previous in self.lex.strong_cue_words

    def _unknown_after_cue(self, tokens: Sequence[Token], i: int, stop: set[int]) -> bool:
        """An unknown word right after a strong cue is a name: "ring zlatan", "jag heter aziz"."""
        token = tokens[i]
        if i in stop or i == 0 or token.sentence_start:
            return False
        if not self.unknown(token.folded, lower=not token.capital):
            return False
        return tokens[i - 1].folded in self.lex.strong_cue_words

    def common_use(self, tokens: Sequence[Token], i: int) -> bool:
        """Context that makes an ambiguous name an everyday word ("per dag", "en björn")."""
        token = tokens[i]
        folded = token.folded
        after = tokens[i + 1].folded if i + 1 < len(tokens) else ""
        if folded == "per" and after in AFTER_PER:
            return True
        if token.capital and not token.sentence_start:
            return False  # capitalised mid-sentence ("säg till Per"): a name
        if folded == "bo" and after in AFTER_BO:
            return True
        before = tokens[i - 1].folded if i > 0 and not token.sentence_start else ""
        return before in BEFORE_COMMON or before.isdigit()

    def _next_is_surname(self, tokens: Sequence[Token], i: int, capital: bool) -> bool:
        if i + 1 >= len(tokens) or not tokens[i + 1].joined_to_previous:
            return False
        nxt = tokens[i + 1]
        if capital:
            return nxt.capital and not nxt.sentence_start and not self.known_word(nxt.folded)
        return not nxt.capital and self.surname(nxt.folded) and not self.ambiguous(nxt.folded)

    def _capital_seed(self, tokens: Sequence[Token], i: int, stop: set[int]) -> bool:
        token = tokens[i]
        if i in stop or not self.name_evidence(token.folded):
            return False
        ambiguous = self.ambiguous(token.folded) or self.known_word(token.folded)
        if token.sentence_start:
            if not ambiguous:
                return True
            return self._next_is_surname(tokens, i, capital=True) or (
                self.first_name(token.folded) and self.cue_before(tokens, i)[1]
            )
        if not ambiguous:
            return True
        if self.first_name(token.folded):
            return not self.common_use(tokens, i) or self._next_is_surname(tokens, i, True)
        # a surname that is also a word ("Berg", "Glad", "Strand"): needs a name next to it
        before = tokens[i - 1] if i > 0 else None
        return bool(
            self._next_is_surname(tokens, i, capital=True)
            or (before and token.joined_to_previous and before.capital and i - 1 not in stop)
        )

    def unknown(self, folded: str, lower: bool = False) -> bool:
        """A word that is neither an ordinary word, a cue, a relationship word nor a number
        (nor, for a lower-case word, shaped like a definite or plural noun)."""
        lex = self.lex
        return not (
            (lower and folded.endswith(NOUN_ENDINGS))
            or folded in lex.vocabulary
            or folded in lex.cue_words
            or folded in lex.relationship_words
            or len(folded) < 2
            or any(ch.isdigit() for ch in folded)
            or (lower and self._known_compound(folded))
        )

    def _known_compound(self, folded: str) -> bool:
        """A compound ending in an ordinary word of 4+ letters ("inköps|listan",
        "tandläkar|tid"), unless it has surname morphology ("ahl|berg")."""
        if len(folded) < 8 or looks_like_surname(folded):
            return False
        vocabulary = self.lex.vocabulary
        return any(folded[cut:] in vocabulary for cut in range(3, len(folded) - 3))

    def _context_seed(self, tokens: Sequence[Token], i: int, stop: set[int]) -> bool:
        """An unknown capitalised word after a reporting verb or a title ("säger Ketil Torp"),
        or after a capitalised surname particle ("Van Rompuy", "Von der Leyen")."""
        token = tokens[i]
        if (
            token.capital
            and token.folded in SURNAME_PARTICLES
            and not token.sentence_start
            and i + 1 < len(tokens)
            and tokens[i + 1].joined_to_previous
            and tokens[i + 1].capital
            and i + 1 not in stop
            and not self.known_word(tokens[i + 1].folded)
        ):
            return True
        if self._age_follows(tokens, i, stop) or self._after_place_genitive(tokens, i, stop):
            return True
        if token.sentence_start or i in stop or i == 0:
            return False
        if not self.unknown(token.folded, lower=not token.capital):
            return False
        if not token.capital and not is_uncased(tokens):
            return False
        previous = tokens[i - 1].folded
        return (
            title_compound(previous)  # "säger Ketil Torp", "Atalanta-målvakten Consigli"
            or previous.endswith(AGE_ENDINGS)  # "17-åriga Lina Hurtig", "90-årige Ole"
        )

    def _after_place_genitive(self, tokens: Sequence[Token], i: int, stop: set[int]) -> bool:
        """An unknown capitalised word after a country's or club's genitive is a player:
        "Zambias Stoppila Sunzu", "Elfenbenskustens Gervinho" (in the training part 3 of 3
        such words that are no compound of an ordinary word; "Sveriges Socialchefer",
        "Danmarks Blindebibliotek" are)."""
        token = tokens[i]
        if i == 0 or i in stop or not token.capital or token.sentence_start:
            return False
        if not (token.joined_to_previous and self._place_genitive(tokens[i - 1])):
            return False
        folded = token.folded
        return (
            ":" not in folded
            and self.unknown(folded, lower=True)
            and not any(self._known_compound(form) for form in _base(folded))
        )

    def _place_genitive(self, token: Token) -> bool:
        """A place's or organisation's genitive that is no name ("Zambias", "Tunisiens")."""
        folded = token.folded
        return (
            token.capital
            and len(folded) > 3
            and folded.endswith("s")
            and folded[:-1] in self.lex.non_name_phrases
            and not self.name_evidence(folded)
        )

    @staticmethod
    def _initial_before_name(tokens: Sequence[Token], j: int) -> bool:
        """A one-letter initial inside a sentence before another capitalised word."""
        token = tokens[j]
        return (
            len(token.text) == 1
            and token.text.isupper()
            and not token.sentence_start
            and j + 1 < len(tokens)
            and tokens[j + 1].joined_to_previous
            and tokens[j + 1].capital
            and not tokens[j + 1].sentence_start
        )

    def _particle_surname(self, tokens: Sequence[Token], i: int, stop: set[int]) -> int:
        """A name written without its first name, as "von"/"van" (and "der"/"den"/"de") and
        a capitalised word no list knows: "säger von Eckermann", "av van der Burgh". Returns
        the index of the capitalised word, 0 if there is none."""
        token = tokens[i]
        if token.capital or token.folded not in GERMANIC_PARTICLES or i in stop:
            return 0
        if i > 0 and tokens[i - 1].capital and token.joined_to_previous:
            return 0  # "Ursula von der Leyen": the first name's span takes it
        j = i + 1
        if j < len(tokens) and tokens[j].folded in ("der", "den", "de") and not tokens[j].capital:
            j += 1
        gaps = range(i + 1, min(j, len(tokens) - 1) + 1)
        if j >= len(tokens) or j in stop:
            return 0
        if not all(tokens[k].joined_to_previous and not tokens[k].sentence_start for k in gaps):
            return 0
        surname = tokens[j]
        return j if surname.capital and not self.known_word(surname.folded) else 0

    def _age_follows(self, tokens: Sequence[Token], i: int, stop: set[int]) -> bool:
        """An unknown word in apposition with an age: "Ferrell, 45 år," (in the training
        part, 10 of 10 capitalised words before ", NN år" or ", NN," are persons)."""
        if i in stop or i + 2 >= len(tokens):
            return False
        token, age, unit = tokens[i], tokens[i + 1], tokens[i + 2]
        if not (token.capital or is_uncased(tokens)):
            return False
        return (
            not age.joined_to_previous
            and len(age.folded) == 2
            and age.folded.isdigit()
            and unit.joined_to_previous
            and unit.folded == "år"
            and self.unknown(token.folded, lower=not token.capital)
        )

    def _lower_seed(self, tokens: Sequence[Token], i: int, uncased: bool) -> bool:
        token = tokens[i]
        cue, strong = self.cue_before(tokens, i)
        folded = token.folded
        if self.first_name(folded):
            if not self.ambiguous(folded):
                return uncased or cue
            if strong:
                return not (
                    folded == "per" and i + 1 < len(tokens) and tokens[i + 1].folded in AFTER_PER
                )
            return (
                (uncased or cue)
                and self._next_is_surname(tokens, i, capital=False)
                and not (self.common_use(tokens, i))
            )
        if self.surname(folded, morphology=False) and not self.ambiguous(folded):
            return strong or (uncased and not self.known_word(folded))
        if uncased and not self.ambiguous(folded) and not self.known_word(folded):
            # listed, harvested or surname-shaped: "sade södergren", "ferrell ska spela"
            return not PLACE_SHAPE.match(folded) and any(
                form in self.lex.corpus_names or self._lower_surname(form)
                for form in self._forms(folded)
            )
        return False

    def extend(
        self, tokens: Sequence[Token], i: int, stop: set[int], capital: bool
    ) -> tuple[int, int]:
        """Grow a seed over the adjacent words of the same name."""
        first = last = i
        if capital:
            while (
                first > 0
                and last - first < MAX_NAME_TOKENS - 1
                and tokens[first].joined_to_previous
                and not tokens[first].sentence_start
                and (
                    self._capital_part(tokens, first - 1, stop)
                    or self._ambiguous_first(tokens, first - 1, stop)
                )
            ):
                first -= 1
            while last + 1 < len(tokens) and last - first < MAX_NAME_TOKENS - 1:
                nxt = tokens[last + 1]
                if not nxt.joined_to_previous or nxt.sentence_start:
                    break
                if self._capital_part(tokens, last + 1, stop) or ROMAN.match(nxt.text):
                    last += 1
                elif (
                    nxt.capital
                    and last + 1 not in stop
                    and tokens[last].capital
                    and self._listed_first(last, tokens)
                ):
                    last += 1  # an everyday word as surname after a first name: "Jodie Foster"
                elif (
                    ARABIC_ARTICLE.match(nxt.text) and last + 1 not in stop and tokens[last].capital
                ):
                    last += 1  # "Bashar al-Assad", "Abd el-Aziz Jassim al-Shalal"
                elif (
                    nxt.folded in PARTICLES
                    and last + 2 < len(tokens)
                    and tokens[last + 2].joined_to_previous
                    and self._capital_part(tokens, last + 2, stop)
                ):
                    last += 2
                elif (
                    nxt.folded in PARTICLES
                    and last + 3 < len(tokens)
                    and tokens[last + 2].folded in PARTICLES
                    and tokens[last + 2].joined_to_previous
                    and tokens[last + 3].joined_to_previous
                    and self._capital_part(tokens, last + 3, stop)
                ):
                    last += 3  # two particles: "Juan de la Fuente", "Ursula von der Leyen"
                else:
                    break
            return first, last
        while last + 1 < len(tokens) and last - first < MAX_NAME_TOKENS - 1:
            nxt = tokens[last + 1]
            if not nxt.joined_to_previous or nxt.sentence_start or nxt.capital or last + 1 in stop:
                break
            if self.surname(nxt.folded) and not self.ambiguous(nxt.folded):
                last += 1
            elif (
                self.first_name(nxt.folded)
                and not self.ambiguous(nxt.folded)
                and (last + 2 < len(tokens) and self.surname(tokens[last + 2].folded))
            ):
                last += 1  # double first name before a surname: "anna karin svensson"
            elif (
                self.ambiguous(nxt.folded)
                and self.surname(nxt.folded, morphology=False)
                and (self.first_name(tokens[last].folded))
            ):
                last += 1  # "erik berg", "anna lund"
            elif (
                is_uncased(tokens)
                and self.unknown(nxt.folded, lower=last == i and not self._listed_first(i, tokens))
                and not self.ambiguous(nxt.folded)
                and not nxt.folded.endswith(STREET_SUFFIXES)
            ):
                # an unknown word after a name in ASR text: "ring erik wärnelöv"; after a
                # listed first name even one shaped like a definite noun: "ulla roseen"
                last += 1
            else:
                break
        while (
            first > 0
            and last - first < MAX_NAME_TOKENS - 1
            and is_uncased(tokens)
            and tokens[first].joined_to_previous
            and not tokens[first].sentence_start
            and first - 1 not in stop
            and self.surname(tokens[first].folded)
            and not tokens[first - 1].capital
            and self._first_name_before(tokens[first - 1].folded)
        ):
            # an unlisted first name, or a listed one that is also a word, before a surname
            # in ASR text: "aina wallin", "till björn fransson", "saga henriksson"
            first -= 1
        return first, last

    def _first_name_before(self, folded: str) -> bool:
        if self.first_name(folded):
            return folded not in ("hans", "sin", "min", "din")  # "hans fru": a pronoun
        return (
            self.unknown(folded)
            and not folded.endswith(("ande", "ende", "ade", "et", "en"))
            and not self.ambiguous(folded)
        )

    def _listed_first(self, i: int, tokens: Sequence[Token]) -> bool:
        folded = tokens[i].folded
        return self.first_name(folded) and not self.ambiguous(folded)

    def surname_opens_prose(self, tokens: Sequence[Token], i: int) -> bool:
        """A listed surname that is also a word ("Borg", "Lind") opening a sentence of prose,
        before a lower-case word: "Borg sade att …" (a place or a noun just as well, so only
        the model's guess counts)."""
        token = tokens[i]
        return (
            token.capital
            and token.sentence_start
            and len(tokens) > SHORT_TEXT_TOKENS
            and not self.first_name(token.folded)
            and self.surname(token.folded, morphology=False)
            and i + 1 < len(tokens)
            and not tokens[i + 1].capital
            and tokens[i + 1].joined_to_previous
        )

    def _ambiguous_first(self, tokens: Sequence[Token], j: int, stop: set[int]) -> bool:
        """A capitalised name that is also a word, inside a sentence, right before a
        capitalised surname: "kriminalkommissarien Dag Andersson"."""
        token = tokens[j]
        return (
            token.capital
            and not token.sentence_start
            and j not in stop
            and self.ambiguous(token.folded)
            and self.surname(tokens[j + 1].folded)
        )

    def _capital_part(self, tokens: Sequence[Token], j: int, stop: set[int]) -> bool:
        token = tokens[j]
        if j in stop or not token.capital or self._place_genitive(token):
            return False  # "Zambias Stoppila Sunzu": the name starts after the genitive
        if self._initial_before_name(tokens, j):
            return True  # "Lars E O Svensson", "C G Jung"
        if token.folded in HONORIFICS and j + 1 < len(tokens) and tokens[j + 1].capital:
            return True  # "Sir Bradley", "Dame Judi Dench"
        if token.sentence_start:
            # an unknown first word joins a name ("Pella Larsdotter Thiel"), unless it is
            # shaped like a definite noun ("Hiphoparen Nas")
            return self.name_evidence(token.folded) or self.unknown(token.folded, lower=True)
        return not self.known_word(token.folded) or self.name_evidence(token.folded)

    def rule_candidates(self, tokens: Sequence[Token], stop: set[int]) -> list[Candidate]:
        uncased = is_uncased(tokens)
        found: list[Candidate] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            seed = (
                (
                    self._capital_seed(tokens, i, stop)
                    if token.capital
                    else i not in stop and self._lower_seed(tokens, i, uncased)
                )
                or self._context_seed(tokens, i, stop)
                or self._unknown_after_cue(tokens, i, stop)
            )
            surname_at = self._particle_surname(tokens, i, stop)
            if surname_at and not seed:
                first, last = i, self.extend(tokens, surname_at, stop, capital=True)[1]
            elif not seed:
                i += 1
                continue
            else:
                first, last = self.extend(tokens, i, stop, capital=token.capital)
            if found and first <= found[-1].last:
                first = found[-1].first
                found.pop()
            found.append(Candidate(first, last, rule=True, model=False))
            i = last + 1
        return found

    # -- when is the model needed ---------------------------------------------------------------

    def needs_model(self, tokens: Sequence[Token], stop: set[int], covered: set[int]) -> bool:
        """True if some word could be a name the rules cannot judge (an unknown word).

        Words of a file reference never do: a program named the file (ids, hashes, "tts",
        "opus"), and a listed name in it is the rules' to find."""
        uncased = is_uncased(tokens)
        for i, token in enumerate(tokens):
            if i in covered or i in stop or token.folded.isdigit() or token.in_path:
                continue
            folded = token.folded
            if folded in self.lex.relationship_words or folded in self.lex.cue_words:
                continue
            if self.ambiguous(folded):
                if self.surname_opens_prose(tokens, i):
                    return True  # "Borg sade att …": the model judges it
                continue  # the rules have judged "per", "björn", "bo" in their context
            if len(folded) > 6 and folded.endswith(STREET_SUFFIXES):
                continue  # "Åsgatan", "Kungsvägen": a street, masked as ADDRESS if at all
            if token.capital:
                if not self.known_word(folded) or not token.sentence_start:
                    return True
            elif (uncased or self.cue_before(tokens, i)[0]) and self.unknown(folded, lower=True):
                return True
            elif uncased and i + 1 in covered and self.unknown(folded):
                return True  # a first name the lists lack, before a found surname: "aina wallin"
        return False
