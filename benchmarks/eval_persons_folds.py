"""Person-rule choices measured on the training split only, with leave-fold-out name lists.

The harvested lists (``names/corpus_*.txt``) already hold every name of the training part,
so any training sentence looks easy to the rules. This script splits the training split
(without spaCy's dev part "") into ten folds by a hash of the row id and, for each fold,
rebuilds the harvested lists from the other nine (``train_ner.harvest``) before detecting
persons in it, so the fold's names are as unknown to the lists as held-out names are. The
held-out part is never read. The committed model was trained on these sentences, so figures
with the model are optimistic; ``--rules-only`` measures the lists and rules alone.

    .venv/bin/python benchmarks/eval_persons_folds.py [--rules-only] [--misses]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from benchmarks.train_ner import DEFAULT_CORPUS, harvest  # noqa: E402
from pipelines.pii import persons_lexicon  # noqa: E402
from pipelines.pii.persons import PersonDetector  # noqa: E402
from pipelines.pii.persons_corpus import is_dev, training_rows  # noqa: E402
from pipelines.pii.persons_eval import Score, Span, _covered, corpus_cases, score  # noqa: E402

FOLDS = 10


def fold_of(row_id: str) -> int:
    """A fixed fold per row id (its own salt: independent of the held-out and dev split)."""
    digest = hashlib.sha256(f"cv10:{row_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % FOLDS


def _with_harvest(harvested: dict[str, list[str]]) -> Callable[[], None]:
    """Serve the harvested lists from memory instead of ``names/``; returns the undo."""
    original = persons_lexicon._read_list

    def read_list(name: str) -> list[str]:
        return list(harvested[name]) if name in harvested else original(name)

    persons_lexicon._read_list = read_list
    persons_lexicon.load_lexicon.cache_clear()

    def undo() -> None:
        persons_lexicon._read_list = original
        persons_lexicon.load_lexicon.cache_clear()

    return undo


def _misses(texts: Sequence[str], golds: Sequence[list[Span]], preds: Sequence[list[Span]]) -> None:
    for text, gold, pred in zip(texts, golds, preds, strict=True):
        for start, end in gold:
            if not _covered((start, end), pred):
                print(f"  miss {text[start:end]!r}")
        for start, end in pred:
            if not any(start < gold_end and end > gold_start for gold_start, gold_end in gold):
                print(f"  false positive {text[start:end]!r}")


def evaluate(corpus: Path, use_model: bool, show: bool) -> dict[str, Score]:
    rows = [row for row in training_rows(corpus) if not is_dev(str(row["id"]), "")]
    totals: dict[str, list[int]] = {"cased": [0, 0, 0, 0], "lower-cased": [0, 0, 0, 0]}
    for fold in range(FOLDS):
        test = [row for row in rows if fold_of(str(row["id"])) == fold]
        rest = [row for row in rows if fold_of(str(row["id"])) != fold]
        undo = _with_harvest(harvest(rest))
        try:
            detector = PersonDetector(use_model=use_model, cache_size=0)
            for name, lower in (("cased", False), ("lower-cased", True)):
                texts, golds = corpus_cases(test, lower=lower)
                preds = [
                    [(s.start, s.end) for s in spans] for spans in detector.detect_batch(texts)
                ]
                if show:
                    _misses(texts, golds, preds)
                result = score(golds, preds)
                for i, value in enumerate(
                    (result.gold, result.covered, result.predicted, result.overlapping)
                ):
                    totals[name][i] += value
        finally:
            undo()
    return {name: Score(*values) for name, values in totals.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rules-only", action="store_true", help="without the spaCy model")
    parser.add_argument("--misses", action="store_true", help="print every miss and false positive")
    args = parser.parse_args(argv)
    what = "rules only" if args.rules_only else "rules + model"
    for name, result in evaluate(args.corpus, not args.rules_only, args.misses).items():
        print(result.line(f"training folds, {name}, {what}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
