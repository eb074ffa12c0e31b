"""Swedish PERSON detection for kvarn's presidio analyzer.

Three layers, cheapest first, so the model only sees texts that need it:

1. :func:`person_cue` - a set lookup that says whether a text can hold a name at all
   (an inner capital letter, or a word that is not a known ordinary word). The recognizer
   returns nothing without it, so the cue is recall-safe by construction.
2. gazetteer + context rules (:mod:`pipelines.pii.persons_rules`) - first names and surnames
   from name statistics and the training corpus, "ring"/"med"/"heter"-style cues, surname
   morphology, lower-case ASR text, hyphenated and multi-part names;
3. the committed spaCy model (:mod:`pipelines.pii.persons_model`), only for texts with a word
   the rules cannot judge (an unknown capitalised word, an unknown word after a cue).

Rule and model spans are merged (one span per name) and pass a precision filter (places,
organisations, greetings, relationship words, everyday words, allow-list).
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from presidio_analyzer import (
    AnalysisExplanation,
    EntityRecognizer,
    RecognizerResult,
)

from pipelines.pii.persons_corpus import heldout_rows, training_rows
from pipelines.pii.persons_filter import PrecisionFilter
from pipelines.pii.persons_lexicon import PersonLexicon, load_lexicon
from pipelines.pii.persons_model import model_person_spans
from pipelines.pii.persons_rules import PersonRules
from pipelines.pii.persons_tokens import Candidate, Token, tokenize
from pipelines.pii.persons_words import ADDRESS

__all__ = [
    "PersonDetector",
    "PersonSpan",
    "SwedishPersonRecognizer",
    "build_person_recognizers",
    "find_persons",
    "find_persons_batch",
    "heldout_rows",
    "person_cue",
    "training_rows",
]

ENTITY = "PERSON"
RECOGNIZER_NAME = "SwedishPersonRecognizer"
LANGUAGE = "sv"
SCORE_RULE_AND_MODEL = 0.95
SCORE_RULE = 0.85
SCORE_MODEL = 0.75
CACHE_SIZE = 16384


class PersonSpan(NamedTuple):
    """A detected person name: character offsets into the text, score and evidence."""

    start: int
    end: int
    score: float
    source: str  # "rule", "model" or "rule+model"


# ---------------------------------------------------------------------------------------------
# the cue

# Digits and ASCII/typographic punctuation become spaces; any other character stays inside its
# word, which then is unknown and makes the cue fire (the safe direction).
_SEPARATORS = str.maketrans(
    {ch: " " for ch in "0123456789.,;:!?\"'()[]{}<>/\\|@#$%^&*+=_~`–—-“”‘’«»…•\t\n\r"}
)


@cache
def _safe_words() -> frozenset[str]:
    """Lower-case words that can never start or signal a name (ordinary words, no name use)."""
    lex = load_lexicon()
    rules = PersonRules(lex)
    words = lex.vocabulary | lex.relationship_words | lex.cue_words | lex.non_name_tokens
    return frozenset(
        word for word in words if not rules.name_evidence(word) and word not in lex.ambiguous
    )


def _one_address(text: str) -> bool:
    """The text is one URL or e-mail address: the rules stoplist its words, never a name."""
    return ("/" in text or "@" in text or "www." in text) and bool(ADDRESS.fullmatch(text.strip()))


def allow_listed_cue(allow_list: Sequence[str]) -> Callable[[str], bool]:
    """``person_cue`` that ignores the allow-listed words (the assistant's own name, which
    users say in most requests: "alice tänd lampan"). The detector never reports an
    allow-listed word, so skipping a text whose only cue it was loses nothing."""
    words = sorted({w.casefold() for w in allow_list if w.strip()}, key=len, reverse=True)
    if not words:
        return person_cue
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    probe = tuple(words)

    def cue(text: str) -> bool:
        if _one_address(text):  # before the allow list cuts it in two ("s3://alice-audio/…")
            return False
        lowered = text.casefold()
        if any(w in lowered for w in probe):
            text = pattern.sub(" ", text)  # a space keeps the next word off position 0
        return person_cue(text)

    return cue


@cache
def _safe_places() -> frozenset[str]:
    """One-word places and organisations ("Uppsala", "Visby", "ICA") that are no listed or
    harvested name in any form. The precision filter drops them even when the model tags them,
    so the detector never reports them, capitalised or not. Ordinary words are *not* safe when
    capitalised mid-sentence: "Meddela Klara att …" names someone."""
    lex = load_lexicon()
    return frozenset(
        word
        for word in lex.non_name_phrases
        if word
        and " " not in word
        and word not in lex.first_names
        and not lex.is_surname(word)
        and word not in lex.corpus_names
        and word not in lex.ambiguous
    )


@cache
def _cue_safe() -> frozenset[str]:
    return _safe_words() | _safe_places()


def _only_safe_capitals(text: str) -> bool:
    """True if every capitalised word after the first character is a safe one."""
    safe = _safe_places()
    for i, word in enumerate(text.split()):
        if word.lower() == word or (i == 0 and word[1:].lower() == word[1:]):
            continue
        for part in word.translate(_SEPARATORS).split():
            folded = part.casefold()
            if folded != part and folded not in safe:
                return False
    return True


def person_cue(text: str) -> bool:
    """Cheap pre-check: False only if the text cannot contain a person name.

    False for a text that is a single URL or e-mail address (the rules stoplist address words).
    True for any capital letter after the first character, and for any word that is not a
    known ordinary word (names, unknown words, lower-case gazetteer hits such as "erik").
    Words are split on whitespace first and only unknown ones are split further on
    punctuation, which keeps the common case to a few set lookups.
    """
    if _one_address(text):
        return False
    lowered = text.lower()
    if lowered[1:] != text[1:] and not _only_safe_capitals(text):
        return True
    safe = _cue_safe()
    for word in lowered.split():
        if word not in safe:
            for part in word.translate(_SEPARATORS).split():
                if part not in safe:
                    return True
    return False


# ---------------------------------------------------------------------------------------------
# the detector


class PersonDetector:
    """Rules + model + precision filter, with a bounded cache of results per text."""

    def __init__(
        self,
        allow_list: Sequence[str] = ("Alice",),
        lexicon: PersonLexicon | None = None,
        use_model: bool = True,
        cache_size: int = CACHE_SIZE,
        use_cue: bool = True,
    ) -> None:
        self.rules = PersonRules(lexicon or load_lexicon(), allow_list)
        self.filter = PrecisionFilter(self.rules)
        self.use_model = use_model
        self.use_cue = use_cue  # False: the caller pre-filters, or a test checks the cue
        self._cache: OrderedDict[str, tuple[PersonSpan, ...]] = OrderedDict()
        self._cache_size = cache_size
        self.model_calls = 0

    def detect(self, text: str) -> tuple[PersonSpan, ...]:
        """Person spans in one text."""
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[tuple[PersonSpan, ...]]:
        """Person spans for many texts; texts that need the model go through it in one batch."""
        results: list[tuple[PersonSpan, ...] | None] = [None] * len(texts)
        pending: list[tuple[int, list[Token], set[int], list[Candidate]]] = []
        for index, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                results[index] = cached
                continue
            if self.use_cue and not person_cue(text):
                results[index] = ()
                continue
            tokens = self.rules.prepare(tokenize(text), text)
            stop = self.rules.stoplisted(tokens)
            rule = self.rules.rule_candidates(tokens, stop)
            covered = {j for cand in rule for j in range(cand.first, cand.last + 1)}
            if self.use_model and self.rules.needs_model(tokens, stop, covered):
                pending.append((index, tokens, stop, rule))
            else:
                results[index] = self._finish(text, tokens, stop, rule, [])
        if pending:
            self.model_calls += len(pending)
            model_spans = model_person_spans([texts[index] for index, *_ in pending])
            for (index, tokens, stop, rule), spans in zip(pending, model_spans, strict=True):
                model = _to_candidates(tokens, spans)
                results[index] = self._finish(texts[index], tokens, stop, rule, model)
        return [result if result is not None else () for result in results]

    def _finish(
        self,
        text: str,
        tokens: list[Token],
        stop: set[int],
        rule: list[Candidate],
        model: list[Candidate],
    ) -> tuple[PersonSpan, ...]:
        merged = self.filter.merge(tokens, rule, model, stop)
        spans = tuple(
            PersonSpan(tokens[cand.first].start, tokens[cand.last].end, *_score(cand))
            for cand in self.filter.finalize(tokens, merged, stop)
            if cand.rule
            or not _in_identifier(text, tokens[cand.first].start, tokens[cand.last].end)
        )
        self._cache[text] = spans
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return spans


def _in_identifier(text: str, start: int, end: int) -> bool:
    """A word glued to its neighbour by "_", or by "." between word characters, is part of a
    code identifier ("test_sms_roundtrip", "music.control"): the model's guess there is no
    name (a rule's, from a name list, still is)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before == "_" or after == "_":
        return True
    dotted_before = before == "." and start > 1 and text[start - 2].isalnum()
    dotted_after = after == "." and end + 1 < len(text) and text[end + 1].isalnum()
    return dotted_before or dotted_after


def _score(cand: Candidate) -> tuple[float, str]:
    if cand.rule and cand.model:
        return SCORE_RULE_AND_MODEL, "rule+model"
    if cand.rule:
        return SCORE_RULE, "rule"
    return SCORE_MODEL, "model"


def _to_candidates(tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> list[Candidate]:
    """Map model character spans onto the rule tokenizer's words."""
    found: list[Candidate] = []
    for start, end in spans:
        inside = [i for i, token in enumerate(tokens) if token.start < end and token.end > start]
        if inside:
            found.append(Candidate(inside[0], inside[-1], rule=False, model=True))
    return found


@cache
def _default_detector() -> PersonDetector:
    return PersonDetector()


def find_persons(text: str) -> list[PersonSpan]:
    """Person spans in ``text`` with the default allow-list ("Alice")."""
    return list(_default_detector().detect(text))


def find_persons_batch(texts: Sequence[str]) -> list[list[PersonSpan]]:
    """Batched :func:`find_persons` (the model runs once over all texts that need it)."""
    return [list(spans) for spans in _default_detector().detect_batch(texts)]


# ---------------------------------------------------------------------------------------------
# presidio


class SwedishPersonRecognizer(EntityRecognizer):
    """presidio recognizer for PERSON in Swedish; needs no NLP artifacts (NoOpNlpEngine)."""

    def __init__(
        self,
        allow_list: Sequence[str] = ("Alice",),
        use_model: bool = True,
        prefiltered: bool = False,
    ) -> None:
        # ``prefiltered``: the caller (kvarn's masker) already applies ``person_cue`` before
        # calling, so the recognizer itself is plain; presidio calling it directly then runs
        # the rules (and the model where they need it) on every text.
        self.detector = PersonDetector(
            allow_list=allow_list, use_model=use_model, use_cue=not prefiltered
        )
        super().__init__(
            supported_entities=[ENTITY],
            name=RECOGNIZER_NAME,
            supported_language=LANGUAGE,
            context=["ring", "med", "till", "heter", "sms:a"],
        )

    def load(self) -> None:
        """Nothing to load eagerly: lists load on first use, the model only when needed."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        if entities and ENTITY not in entities:
            return []
        return [self._result(span) for span in self.detector.detect(text)]

    def analyze_batch(self, texts: Sequence[str]) -> list[list[RecognizerResult]]:
        """Same results as :meth:`analyze` per text, with one model batch for all of them."""
        return [
            [self._result(span) for span in spans] for spans in self.detector.detect_batch(texts)
        ]

    def _result(self, span: PersonSpan) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=RECOGNIZER_NAME,
            original_score=span.score,
            textual_explanation=f"Swedish person name ({span.source})",
        )
        return RecognizerResult(
            entity_type=ENTITY,
            start=span.start,
            end=span.end,
            score=span.score,
            analysis_explanation=explanation,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def build_person_recognizers(
    allow_list: Sequence[str] = ("Alice",), prefiltered: bool = False
) -> list[EntityRecognizer]:
    """The PERSON recognizers for an ``sv`` AnalyzerEngine (works with NoOpNlpEngine).

    Standalone (the default) the recognizer applies ``person_cue`` itself; with
    ``prefiltered=True`` the caller promises to apply it before every call."""
    return [SwedishPersonRecognizer(allow_list=allow_list, prefiltered=prefiltered)]
