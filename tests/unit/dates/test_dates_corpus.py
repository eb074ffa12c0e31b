"""Duckling's Swedish time corpus (BSD-3-Clause, see corpora/SOURCES.md) as a regression bar,
and the cheap pre-check held to never hiding an expression the grammar would find."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipelines.dates import has_temporal_cue
from pipelines.dates.api import find_dates_uncued
from pipelines.dates.duckling_eval import load_rows, score_row
from pipelines.dates.timeutil import parse_tz

CORPUS = Path(__file__).resolve().parents[3] / "../shared/corpora/duckling_sv_time.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip("shared Duckling corpus not present")
    return load_rows(CORPUS)


def test_corpus_accuracy_stays_above_the_bar(rows: list[dict]) -> None:
    results = [score_row(r)[0] for r in rows]
    accuracy = sum(results) / len(results)
    assert accuracy >= 0.95, f"{accuracy:.1%}"  # the issue asks ≥ 90%; 99.7% when written
    intervals = [ok for ok, r in zip(results, rows, strict=True) if r["type"] != "value"]
    assert sum(intervals) / len(intervals) >= 0.95


def test_cue_never_hides_a_corpus_expression(rows: list[dict]) -> None:
    zone = parse_tz("-02:00")
    for r in rows:
        ref = datetime.fromisoformat(r["reference_time"])
        if find_dates_uncued(r["text"], ref, zone):
            assert has_temporal_cue(r["text"]), r["text"]
