"""The Swedish presidio AnalyzerEngine, and the fast path that keeps it off most texts.

Assistant telemetry is mostly "spela musik" and "sätt en timer på tio minuter": no PII.
Every pattern recognizer therefore declares a trigger (a regex that is a necessary
condition for it to fire) and person detection exposes ``person_cue``; a text reaches a
recognizer only if its trigger fires. Routed texts go through the same steps as
``AnalyzerEngine.analyze`` without its per-call overhead, and ``analyze_many`` hands all
texts that need the person model to it as one batch. Because triggers are necessary
conditions, the output is identical to running the plain engine on every text
(``analyze_plain``), which the benchmark and the unit tests check.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from pipelines.io.text_cache import TextCache
from pipelines.pii.entities import Entity, resolve_overlaps
from pipelines.pii.recognizers import build_swedish_recognizers
from pipelines.pii.recognizers_assistant import RECOGNIZER_NAME as ASSISTANT_AS_CONTACT
from pipelines.pii.recognizers_assistant import AssistantNameRecognizer, assistant_names

logger = logging.getLogger(__name__)

LANGUAGE = "sv"
# Distinct texts' entities kept per analyzer for the process (~250k short texts at this cap).
ANALYSIS_CACHE_BYTES = 64 * 1024 * 1024
PersonCue = Callable[[str], bool]


def _never(_text: str) -> bool:
    return False


def _unchanged(_text: str, entities: list[Entity]) -> list[Entity]:
    return entities


def load_person_support(
    allow_list: Sequence[str],
) -> tuple[list[EntityRecognizer], PersonCue]:
    """Person recognizers and cue from ``pipelines.pii.persons``, or none if it is absent."""
    try:
        persons = importlib.import_module("pipelines.pii.persons")
    except ModuleNotFoundError as exc:
        if exc.name != "pipelines.pii.persons":
            raise
        logger.debug("pipelines.pii.persons not available: no person recognizers")
        return [], _never
    # The masker applies the cue in its own routing (``entities_to_check``) before any person
    # recognizer runs, so the recognizers themselves are plain: the reference path
    # (``analyze_plain``, presidio on every text) runs them on every text.
    recognizers = list(persons.build_person_recognizers(list(allow_list), prefiltered=True))
    cue: PersonCue = persons.allow_listed_cue(list(allow_list))
    return recognizers, cue


def _allow_variants(allow_list: Sequence[str]) -> list[str]:
    """Exact-match allow list in the casings ASR and chat produce ("alice", "ALICE")."""
    variants: list[str] = []
    for term in allow_list:
        for form in (term, term.lower(), term.upper(), term.title()):
            if form and form not in variants:
                variants.append(form)
    return variants


def _propagate_repeats(text: str, entities: list[Entity]) -> list[Entity]:
    """Add later/earlier word-bounded repeats of a detected value ("Erik ... Erik").

    A model may tag one mention of a name and miss the next; masking one and leaving the
    other would leak exactly the value we know is personal.
    """
    seen: set[str] = set()
    extra: list[Entity] = []
    for entity in entities:
        raw = text[entity.start : entity.end]
        if len(raw) < 2 or raw in seen or text.count(raw) < 2:
            continue
        seen.add(raw)
        for match in re.finditer(rf"(?<!\w){re.escape(raw)}(?!\w)", text):
            if match.start() != entity.start:
                extra.append(Entity(match.start(), match.end(), entity.type, entity.score))
    return entities + extra if extra else entities


class NoContextEnhancer(ContextAwareEnhancer):
    """Leaves scores as recognizers set them.

    With the no-op NLP engine there are no lemmas, so presidio's default lemma enhancer
    can never change a score here; it only deep-copies every result (a third of the
    engine's time). Recognizers validate with their own context instead.
    """

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: Any,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


def _names_a_contact(result: RecognizerResult) -> bool:
    """Whether an allow-listed word was reported as somebody contacted ("ring Alice")."""
    meta = result.recognition_metadata or {}
    return bool(meta.get(RecognizerResult.RECOGNIZER_NAME_KEY) == ASSISTANT_AS_CONTACT)


def finalize(text: str, results: Sequence[RecognizerResult]) -> list[Entity]:
    """presidio results -> disjoint, sorted entities (the same for every code path)."""
    entities = [Entity(r.start, r.end, r.entity_type, round(float(r.score), 4)) for r in results]
    if not entities:
        return []
    return resolve_overlaps(_propagate_repeats(text, entities))


class PiiAnalyzer:
    """Swedish PII detection on presidio with a trigger-routed fast path."""

    def __init__(
        self, allow_list: Sequence[str] = ("Alice",), use_person_model: bool = True
    ) -> None:
        self.allow_list = tuple(allow_list)
        self._allow_exact = _allow_variants(self.allow_list)
        pattern_recognizers = build_swedish_recognizers()
        person_recognizers: list[EntityRecognizer] = []
        self._person_cue: PersonCue = _never
        self._extend: Callable[[str, list[Entity]], list[Entity]] = _unchanged
        if use_person_model:
            person_recognizers, self._person_cue = load_person_support(self.allow_list)
            if person_recognizers:
                from pipelines.pii.person_fields import extend_first_names
                from pipelines.pii.recognizers_contact_names import ContactNameRecognizer

                # Names the model and rules leave out by design: the assistant's own name as a
                # contact, a word-like first name after a contact phrase.
                self._extend = extend_first_names
                pattern_recognizers.append(ContactNameRecognizer())
                if assistant_names(self.allow_list):
                    pattern_recognizers.append(AssistantNameRecognizer(self.allow_list))
        recognizers: list[EntityRecognizer] = [*pattern_recognizers, *person_recognizers]
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
        nlp_engine.load()
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])
        self.presidio = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=[LANGUAGE],
            context_aware_enhancer=NoContextEnhancer(),
        )
        self.has_person_recognizers = bool(person_recognizers)
        self._routes, self._unrouted = self._build_routes(recognizers)
        self._by_entity: dict[str, list[EntityRecognizer]] = {}
        for recognizer in recognizers:
            for entity in recognizer.supported_entities:
                self._by_entity.setdefault(entity, []).append(recognizer)
        self._empty_artifacts = nlp_engine.process_text("", LANGUAGE)
        gates = set()
        for recognizer in recognizers:
            trigger = getattr(recognizer, "trigger", None)
            if isinstance(trigger, re.Pattern):  # a gate must imply nothing less than this
                gates.add(str(getattr(recognizer, "gate", None) or trigger.pattern))
        self._gate = re.compile("|".join(f"(?:{g})" for g in sorted(gates)) or r"(?!x)x")
        # Keyed by text alone: everything else the result depends on (language, recognizers,
        # allow list, person model) is fixed per analyzer; field policies and mask modes apply
        # after analysis, outside the cache.
        self.analysis_cache: TextCache[tuple[Entity, ...]] = TextCache(
            ANALYSIS_CACHE_BYTES, _entities_bytes
        )

    @staticmethod
    def _build_routes(
        recognizers: Sequence[EntityRecognizer],
    ) -> tuple[list[tuple[str, re.Pattern[str]]], list[str]]:
        """Per entity type, one regex that fires whenever any of its recognizers could."""
        by_entity: dict[str, list[str]] = {}
        unrouted: list[str] = []
        for recognizer in recognizers:
            trigger: Any = getattr(recognizer, "trigger", None)
            for entity in recognizer.supported_entities:
                if entity == "PERSON" and not isinstance(trigger, re.Pattern):
                    continue  # the name model is routed by person_cue
                if isinstance(trigger, re.Pattern):
                    pattern = trigger.pattern
                    if trigger.flags & re.IGNORECASE:
                        pattern = f"(?i:{pattern})"
                    by_entity.setdefault(entity, []).append(pattern)
                elif entity not in unrouted:
                    unrouted.append(entity)
        routes = [
            (entity, re.compile("|".join(f"(?:{p})" for p in patterns)))
            for entity, patterns in by_entity.items()
            if entity not in unrouted
        ]
        return routes, unrouted

    def entities_to_check(self, text: str) -> list[str]:
        """The entity types whose recognizers could fire on ``text`` (empty: skip presidio)."""
        needed: list[str] = list(self._unrouted)
        if self._gate.search(text) is not None:
            needed.extend(entity for entity, route in self._routes if route.search(text))
        if self.has_person_recognizers and self._person_cue(text):
            needed.append("PERSON")
        return needed

    def analyze(self, text: str) -> list[Entity]:
        """Disjoint entities sorted by start; recognizers run only if their trigger fires."""
        if not text:
            return []
        cached = self.analysis_cache.get(text)
        if cached is not None:
            return list(cached)
        needed = self.entities_to_check(text)
        found = self._analyze_routed(text, needed, {}) if needed else []
        self.analysis_cache.put(text, tuple(found))
        return found

    def _analyze_routed(
        self, text: str, needed: list[str], precomputed: dict[str, list[RecognizerResult]]
    ) -> list[Entity]:
        """What ``AnalyzerEngine.analyze(text, entities=needed)`` returns, minus its overhead.

        Same recognizers, same steps in the same order (recognizers, context enhancement
        (identity here), low-score filter, ``remove_duplicates``, exact allow-list), but
        without rebuilding the registry selection and NLP artifacts for every text.
        ``precomputed`` holds batch results per recognizer id.
        """
        results: list[RecognizerResult] = []
        selected: list[EntityRecognizer] = []
        for entity in needed:
            for recognizer in self._by_entity.get(entity, ()):
                if recognizer not in selected:
                    selected.append(recognizer)
        for recognizer in selected:
            found = precomputed.get(recognizer.id)
            if found is None:
                found = recognizer.analyze(text, needed, self._empty_artifacts)
            if found:
                results.extend(
                    r for r in found if r.score >= self._threshold(recognizer, r.entity_type)
                )
        if not results:
            return []
        results = EntityRecognizer.remove_duplicates(results)
        allowed = self._allow_exact
        results = [
            r for r in results if text[r.start : r.end] not in allowed or _names_a_contact(r)
        ]
        return self._extend(text, finalize(text, results))

    def _threshold(self, recognizer: EntityRecognizer, entity: str) -> float:
        """presidio's per-result threshold: recognizer entity, recognizer default, engine."""
        thresholds = recognizer.score_thresholds
        default = float(self.presidio.default_score_threshold)
        if thresholds is None:
            return default
        for key in (entity, "default"):
            if thresholds.get(key) is not None:
                return float(thresholds[key])
        return default

    def analyze_plain(self, text: str) -> list[Entity]:
        """Reference path: every recognizer on the text, no routing (for benchmarks/tests)."""
        if not text:
            return []
        results = self.presidio.analyze(text=text, language=LANGUAGE)
        allowed = self._allow_exact
        results = [
            r for r in results if text[r.start : r.end] not in allowed or _names_a_contact(r)
        ]
        return self._extend(text, finalize(text, results))

    def analyze_many(self, texts: Sequence[str | None]) -> list[list[Entity]]:
        """Batch form of ``analyze``: each distinct text is analysed once per process (the
        analysis cache), and the person model sees all new texts that need it in one batch."""
        cache = self.analysis_cache
        known: dict[str, tuple[Entity, ...]] = {}
        distinct: dict[str, int] = {}
        for text in texts:
            if text and text not in distinct and text not in known:
                cached = cache.get(text)
                if cached is not None:
                    known[text] = cached
                else:
                    distinct[text] = len(distinct)
        unique = list(distinct)
        routed = [self.entities_to_check(text) for text in unique]
        person_idx = [i for i, needed in enumerate(routed) if "PERSON" in needed]
        precomputed: list[dict[str, list[RecognizerResult]]] = [{} for _ in unique]
        for recognizer in self._by_entity.get("PERSON", ()):
            batch = getattr(recognizer, "analyze_batch", None)
            if batch is None or len(person_idx) < 2:
                continue
            found_per_text = batch([unique[i] for i in person_idx])
            for i, found in zip(person_idx, found_per_text, strict=True):
                precomputed[i][recognizer.id] = list(found)
        for i, (text, needed) in enumerate(zip(unique, routed, strict=True)):
            entities = tuple(self._analyze_routed(text, needed, precomputed[i]) if needed else ())
            known[text] = entities
            cache.put(text, entities)
        return [list(known[text]) if text else [] for text in texts]


def _entities_bytes(entities: tuple[Entity, ...]) -> int:
    """Rough size of a cached result: the tuple and one small frozen record per entity."""
    return 56 + 8 * len(entities) + 120 * len(entities)
