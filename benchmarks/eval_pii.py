"""Quality of kvarn's Swedish PII masking vs the four-regex baseline, same run.

Datasets (all from ../shared/corpora unless noted):

* ``personnummer``: every row of personnummer_cases.jsonl embedded in a sentence;
  valid rows, and invalid rows that are wrong only in their check digit (real birth date,
  issuable serial: an ASR or typing error of a real number), are gold PERSONNUMMER spans;
  the other invalid rows (impossible date, serial 000, another shape) must not be
  reported as one.
* ``phone``: every example number of se_phone_metadata.json in 11 written forms
  (national, dashed, spaced, +46, 0046, "(0)", "(08)" ...).
* ``persons``: the held-out part of sv_ner_persons_train.jsonl (split defined by
  ``pipelines.pii.persons.heldout_rows``; fallback: last 20% by id order), as written and
  lower-cased (ASR-like).
* ``own``: hand-written Swedish assistant cases in tests/unit/pii/data/pii_cases_sv.jsonl,
  every PII span annotated, including negatives (dates, times, places, greetings).

Metrics (as in the person evaluation): *span recall* = share of gold spans fully covered
by predicted spans (any type: the text is masked); *typed recall* = covered by a span of
the gold type; *mask precision* = share of predicted spans that overlap a gold span. On
``persons`` only PERSON is annotated, so precision counts PERSON predictions only.

    .venv/bin/python benchmarks/eval_pii.py [--corpora ../shared/corpora] [--no-persons]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.pii.engine import PiiAnalyzer  # noqa: E402

Gold = tuple[int, int, str]
Predicted = tuple[int, int, str]
Predictor = Callable[[Sequence[str]], list[list[Predicted]]]

PNR_SENTENCES = (
    "Mitt personnummer är {}.",
    "pnr {} tack",
    "Kan du kolla ärendet för {} igen?",
    "{}",
)
PHONE_SENTENCES = ("Ring mig på {} efter lunch.", "sms:a {}", "numret är {}", "{}")


@dataclass
class Example:
    text: str
    gold: list[Gold]
    # Spans that must not be predicted with this type (invalid personnummer rows).
    forbidden: list[Gold] = field(default_factory=list)


# -- the four-regex baseline --------------------------------------------------------------

BASELINE = (
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("PHONE", re.compile(r"(?:\+46|0)[1-9]\d{8,9}")),
    ("PERSONNUMMER", re.compile(r"\d{6,8}-\d{4}")),
    ("PERSON", re.compile(r"[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+")),
)


def baseline_predict(texts: Sequence[str]) -> list[list[Predicted]]:
    out: list[list[Predicted]] = []
    for text in texts:
        found = [(m.start(), m.end(), kind) for kind, rx in BASELINE for m in rx.finditer(text)]
        out.append(found)
    return out


def kvarn_predictor(analyzer: PiiAnalyzer) -> Predictor:
    def predict(texts: Sequence[str]) -> list[list[Predicted]]:
        return [[(e.start, e.end, e.type) for e in found] for found in analyzer.analyze_many(texts)]

    return predict


# -- datasets --------------------------------------------------------------------------------


def _embed(template: str, value: str, kind: str) -> tuple[str, Gold]:
    text = template.format(value)
    start = text.index(value)
    return text, (start, start + len(value), kind)


def personnummer_examples(corpora: Path) -> list[Example]:
    examples = []
    with (corpora / "personnummer_cases.jsonl").open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            row = json.loads(line)
            text, span = _embed(
                PNR_SENTENCES[index % len(PNR_SENTENCES)], row["text"], "PERSONNUMMER"
            )
            if row["valid"] or wrong_check_digit_only(row["text"]):
                examples.append(Example(text, [span]))
            else:
                examples.append(Example(text, [], [span]))
    return examples


_PNR_ROW = re.compile(r"(\d\d)?(\d\d)(\d\d)(\d\d)([-+]?)(\d{3})(\d)")


def wrong_check_digit_only(raw: str) -> bool:
    """An invalid row whose birth date is real (day - 60 for a samordningsnummer) and whose
    serial can be issued: only the check digit is wrong, as after an ASR or typing error.
    Such a number still identifies a person and must be masked. Rows with impossible dates,
    serial 000 or another shape stay negatives. Written here independently of the masker.
    """
    shape = _PNR_ROW.fullmatch(raw)
    if shape is None:
        return False
    century, yy, mm, dd, sep, serial, _check = shape.groups()
    if serial == "000":
        return False
    day = int(dd) - 60 if int(dd) > 60 else int(dd)
    today = dt.date.today()
    if century:
        year = int(century + yy)
    else:  # the latest year that fits; "+" means the person has turned 100
        limit = today.year - (100 if sep == "+" else 0)
        year = limit - (limit - int(yy)) % 100
    try:
        born = dt.date(year, int(mm), day)
    except ValueError:
        return False
    return born <= today


def phone_forms(nsn: str, groups: Sequence[str]) -> list[str]:
    """Every written form of one national significant number."""
    first, rest = groups[0], list(groups[1:])
    return [
        "0" + nsn,
        f"0{first}-{''.join(rest)}",
        f"0{first}-{' '.join(rest)}",
        "0" + " ".join(groups),
        "+46" + nsn,
        "+46 " + " ".join(groups),
        "+46-" + "-".join(groups),
        "0046" + nsn,
        "0046 " + " ".join(groups),
        f"+46 (0){first}-{' '.join(rest)}",
        f"(0{first}) {' '.join(rest)}",
    ]


def phone_examples(corpora: Path) -> list[Example]:
    meta = json.loads((corpora / "se_phone_metadata.json").read_text(encoding="utf-8"))
    examples = []
    for kind in meta["number_types"].values():
        nsn = kind.get("exampleNumber")
        if not nsn:
            continue
        groups: Sequence[str] = [nsn]
        for rule in meta["availableFormats"]:
            leading = any(re.match(lead, nsn) for lead in rule["leadingDigits"])
            matched = re.fullmatch(rule["pattern"], nsn)
            if leading and matched:
                groups = matched.groups()
                break
        for index, form in enumerate(phone_forms(nsn, groups)):
            text, span = _embed(PHONE_SENTENCES[index % len(PHONE_SENTENCES)], form, "PHONE")
            examples.append(Example(text, [span]))
    return examples


def person_rows(path: Path) -> list[dict[str, Any]]:
    try:
        from pipelines.pii.persons import heldout_rows
    except ImportError:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        rows.sort(key=lambda r: int(str(r["id"]).rsplit("/", 1)[-1]))
        return rows[int(len(rows) * 0.8) :]
    return list(heldout_rows(path))


def person_examples(corpora: Path, lower: bool = False) -> list[Example]:
    """The held-out person sentences; ``lower``: the same in lower case (ASR-like text;
    lower-casing keeps every offset)."""
    rows = person_rows(corpora / "sv_ner_persons_train.jsonl")
    return [
        Example(
            r["text"].lower() if lower else r["text"], [(s, e, "PERSON") for s, e, _ in r["spans"]]
        )
        for r in rows
    ]


def own_examples(path: Path) -> list[Example]:
    examples = []
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        text = row["text"]
        gold = []
        for value, kind in row["pii"]:
            start = text.index(value)
            gold.append((start, start + len(value), kind))
        examples.append(Example(text, gold))
    return examples


# -- scoring ---------------------------------------------------------------------------------


@dataclass
class Score:
    gold: int = 0
    covered: int = 0
    typed: int = 0
    predicted: int = 0
    justified: int = 0
    forbidden_hits: int = 0

    def row(self) -> str:
        recall = self.covered / self.gold if self.gold else float("nan")
        typed = self.typed / self.gold if self.gold else float("nan")
        precision = self.justified / self.predicted if self.predicted else float("nan")
        return (
            f"{self.gold:>6} {recall:>7.3f} {typed:>7.3f} {self.predicted:>6} {precision:>7.3f}"
            + (f"  forbidden-type hits: {self.forbidden_hits}" if self.forbidden_hits else "")
        )


def _covered(span: Gold, predicted: Sequence[Predicted], kind: str | None = None) -> bool:
    start, end, _ = span
    chars = set(range(start, end))
    for p_start, p_end, p_kind in predicted:
        if kind is None or p_kind == kind:
            chars -= set(range(p_start, p_end))
    return not chars


def score(
    examples: Sequence[Example], predictions: Sequence[Sequence[Predicted]], only: str | None
) -> dict[str, Score]:
    per_type: dict[str, Score] = defaultdict(Score)
    for example, predicted in zip(examples, predictions, strict=True):
        for span in example.gold:
            for key in (span[2], "ALL"):
                per_type[key].gold += 1
                per_type[key].covered += _covered(span, predicted)
                per_type[key].typed += _covered(span, predicted, span[2])
        for p_start, p_end, p_kind in predicted:
            if only is not None and p_kind != only:
                continue
            hit = any(p_start < g_end and g_start < p_end for g_start, g_end, _ in example.gold)
            for key in (p_kind, "ALL"):
                per_type[key].predicted += 1
                per_type[key].justified += hit
        for f_start, f_end, f_kind in example.forbidden:
            if any(p[2] == f_kind and p[0] < f_end and f_start < p[1] for p in predicted):
                per_type[f_kind].forbidden_hits += 1
    return per_type


HEADER = "system     type            gold  recall   typed   pred    prec"


def report(
    name: str, examples: Sequence[Example], predictors: dict[str, Predictor], only: str | None
) -> dict[str, dict[str, Score]]:
    """Print one table per dataset; return the scores per system."""
    print(f"\n## {name}: {len(examples)} texts")
    print(HEADER)
    results: dict[str, dict[str, Score]] = {}
    for label, predict in predictors.items():
        started = time.perf_counter()
        predictions = predict([e.text for e in examples])
        elapsed = time.perf_counter() - started
        scores = score(examples, predictions, only)
        for kind in sorted(scores, key=lambda k: (k == "ALL", k)):
            print(f"{label:<10} {kind:<13} {scores[kind].row()}")
        print(f"{label:<10} ({elapsed:.1f} s)")
        results[label] = scores
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Swedish PII masking quality vs baseline")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument(
        "--cases", type=Path, default=ROOT / "tests/unit/pii/data/pii_cases_sv.jsonl"
    )
    parser.add_argument("--no-persons", action="store_true", help="pattern recognizers only")
    args = parser.parse_args(argv)

    analyzer = PiiAnalyzer(use_person_model=not args.no_persons)
    predictors: dict[str, Predictor] = {
        "kvarn": kvarn_predictor(analyzer),
        "baseline": baseline_predict,
    }
    print(f"person recognizers: {'yes' if analyzer.has_person_recognizers else 'no'}")
    report("own hand-written cases", own_examples(args.cases), predictors, None)
    phone = report(
        "se_phone_metadata examples, every format", phone_examples(args.corpora), predictors, None
    )
    pnr = report(
        "personnummer_cases (valid or check-digit typo = gold, other invalid = forbidden)",
        personnummer_examples(args.corpora),
        predictors,
        None,
    )
    persons = report(
        "person corpus, held-out part (PERSON predictions only)",
        person_examples(args.corpora),
        predictors,
        "PERSON",
    )
    lowered = report(
        "person corpus, held-out part lower-cased (PERSON predictions only)",
        person_examples(args.corpora, lower=True),
        predictors,
        "PERSON",
    )
    pnr_k, phone_k = pnr["kvarn"]["PERSONNUMMER"], phone["kvarn"]["PHONE"]
    checks = {
        f"valid and check-digit-typo personnummer rows masked: {pnr_k.covered}/{pnr_k.gold}": (
            pnr_k.covered == pnr_k.gold
        ),
        f"other invalid rows reported as PERSONNUMMER: {pnr_k.forbidden_hits}": (
            pnr_k.forbidden_hits == 0
        ),
        f"phone examples masked: {phone_k.covered}/{phone_k.gold}": phone_k.covered == phone_k.gold,
    }
    # issue #13 targets: recall 0.95 (news) and 0.90 (lower-cased), both at precision 0.92
    person_targets = (
        ("held-out", persons["kvarn"], 0.95),
        ("held-out lower-cased", lowered["kvarn"], 0.90),
    )
    for name, scores, target in person_targets if not args.no_persons else ():
        person = scores.get("PERSON", Score())
        recall = person.covered / max(1, person.gold)
        precision = person.justified / max(1, person.predicted)
        checks[f"{name} person span recall {recall:.3f} >= {target:.2f}"] = recall >= target
        checks[f"{name} person mask precision {precision:.3f} >= 0.92"] = precision >= 0.92
    print("\n## acceptance")
    for label, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
