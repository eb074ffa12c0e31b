"""Masker throughput vs a plain presidio AnalyzerEngine, same recognizers, same run.

Generates a deterministic mix of short Swedish assistant commands (calendar, sms, calls,
weather, music, timers, shopping, navigation), about 20% of them carrying PII, then
times (a) kvarn's ``PiiMasker.analyze_many`` (trigger-routed fast path) and (b) the very
same presidio ``AnalyzerEngine`` applied to every text with every recognizer
(``analyze_plain``). Both outputs must be identical, entity for entity.

    .venv/bin/python benchmarks/bench_pii.py [--texts 20000] [--repeat 3] [--no-persons]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.pii.engine import PiiAnalyzer
from pipelines.pii.entities import Entity

NAMES = [
    "Erik", "Anna", "Lars Johansson", "maria", "Karin Lindberg", "per", "Sofia", "Ahmed",
    "Johan", "eva nilsson", "Mikael", "Fatima", "Oskar Berg", "lisa", "Ingrid Holm", "Nils",
]  # fmt: skip
PLACES = ["Göteborg", "Malmö", "Kiruna", "Stockholm", "Uppsala", "Gamla Stan", "Lund", "Umeå"]
SONGS = ["Dancing Queen", "lite jazz", "Veronica Maggio", "Håkan Hellström", "P3", "julmusik"]
ITEMS = ["mjölk", "bröd", "ägg", "kaffe", "bananer", "smör", "pasta", "tomater", "ost", "lök"]
STREETS = ["Storgatan", "Sveavägen", "Kungsgatan", "lärkvägen", "Drottninggatan", "Ekbacken"]
DOMAINS = ["gmail.com", "outlook.com", "foretag.se", "telia.com"]

PLAIN_TEMPLATES = [
    "vad blir det för väder i {place} imorgon",
    "spela {song}",
    "sätt en timer på {n} minuter",
    "väck mig klockan {h}",
    "lägg till {item} på inköpslistan",
    "påminn mig om att köpa {item} på fredag",
    "hur långt är det till {place}",
    "boka ett möte kl {h}:{mm} på måndag",
    "skapa ett kalenderevent 2025-09-{d:02d} kl 10:00",
    "stäng av musiken",
    "höj volymen",
    "vad är klockan",
    "navigera till {place}",
    "hur mycket trafik är det på E4 just nu",
    "pausa",
    "nästa låt",
    "tänd lampan i köket",
    "vad har jag i kalendern idag",
    "ta bort {item} från listan",
    "hur många dagar är det kvar till jul",
    "Alice, vad är det för väder",
    "God morgon Alice",
    "ring mamma",
    "skicka ett sms till pappa om att jag är sen",
    "spela musik i vardagsrummet mellan 10.30 och 11.45",
    "Vad kostar en biljett till Gamla Stan",
]
PII_TEMPLATES = [
    "ring {name}",
    "ring {phone}",
    "skicka sms till {name}: jag är framme {h}:{mm}",
    "skicka ett sms till {phone} att jag kommer",
    "boka möte med {name} på torsdag kl {h}",
    "mitt personnummer är {pnr}",
    "mejla {email} att mötet är flyttat",
    "navigera till {address}",
    "ring {name} på {phone}",
    "lägg till {name} som kontakt med nummer {phone}",
]


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**7):07d}"
    prefix = rng.choice(["070", "072", "073", "076", "08", "031"])
    forms = [
        f"{prefix}-{digits[:3]} {digits[3:5]} {digits[5:]}",
        f"+46 {prefix[1:]} {digits[:3]} {digits[3:5]} {digits[5:]}",
        f"{prefix}{digits}",
        f"0046 {prefix[1:]}-{digits}",
    ]
    return rng.choice(forms)


def _personnummer(rng: random.Random) -> str:
    body = f"{rng.randrange(40, 100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body += f"{rng.randrange(1, 1000):03d}"
    total = 0
    for index, char in enumerate(body):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    check = (10 - total % 10) % 10
    return rng.choice([f"{body[:6]}-{body[6:]}{check}", f"19{body}{check}"])


def make_texts(count: int, pii_share: float = 0.2, seed: int = 7) -> list[str]:
    """Deterministic Swedish assistant commands, ``pii_share`` of them with PII."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(count):
        template = rng.choice(PII_TEMPLATES if rng.random() < pii_share else PLAIN_TEMPLATES)
        name = rng.choice(NAMES)
        texts.append(
            template.format(
                name=name,
                place=rng.choice(PLACES),
                song=rng.choice(SONGS),
                item=rng.choice(ITEMS),
                phone=_phone(rng),
                pnr=_personnummer(rng),
                email=f"{name.split()[0].lower()}.{rng.randrange(100)}@{rng.choice(DOMAINS)}",
                address=f"{rng.choice(STREETS)} {rng.randrange(1, 90)}",
                n=rng.randrange(1, 60),
                h=rng.randrange(6, 23),
                mm=rng.choice(["00", "15", "30", "45"]),
                d=rng.randrange(1, 29),
            )
        )
    return texts


def generated_texts(events_per_hour: int) -> list[str]:
    """User utterances from the project's own telemetry generator (one day, seed 7)."""
    import json
    import tempfile

    from pipelines.generate import generate

    texts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, days=1, events_per_hour=events_per_hour, seed=7, broken_share=0.0)
        for path in sorted(Path(tmp, "telemetry").rglob("*.jsonl")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                event = json.loads(line)
                text = (event.get("input") or {}).get("text") if isinstance(event, dict) else None
                if isinstance(text, str) and text:
                    texts.append(text)
    return texts


def timed(
    build: Callable[[], PiiAnalyzer],
    run: Callable[[PiiAnalyzer], list[list[Entity]]],
    count: int,
    repeat: int,
) -> tuple[float, list[list[Entity]]]:
    """Best-of-``repeat`` texts/s, each run on a freshly built analyzer (cold caches)."""
    best = 0.0
    output: list[list[Entity]] = []
    for _ in range(repeat):
        analyzer = build()
        started = time.perf_counter()
        output = run(analyzer)
        best = max(best, count / (time.perf_counter() - started))
    return best, output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PII masker throughput vs plain presidio")
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--plain-texts", type=int, default=5_000, help="texts for the baseline")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-persons", action="store_true", help="pattern recognizers only")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="EVENTS_PER_HOUR",
        help="use input.text of `kvarn generate` telemetry (one day) instead of the mix",
    )
    args = parser.parse_args(argv)

    persons = not args.no_persons
    started = time.perf_counter()
    first = PiiAnalyzer(use_person_model=persons)
    first.analyze_many(make_texts(300, seed=1))  # loads lexicons and the model once
    warm_s = time.perf_counter() - started
    texts = generated_texts(args.generated) if args.generated else make_texts(args.texts)
    sample = texts[: args.plain_texts]

    def build() -> PiiAnalyzer:
        return PiiAnalyzer(use_person_model=persons)

    fast_rate, fast_out = timed(build, lambda a: a.analyze_many(texts), len(texts), args.repeat)
    plain_rate, plain_out = timed(
        build, lambda a: [a.analyze_plain(t) for t in sample], len(sample), args.repeat
    )
    single_rate, single_out = timed(
        build, lambda a: [a.analyze(t) for t in sample], len(sample), args.repeat
    )
    mismatches = sum(1 for a, b in zip(fast_out, plain_out, strict=False) if a != b)
    mismatches += sum(1 for a, b in zip(single_out, plain_out, strict=True) if a != b)
    with_pii = sum(1 for found in fast_out if found)
    reached = sum(1 for t in texts if first.entities_to_check(t))

    source = f"kvarn generate, {args.generated} events/h" if args.generated else "built-in mix"
    print(f"texts: {len(texts)} ({len(set(texts))} distinct, {source}); baseline on {len(sample)}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"person recognizers: {'yes' if first.has_person_recognizers else 'no'}")
    print(f"first build + warm-up (lexicons, model): {warm_s:.2f} s")
    print(f"texts with entities: {with_pii / len(texts):.1%}")
    print(f"texts reaching a recognizer: {reached / len(texts):.1%}")
    print(f"kvarn masker, analyze_many: {fast_rate:,.0f} texts/s")
    print(f"kvarn masker, analyze per text: {single_rate:,.0f} texts/s")
    print(f"plain presidio AnalyzerEngine, same recognizers: {plain_rate:,.0f} texts/s")
    print(f"speed-up (analyze_many / plain): {fast_rate / plain_rate:.1f}x")
    print(f"identical output: {mismatches == 0} ({mismatches} differing texts)")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
