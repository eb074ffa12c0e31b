"""Matching history chunk by chunk gives the same clusters as matching it all at once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import pipelines.dedupe.store as store_module
from pipelines.dedupe import NearDupStore

TEMPLATES = [
    "tänd lampan i {}",
    "boka möte med <PERSON> <DATE> om {}",
    "spela {} på spotify",
    "vad blir vädret i {} i helgen",
    "lägg {} på inköpslistan",
]
WORDS = ["köket", "hallen", "budgeten", "jazz", "göteborg", "mjölk", "kaffe", "sovrummet", "malmö"]


def _hours(seed: int, hours: int, per_hour: int) -> list[pl.DataFrame]:
    rng = random.Random(seed)
    start = datetime(2025, 9, 1, tzinfo=UTC)
    out = []
    for h in range(hours):
        rows = []
        for i in range(per_hour):
            text = rng.choice(TEMPLATES).format(rng.choice(WORDS))
            if rng.random() < 0.3:
                text = text.upper() if rng.random() < 0.5 else text + " tack"
            ts = start + timedelta(hours=h, seconds=i)
            rows.append({"event_id": f"e{seed}-{h}-{i}", "ts": ts, "text": text})
        schema = {"event_id": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "text": pl.Utf8}
        out.append(pl.DataFrame(rows, schema=schema))
    return out


def _run(path: Path, batches: list[pl.DataFrame]) -> list[pl.DataFrame]:
    store = NearDupStore(str(path))
    return [store.assign(b) for b in batches]


def test_chunk_size_does_not_change_any_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = _hours(3, hours=4, per_hour=150)
    whole = _run(tmp_path / "whole", batches)
    monkeypatch.setattr(store_module, "MATCH_CHUNK", 7)
    chunked = _run(tmp_path / "chunked", batches)
    for a, b in zip(whole, chunked, strict=True):
        assert a.equals(b)
    last = whole[-1]
    assert last["is_representative"].sum() < last.height  # history was actually matched
