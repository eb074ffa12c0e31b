"""Train kvarn's small Swedish person-name model offline and write it to pipelines/pii/model.

Reproducible: the corpus split is a hash of each row id, the augmentation uses a seeded RNG and
spaCy trains with a fixed seed. Only the training part of the corpus is read (the held-out
15% is used for evaluation only, at the end). Steps:

1. harvest from the training part: person-name tokens (``names/corpus_names.txt``), ordinary
   lower-case words (``names/corpus_vocabulary.txt``) and place/organisation phrases
   (``names/corpus_non_names.txt``) for the rules;
2. build DocBins with ``spacy.blank("sv")``: corpus sentences, lower-cased copies (ASR-like),
   and generated assistant commands with names ("ring erik johansson") plus negatives
   ("ring mamma", "100 kr per dag", "Glad påsk");
3. ``spacy train`` a tok2vec+ner pipeline (``spacy init config --lang sv --pipeline ner
   --optimize efficiency``) for a bounded number of steps on one core;
4. copy ``model-best`` to ``pipelines/pii/model`` and print the evaluation figures.

    .venv/bin/python benchmarks/train_ner.py                 # harvest + train + evaluate
    .venv/bin/python benchmarks/train_ner.py --evaluate-only # figures for the committed model
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# one core, as documented (spaCy is imported later, inside the functions that need it)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, str(REPO))

from pipelines.pii.persons_corpus import is_dev, training_rows  # noqa: E402
from pipelines.pii.persons_lexicon import NAMES_DIR, load_lexicon  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "sv_ner_persons_train.jsonl"
MODEL_DIR = REPO / "pipelines" / "pii" / "model"

Example = tuple[str, list[tuple[int, int, str]]]

# ----------------------------------------------------------------------------------------------
# 1. harvesting from the training part


def _is_word(token: str) -> bool:
    return bool(re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", token))


def harvest(rows: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Name tokens, lower-case vocabulary and non-person phrases seen in training rows."""
    lexicon = load_lexicon()
    as_person: Counter[str] = Counter()
    as_other: Counter[str] = Counter()
    vocabulary: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    person_phrases: set[str] = set()
    for row in rows:
        text = row["text"]
        phrase: list[str] = []
        for start, end, label in [*row["tokens"], (0, 0, "END")]:
            token = text[start:end]
            if label in ("LOC", "ORG", "MISC"):
                phrase.append(token)
            elif phrase:
                phrases[" ".join(phrase).casefold()] += 1
                phrase = []
            if not _is_word(token):
                continue
            if label == "PER":
                if token[0].isupper():
                    as_person[token.casefold()] += 1
            elif token.islower():
                vocabulary[token] += 1
            elif token[0].isupper():
                as_other[token.casefold()] += 1
        for start, end, _ in row["spans"]:
            person_phrases.add(text[start:end].casefold())
    names = sorted(
        name
        for name, count in as_person.items()
        if len(name) > 1
        and count >= as_other[name]
        and name not in vocabulary
        and name not in lexicon.non_name_tokens
        and name not in lexicon.non_name_phrases
    )
    person_tokens = {token for phrase in person_phrases for token in phrase.split()}
    non_names = sorted(
        phrase
        for phrase in phrases
        if phrase not in person_phrases
        and not any(lexicon.is_first_name(token) for token in phrase.split())
        and not set(phrase.split()) <= person_tokens
        and _is_word(phrase.replace(" ", "-"))
    )
    return {
        "corpus_names.txt": names,
        "corpus_vocabulary.txt": sorted(vocabulary),
        "corpus_non_names.txt": non_names,
    }


def write_harvest(harvested: dict[str, list[str]], source: Path) -> None:
    header = (
        "# Harvested by benchmarks/train_ner.py from the training part (never the held-out part)\n"
        f"# of {source.name} (klintan/swedish-ner-corpus, CC BY 4.0). Do not edit by hand.\n"
    )
    for name, entries in harvested.items():
        (NAMES_DIR / name).write_text(header + "\n".join(entries) + "\n", encoding="utf-8")
    load_lexicon.cache_clear()


# ----------------------------------------------------------------------------------------------
# 2. augmentation: assistant commands with and without names

# "{p}" and "{q}" are person slots; "{place}" a place. Distinct from the hand-written
# evaluation set in pipelines/pii/persons_eval.py.
_PERSON_TEMPLATES = (
    "ring {p}",
    "ring {p} på mobilen",
    "ringa {p}",
    "kan du ringa {p}",
    "ring upp {p}",
    "ring {p} eller {q}",
    "sms:a {p} att jag är sen",
    "skicka ett sms till {p}",
    "skicka sms till {p} om middagen",
    "messa {p} att vi ses klockan sju",
    "maila {p} rapporten",
    "mejla {p} och fråga om fakturan",
    "boka möte med {p} på fredag",
    "boka ett möte med {p} och {q} imorgon klockan tio",
    "lägg in lunch med {p} på torsdag",
    "påminn mig att ringa {p} i morgon",
    "påminn {p} om tandläkaren",
    "vad har {p} för nummer",
    "när fyller {p} år",
    "lägg till {p} i kontakter",
    "hej jag heter {p}",
    "jag heter {p} och bor i {place}",
    "mitt namn är {p}",
    "det här är {p}",
    "videosamtal med {p}",
    "starta facetime med {p}",
    "skicka bilden till {p}",
    "dela min position med {p}",
    "har {p} svarat på mitt mejl",
    "läs upp senaste meddelandet från {p}",
    "vad skrev {p}",
    "svara {p} att det går bra",
    "säg till {p} att maten är klar",
    "bjud in {p} till mötet",
    "flytta mötet med {p} till nästa vecka",
    "spela senaste låten med {p}",
    "hur gammal är {p}",
    "{p} ringde",
    "missat samtal från {p}",
    "{p} kommer hem klockan fem",
    "hämta {p} på förskolan",
    "köp present till {p}",
    "fråga {p} om hon vill följa med",
    "swisha {p} 200 kronor",
    "swisha 150 kr till {p}",
    "betala tillbaka till {p}",
    "{p} och {q} kommer på middag",
    "skriv till {p} att vi är framme",
    "vem är {p}",
    "när kommer {p} hem",
    "ring {p} och sedan {q}",
    "boka bord för mig och {p} på lördag",
    "säg grattis till {p}",
    "skicka ett mejl till {p}, {q} och {r}",
)

_NEGATIVE_TEMPLATES = (
    "ring mamma",
    "ring pappa på jobbet",
    "sms:a pappa att jag kommer vid sex",
    "sms:a mamma att jag är sen",
    "ring mormor",
    "ring farfar",
    "skicka ett sms till min bror",
    "ring chefen",
    "ring frun",
    "ring kompisen",
    "boka tid hos tandläkaren",
    "ring vårdcentralen",
    "det kostar 100 kr per dag",
    "två tabletter per dag",
    "hur många kalorier per portion",
    "vi såg en björn i skogen",
    "björnen sover på vintern",
    "jag vill bo i {place}",
    "var ska vi bo i sommar",
    "första maj är en helgdag",
    "vad händer första maj",
    "flytta mötet till maj",
    "hans bil står på gatan",
    "inga problem",
    "det blir inga möten idag",
    "vilken dag är det idag",
    "god dag",
    "God morgon",
    "God natt",
    "Glad påsk",
    "Glad Påsk allihop",
    "God Jul och Gott Nytt År",
    "Trevlig helg",
    "spela Sveriges Radio P1",
    "sätt på Sveriges Radio",
    "hur långt är det till Gamla Stan",
    "när går tåget från Stockholms Central",
    "hur går Volvo Cars aktie idag",
    "vädret i {place} imorgon",
    "vägbeskrivning till {place}",
    "hitta närmaste apotek i {place}",
    "boka tåg till {place} på fredag",
    "spela musik",
    "sätt en timer på tio minuter",
    "stig upp klockan sex",
    "solen skiner i {place}",
    "ta med sten och sand",
    "vad är klockan",
    "väck mig klockan sju",
    "lägg till mjölk på inköpslistan",
    "tänd lampan i köket",
    "hej Alice",
    "tack Alice",
    "Alice, vad blir vädret",
    "påminn mig om mötet",
    "hur mår du",
    "min syster fyller år i maj",
    "ring min sambo",
    "sms:a grannen att paketet har kommit",
    "läs upp mina meddelanden",
    "var ligger Gamla Stan",
)

_PLACES = (
    "Stockholm",
    "Göteborg",
    "Malmö",
    "Uppsala",
    "Umeå",
    "Luleå",
    "Lund",
    "Visby",
    "Kiruna",
    "Västerås",
    "Örebro",
    "Gamla Stan",
    "Södermalm",
    "Norrköping",
    "Jönköping",
)


def _person_name(rng: random.Random, first: Sequence[str], last: Sequence[str]) -> str:
    shape = rng.random()
    if shape < 0.35:
        return rng.choice(first)
    if shape < 0.75:
        return f"{rng.choice(first)} {rng.choice(last)}"
    if shape < 0.85:
        return f"{rng.choice(first)}-{rng.choice(first)} {rng.choice(last)}"
    if shape < 0.92:
        return f"{rng.choice(first)}-{rng.choice(first)}"
    if shape < 0.96:
        return f"{rng.choice(first)} {rng.choice(first)} {rng.choice(last)}"
    return f"{rng.choice(first)} {rng.choice(last)}-{rng.choice(last)}"


def _fill(template: str, values: dict[str, str]) -> Example:
    """Fill slots left to right and record the character spans of person slots."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for match in re.finditer(r"\{(\w+)\}", template):
        out.append(template[cursor : match.start()])
        start = sum(len(part) for part in out)
        value = values[match.group(1)]
        out.append(value)
        if match.group(1) in ("p", "q", "r"):
            spans.append((start, start + len(value), "PER"))
        elif match.group(1) == "place":
            spans.append((start, start + len(value), "LOC"))
        cursor = match.end()
    out.append(template[cursor:])
    return "".join(out), spans


def _cased(example: Example, style: str) -> Example:
    """ASR style (all lower case), typed style (only the first letter) or proper case."""
    text, spans = example
    if style == "asr":
        return text.lower(), spans
    if style == "typed":
        lowered = text.lower()
        return lowered[:1].upper() + lowered[1:], spans
    return text[:1].upper() + text[1:], spans


def generate_commands(
    rng: random.Random, count: int, first: Sequence[str], last: Sequence[str]
) -> list[Example]:
    """Command-style sentences with names (about 75%) and negatives (about 25%)."""
    examples: list[Example] = []
    for index in range(count):
        values = {
            "p": _person_name(rng, first, last),
            "q": _person_name(rng, first, last),
            "r": _person_name(rng, first, last),
            "place": rng.choice(_PLACES),
        }
        if index % 4 == 3:
            text, spans = _fill(rng.choice(_NEGATIVE_TEMPLATES), values)
            example: Example = (text, [span for span in spans if span[2] != "PER"])
        else:
            example = _fill(rng.choice(_PERSON_TEMPLATES), values)
        style = rng.choices(("asr", "typed", "proper"), weights=(4, 2, 4))[0]
        examples.append(_cased(example, style))
    return examples


def _name_pools(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """First names and surnames to put in commands: gazetteer plus names seen in the corpus."""
    lexicon = load_lexicon()
    first = sorted(name.title() for name in lexicon.first_names if "-" not in name)
    last = sorted(name.title() for name in lexicon.surnames)
    corpus_first: set[str] = set()
    corpus_last: set[str] = set()
    for row in rows:
        for start, end, _ in row["spans"]:
            parts = row["text"][start:end].split()
            if len(parts) >= 2 and all(_is_word(part) for part in parts):
                corpus_first.add(parts[0])
                corpus_last.add(parts[-1])
    return first + sorted(corpus_first), last + sorted(corpus_last)


def labelled_spans(row: dict[str, Any], all_labels: bool) -> list[tuple[int, int, str]]:
    """Person spans, or with ``all_labels`` also LOC/ORG/MISC runs of the IO-tagged tokens."""
    if not all_labels:
        return [(int(start), int(end), "PER") for start, end, _ in row["spans"]]
    spans: list[tuple[int, int, str]] = []
    for start, end, label in row["tokens"]:
        if label == "O":
            continue
        if spans and spans[-1][2] == label and row["text"][spans[-1][1] : start].strip() == "":
            spans[-1] = (spans[-1][0], int(end), label)
        else:
            spans.append((int(start), int(end), label))
    return spans


def corpus_examples(
    rows: Iterable[dict[str, Any]], lower_share: float, rng: random.Random, all_labels: bool
) -> list[Example]:
    """Corpus sentences, plus lower-cased copies of a share of them (ASR-like text)."""
    examples: list[Example] = []
    for row in rows:
        spans = labelled_spans(row, all_labels)
        examples.append((row["text"], spans))
        if rng.random() < lower_share:
            examples.append((row["text"].lower(), spans))
    return examples


def swap_names(
    example: Example, rng: random.Random, first: Sequence[str], last: Sequence[str]
) -> Example:
    """The sentence with every person replaced by another name of the same length in words,
    so the model learns the context of a name rather than the names of 2012's news."""
    text, spans = example
    out: list[str] = []
    new_spans: list[tuple[int, int, str]] = []
    cursor = 0
    shift = 0
    for start, end, label in sorted(spans):
        if label != "PER":
            new_spans.append((start + shift, end + shift, label))
            continue
        words = text[start:end].split()
        if len(words) == 1:
            name = rng.choice(last) if rng.random() < 0.6 else rng.choice(first)
        else:
            name = f"{rng.choice(first)} {rng.choice(last)}"
        if text[start:end].endswith("s") and not name.endswith("s") and rng.random() < 0.5:
            name += "s"  # keep some genitives ("Reinfeldts")
        if text.islower():
            name = name.lower()  # a lower-cased (ASR-like) copy
        out.append(text[cursor:start])
        new_start = sum(map(len, out))
        out.append(name)
        new_spans.append((new_start, new_start + len(name), label))
        shift = new_start + len(name) - end
        cursor = end
    out.append(text[cursor:])
    return "".join(out), new_spans


# ----------------------------------------------------------------------------------------------
# 3. DocBins and spaCy training


def write_docbin(
    examples: Sequence[Example], path: Path, labels: frozenset[str] | None = None
) -> int:
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("sv")
    docbin = DocBin()
    n_spans = 0
    for text, spans in examples:
        doc = nlp.make_doc(text)
        ents = [
            doc.char_span(start, end, label=label, alignment_mode="expand")
            for start, end, label in spans
            if labels is None or label in labels
        ]
        doc.ents = filter_spans([ent for ent in ents if ent is not None])
        n_spans += sum(ent.label_ == "PER" for ent in doc.ents)
        docbin.add(doc)
    docbin.to_disk(path)
    return n_spans


@dataclass(frozen=True)
class Shape:
    """Size of the tok2vec + ner network; the defaults are spaCy's "efficiency" preset."""

    width: int = 96
    depth: int = 4
    rows: float = 1.0  # multiplier of the hash-embedding rows (5000, 1000, 2500, 2500)
    hidden: int = 64


def write_config(
    path: Path, seed: int, max_steps: int, eval_frequency: int, shape: Shape = Shape()
) -> None:
    from spacy.cli.init_config import init_config

    config = init_config(lang="sv", pipeline=["ner"], optimize="efficiency", silent=True)
    config["system"]["seed"] = seed
    config["training"]["max_steps"] = max_steps
    config["training"]["eval_frequency"] = eval_frequency
    config["training"]["patience"] = max_steps
    model = config["components"]["tok2vec"]["model"]
    model["encode"]["width"] = shape.width
    model["encode"]["depth"] = shape.depth
    model["embed"]["rows"] = [round(n * shape.rows) for n in model["embed"]["rows"]]
    config["components"]["ner"]["model"]["hidden_width"] = shape.hidden
    config.to_disk(path)


def train(
    work: Path, seed: int, max_steps: int, eval_frequency: int, shape: Shape = Shape()
) -> Path:
    from spacy.cli.train import train as spacy_train

    config_path = work / "config.cfg"
    write_config(config_path, seed, max_steps, eval_frequency, shape)
    output = work / "output"
    spacy_train(
        config_path,
        output,
        use_gpu=-1,
        overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")},
    )
    return output / "model-best"


def install_model(best: Path) -> None:
    """Replace pipelines/pii/model with model-best (only the files spacy.load needs)."""
    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    shutil.copytree(best, MODEL_DIR)
    # the training paths point into a temporary directory; they mean nothing at run time
    config = (MODEL_DIR / "config.cfg").read_text(encoding="utf-8")
    config = re.sub(r'(?m)^(train|dev) = ".*"$', r"\1 = null", config)
    (MODEL_DIR / "config.cfg").write_text(config, encoding="utf-8")


# ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=2000)
    parser.add_argument("--eval-frequency", type=int, default=200)
    parser.add_argument("--commands", type=int, default=4000, help="generated command sentences")
    parser.add_argument(
        "--lower-share", type=float, default=1.0, help="share of lower-cased copies"
    )
    parser.add_argument(
        "--swap-names",
        type=int,
        default=0,
        help="extra copies of each corpus sentence with persons, names replaced",
    )
    parser.add_argument(
        "--labels",
        choices=("all", "per"),
        default="all",
        help="all: also learn the corpus LOC/ORG/MISC labels (only PER is used at run time)",
    )
    parser.add_argument(
        "--dev-fold",
        default="",
        help="another dev part of the training split (e.g. 2), for cross-checking a choice; "
        "prints that part's figures only (run it in a copy: it rewrites the model and lists)",
    )
    parser.add_argument("--width", type=int, default=Shape.width, help="tok2vec width")
    parser.add_argument("--depth", type=int, default=Shape.depth, help="tok2vec layers")
    parser.add_argument(
        "--rows", type=float, default=Shape.rows, help="multiplier of the hash-embedding rows"
    )
    parser.add_argument("--hidden", type=int, default=Shape.hidden, help="ner hidden width")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep DocBins/checkpoints here")
    parser.add_argument("--evaluate-only", action="store_true")
    args = parser.parse_args(argv)

    if args.evaluate_only:
        return _report(args.corpus)

    started = time.perf_counter()
    rows = training_rows(args.corpus)
    train_rows = [row for row in rows if not is_dev(str(row["id"]), args.dev_fold)]
    dev_rows = [row for row in rows if is_dev(str(row["id"]), args.dev_fold)]
    # harvest from the train part only, so the dev part stays an honest proxy for held-out
    write_harvest(harvest(train_rows), args.corpus)
    rng = random.Random(args.seed)
    first, last = _name_pools(train_rows)
    train_examples = corpus_examples(train_rows, args.lower_share, rng, args.labels == "all")
    person_examples = [
        example for example in train_examples if any(s[2] == "PER" for s in example[1])
    ]
    for _ in range(args.swap_names):
        train_examples += [swap_names(example, rng, first, last) for example in person_examples]
    train_examples += generate_commands(rng, args.commands, first, last)
    dev_examples = corpus_examples(dev_rows, 1.0, rng, args.labels == "all")
    dev_examples += generate_commands(rng, max(200, args.commands // 10), first, last)
    rng.shuffle(train_examples)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="kvarn-ner-"))
    work.mkdir(parents=True, exist_ok=True)
    labels = None if args.labels == "all" else frozenset({"PER"})
    n_train = write_docbin(train_examples, work / "train.spacy", labels)
    n_dev = write_docbin(dev_examples, work / "dev.spacy", labels)
    print(f"train docs {len(train_examples)} ({n_train} person spans)")
    print(f"dev docs {len(dev_examples)} ({n_dev} person spans)")
    shape = Shape(args.width, args.depth, args.rows, args.hidden)
    best = train(work, args.seed, args.max_steps, args.eval_frequency, shape)
    install_model(best)
    print(f"model written to {MODEL_DIR} in {time.perf_counter() - started:.0f} s")
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    if args.dev_fold:  # a cross-check of a choice: its own dev part, never the held-out part
        return _report_dev(args.corpus, args.dev_fold)
    return _report(args.corpus)


def _report_dev(corpus: Path, fold: str) -> int:
    """Rules + model on the dev part ``fold`` (cased and lower-cased), nothing else."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from pipelines.pii.persons import PersonDetector
    from pipelines.pii.persons_eval import corpus_cases, score

    rows = [row for row in training_rows(corpus) if is_dev(str(row["id"]), fold)]
    detector = PersonDetector(use_model=True, cache_size=0)
    for name, lower in (("cased", False), ("lower-cased", True)):
        texts, golds = corpus_cases(rows, lower=lower)
        found = [[(s.start, s.end) for s in spans] for spans in detector.detect_batch(texts)]
        print(score(golds, found).line(f"dev part {fold}, {name}"))
    return 0


def _report(corpus: Path) -> int:
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from pipelines.pii.persons_eval import print_report

    print_report(corpus)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
