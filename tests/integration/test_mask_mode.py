"""`kvarn run --mask-mode surrogate` does what the README says: text_normalized is built from
the surrogate rendering (consistent invented values), while silver keeps both renderings."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from pipelines.io import delta
from tests.integration.small_lake import generate_landing, run_hours

PLACEHOLDER = re.compile(r"<(PERSON|PHONE|EMAIL|ADDRESS|PERSONNUMMER)>")


@pytest.mark.parametrize("mode", ["placeholder", "surrogate"])
def test_mask_mode_picks_the_rendering_of_text_normalized(tmp_path: Path, mode: str) -> None:
    cfg = generate_landing(tmp_path, seed=8, per_hour=120)
    run_hours(cfg, ["2025-09-01T09", "2025-09-01T10"], mask_mode=mode)
    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None
    assert set(turns["mask_mode"].to_list()) == {mode}
    named = turns.filter(  # the producer's own placeholders never get a surrogate
        pl.col("text").str.contains("<PERSON>")
        & (pl.col("dates") == "[]")
        & ~pl.col("pii_masked_by_producer").fill_null(False)
    )
    assert named.height >= 3
    for row in named.iter_rows(named=True):
        assert PLACEHOLDER.search(row["text_surrogate"] or "") is None  # both kept
        expected = row["text"] if mode == "placeholder" else row["text_surrogate"]
        assert row["text_normalized"] == expected
