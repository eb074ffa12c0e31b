"""Quality and speed figures for PERSON detection.

Definitions (also in docs/_pii_persons_section.md):

* **span recall** - share of gold person spans fully covered by predicted spans;
* **mask precision** - share of predicted person spans that overlap a gold person span.

Evaluated on the held-out 15% of the person corpus (never trained on, never harvested), on
lower-cased copies of those sentences (ASR-like) and on :data:`COMMAND_CASES`, hand-written
assistant commands that share no sentence with the training templates.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Span = tuple[int, int]
Predictor = Callable[[Sequence[str]], list[list[Span]]]

# Assistant commands and chat, names in [brackets]. Written by hand for evaluation only.
COMMAND_CASES: tuple[str, ...] = (
    "ring [erik johansson]",
    "ring [Erik Johansson] på jobbet",
    "Ring [anna-karin] och säg att jag är sen",
    "boka möte med [Anna-Karin] på fredag",
    "boka möte med [anders] på fredag klockan nio",
    "sms:a [lisa] att middagen är klar",
    "skicka sms till [Johan Lindqvist] om bilen",
    "påminn mig att gratta [maja] på lördag",
    "vad är [kerstin]s nummer",
    "lägg till [Mohammed Ali] som kontakt",
    "ring [fatima hassan]",
    "jag heter [jonas] och vill boka en tid",
    "hej, jag heter [Sara Nyberg]",
    "kan du ringa [per] när du är klar",
    "ring [björn]",
    "ring [bo] och fråga om nyckeln",
    "mejla [karl-johan] och [ulrika] om kvartalsrapporten",
    "maila [Petra Wikström] offerten",
    "videosamtal med farmor [inga]",
    "[Lars-Erik] ringde tre gånger igår",
    "missat samtal från [Helena Bergström]",
    "när fyller [oskar] år",
    "bjud in [Sofia] och [Marcus] till fikat",
    "ring [zlatan]",
    "messa [jean-pierre] att vi är framme",
    "lägg in tandläkartid för [elsa] på tisdag",
    "dela min plats med [Ingrid]",
    "hämta [Leo] på förskolan halv fem",
    "svara [Gunilla] att det går bra",
    "säg till [stina] att maten är klar",
    "[Mikael Persson] har skickat ett mejl",
    "swisha [Ahmed] 300 kronor",
    "swisha 250 kr till [emma lundgren]",
    "flytta mötet med [Karin Svensson] till nästa vecka",
    "fråga [tove] om hon vill följa med på bio",
    "ring [olle] eller [kalle]",
    "skriv till [Hanna] att jag kommer",
    "vad skrev [Magnus Lindberg] i gruppchatten",
    "läs upp meddelandet från pappa [ove]",
    "boka bord för mig och [Elin] på lördag",
    "spela senaste låten med [Håkan Hellström]",
    "spela musik av [Veronica Maggio]",
    "vem är [Magdalena Andersson]",
    "ring [Carl-Johan af Klercker]",
    "ring [Per-Olof Nilsson] på mobilen",
    "påminn [Nils] om träningen",
    "ring [aziz] på jobbet",
    "hej [Linnea], kan du ringa mig",
    "Tack [Eva]!",
    "ring [Kristina Wärnelöv]",
    "boka lunch med [hugo] och [alva] på torsdag",
    # negatives: no person here
    "ring mamma",
    "sms:a pappa att jag kommer vid sex",
    "ring farmor på söndag",
    "ring min bror",
    "ring chefen och säg att jag är sjuk",
    "det kostar 100 kr per dag",
    "ta två tabletter per dag",
    "vi såg en björn i skogen",
    "jag vill bo i Göteborg",
    "var ska vi bo i sommar",
    "vad händer första maj",
    "flytta mötet till maj",
    "hans bil står på gatan",
    "inga problem",
    "God morgon",
    "God Morgon Sverige",
    "Glad Påsk allihop",
    "Trevlig helg",
    "spela Sveriges Radio P1",
    "hur långt är det till Gamla Stan",
    "när går nästa tåg från Stockholms Central",
    "hur går Volvo Cars aktie idag",
    "vad blir vädret i Lund imorgon",
    "hej Alice",
    "Alice, sätt en timer på tio minuter",
    "tack Alice",
    "väck mig klockan sex",
    "påminn mig om mötet 2025-09-01 kl 10:00",
    "lägg till mjölk och ägg på inköpslistan",
    "tänd lampan i vardagsrummet",
    "boka tåg till Malmö på fredag",
    "vilken dag är det idag",
    "sätt på P3",
    "hur många steg har jag gått idag",
)


def parse_case(case: str) -> tuple[str, list[Span]]:
    """Turn "ring [erik] nu" into ("ring erik nu", [(5, 9)])."""
    text: list[str] = []
    spans: list[Span] = []
    cursor = 0
    for match in re.finditer(r"\[([^\]]+)\]", case):
        text.append(case[cursor : match.start()])
        start = sum(map(len, text))
        text.append(match.group(1))
        spans.append((start, start + len(match.group(1))))
        cursor = match.end()
    text.append(case[cursor:])
    return "".join(text), spans


@dataclass(frozen=True)
class Score:
    """Span recall and mask precision over a set of texts."""

    gold: int
    covered: int
    predicted: int
    overlapping: int

    @property
    def recall(self) -> float:
        return self.covered / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.overlapping / self.predicted if self.predicted else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<34} recall {self.recall:.3f} ({self.covered}/{self.gold})  "
            f"precision {self.precision:.3f} ({self.overlapping}/{self.predicted})"
        )


def _covered(gold: Span, predicted: Sequence[Span]) -> bool:
    """Gold span fully covered by the union of predicted spans."""
    position = gold[0]
    for start, end in sorted(predicted):
        if start <= position < end:
            position = end
        if position >= gold[1]:
            return True
    return position >= gold[1]


def score(golds: Sequence[Sequence[Span]], predictions: Sequence[Sequence[Span]]) -> Score:
    gold_total = covered = predicted = overlapping = 0
    for gold, pred in zip(golds, predictions, strict=True):
        gold_total += len(gold)
        covered += sum(_covered(span, pred) for span in gold)
        predicted += len(pred)
        overlapping += sum(any(s < ge and e > gs for gs, ge in gold) for s, e in pred)
    return Score(gold_total, covered, predicted, overlapping)


def corpus_cases(
    rows: Sequence[dict[str, object]], lower: bool = False
) -> tuple[list[str], list[list[Span]]]:
    texts: list[str] = []
    golds: list[list[Span]] = []
    for row in rows:
        text = str(row["text"])
        texts.append(text.lower() if lower else text)
        spans = row["spans"]
        assert isinstance(spans, list)
        golds.append([(int(s), int(e)) for s, e, *_ in spans])
    return texts, golds


def command_cases() -> tuple[list[str], list[list[Span]]]:
    parsed = [parse_case(case) for case in COMMAND_CASES]
    return [text for text, _ in parsed], [spans for _, spans in parsed]


def kvarn_predictor() -> Predictor:
    from pipelines.pii.persons import PersonDetector

    detector = PersonDetector(cache_size=0)

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        return [[(s.start, s.end) for s in spans] for spans in detector.detect_batch(texts)]

    return predict


def model_only_predictor() -> Predictor:
    """The spaCy model alone on every text (what a plain SpacyNlpEngine setup would give)."""
    from pipelines.pii.persons_model import model_person_spans

    return lambda texts: model_person_spans(texts)


def naive_predictor() -> Predictor:
    """The naive 'two capitalised words' regex an assistant team starts with."""
    pattern = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]+\b")
    return lambda texts: [[m.span() for m in pattern.finditer(text)] for text in texts]


def evaluate(corpus: str | Path) -> dict[str, dict[str, Score]]:
    """Scores of kvarn, the model alone and the naive regex on the three evaluation sets."""
    from pipelines.pii.persons_corpus import heldout_rows

    rows = heldout_rows(corpus)
    sets = {
        "held-out news": corpus_cases(rows),
        "held-out news, lower-cased": corpus_cases(rows, lower=True),
        "assistant commands": command_cases(),
    }
    predictors = {
        "kvarn rules+model": kvarn_predictor(),
        "spaCy model alone": model_only_predictor(),
        "two capitalised words": naive_predictor(),
    }
    return {
        set_name: {name: score(golds, predict(texts)) for name, predict in predictors.items()}
        for set_name, (texts, golds) in sets.items()
    }


# Name-free assistant requests for the speed mix (hand-written, like COMMAND_CASES).
PLAIN_COMMANDS: tuple[str, ...] = (
    "vad blir vädret imorgon",
    "Vad blir vädret i Göteborg på lördag?",
    "spela lite lugn musik",
    "pausa musiken",
    "nästa låt",
    "höj volymen",
    "sätt en timer på tio minuter",
    "väck mig klockan sex imorgon",
    "lägg till mjölk och bröd på inköpslistan",
    "ta bort ägg från listan",
    "tänd lampan i köket",
    "släck alla lampor",
    "hur lång tid tar det till jobbet",
    "när går nästa buss",
    "vad har jag i kalendern idag",
    "påminn mig om tvättstugan klockan sju",
    "boka ett möte på fredag klockan nio",
    "vad är klockan",
    "Hur många grader är det ute?",
    "stäng av tv:n",
    "ring mamma",
    "sms:a pappa att jag är sen",
    "God morgon Alice",
    "tack Alice",
    "spela P3",
    "hur går det för Volvo Cars aktie",
    "vägbeskrivning till Gamla Stan",
    "det kostar 100 kr per dag",
    "sätt värmen på tjugo grader",
    "vad ska jag laga till middag",
)


def assistant_mix(count: int = 5000, name_share: float = 0.2, seed: int = 7) -> list[str]:
    """Deterministic mix of assistant requests, ``name_share`` of them naming someone."""
    rng = random.Random(seed)
    named = [text for text, spans in map(parse_case, COMMAND_CASES) if spans]
    return [
        rng.choice(named) if rng.random() < name_share else rng.choice(PLAIN_COMMANDS)
        for _ in range(count)
    ]


def _rate(count: int, started: float) -> float:
    return count / max(time.perf_counter() - started, 1e-9)


def throughput(texts: Sequence[str]) -> dict[str, float]:
    """texts/s of the recognizer (uncached, one text at a time as presidio calls it, and
    batched) and of the model applied to every text, measured in the same run."""
    from pipelines.pii.persons import PersonDetector, person_cue
    from pipelines.pii.persons_model import load_model, model_person_spans

    load_model()
    detector = PersonDetector(cache_size=0)
    started = time.perf_counter()
    for text in texts:
        detector.detect(text)
    per_text = _rate(len(texts), started)
    model_calls = detector.model_calls
    started = time.perf_counter()
    detector.detect_batch(texts)
    batched = _rate(len(texts), started)
    sample = list(texts[:1000])
    started = time.perf_counter()
    for text in sample:
        model_person_spans([text])
    model_every = _rate(len(sample), started)
    cue_texts = list(texts) * max(1, 200_000 // max(1, len(texts)))
    started = time.perf_counter()
    hits = sum(map(person_cue, cue_texts))
    cue_rate = _rate(len(cue_texts), started)
    return {
        "recognizer, one text at a time": per_text,
        "recognizer, batched": batched,
        "model on every text": model_every,
        "speed-up (one at a time / model)": per_text / model_every,
        "person_cue": cue_rate,
        "share of texts the cue passes": hits / len(cue_texts),
        "share of texts the model sees": model_calls / len(texts),
    }


def print_report(corpus: str | Path) -> None:
    """Quality on the three evaluation sets and speed on two mixes, as in the docs."""
    from pipelines.pii.persons_corpus import heldout_rows

    results = evaluate(corpus)
    for set_name, by_predictor in results.items():
        print(f"\n{set_name}")
        for name, result in by_predictor.items():
            print("  " + result.line(name))
    news, _ = corpus_cases(heldout_rows(corpus))
    for title, texts in (
        ("assistant mix, 5,000 requests, 20% naming someone", assistant_mix()),
        (f"held-out news, {len(news):,} sentences", news),
    ):
        print(f"\nspeed on one core: {title} (texts/s unless a share)")
        for name, value in throughput(texts).items():
            print(f"  {name:<36} {value:>12,.2f}")
