"""Silver is the same with the per-process text caches on and off.

Lakes from the same generated landing files: one built with the caches off (every
text analysed and parsed on every call, as before the caches), one with the caches on and
already warm from the other lake's texts. Every silver table must match row for row and every
hour's report figure by figure, and the cached lake must really have been served from the
caches (hits counted), so the comparison cannot pass by never using them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.dates.parsed import parse_cache
from pipelines.io import delta
from pipelines.io.text_cache import run_caches
from pipelines.pii import get_masker
from pipelines.silver.build import SilverOptions, SilverReport, build_silver_hour
from tests.integration.small_lake import TEST_KEY, generate_landing

HOURS = [f"2025-09-01T{h:02d}" for h in range(8, 12)]
WALL_CLOCK = {"ingested_at", "created_at"}


def _build(root: Path, mode: str) -> tuple[dict[str, pl.DataFrame], list[SilverReport]]:
    cfg: LakeConfig = generate_landing(root, seed=5, per_hour=60)
    for hour in HOURS:
        build_bronze_hour(cfg, hour)
    opts = SilverOptions(mask_mode=mode, demo=True)
    reports = [build_silver_hour(cfg, hour, opts) for hour in HOURS]
    tables: dict[str, pl.DataFrame] = {}
    for name in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", name))
        assert frame is not None
        keep = sorted(c for c in frame.columns if c not in WALL_CLOCK)
        tables[name] = frame.select(keep).sort(keep)
    return tables, reports


@pytest.mark.parametrize("mode", ["placeholder", "surrogate"])
def test_silver_identical_with_caches_on_and_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
    analysis, parsed = get_masker().analysis_cache, parse_cache()

    hits_before = analysis.hits + parsed.hits
    with run_caches(False):
        plain, plain_reports = _build(tmp_path / "off", mode)
    assert analysis.hits + parsed.hits == hits_before  # off means off

    warming, warming_reports = _build(tmp_path / "warm", mode)  # fills the caches
    analysis_hits, parse_hits = analysis.hits, parsed.hits
    cached, cached_reports = _build(tmp_path / "on", mode)
    assert analysis.hits > analysis_hits
    assert parsed.hits > parse_hits

    assert plain["turns"].height > 150
    assert plain["turns"]["dates"].str.contains('"grain"').any()  # relative dates resolved
    assert plain["turns"]["pii_entities"].str.contains("PERSON").any()
    for got, got_reports in ((warming, warming_reports), (cached, cached_reports)):
        for name, frame in plain.items():
            assert got[name].equals(frame), name
        for off, on in zip(plain_reports, got_reports, strict=True):
            assert _figures(off) == _figures(on)


def _figures(report: SilverReport) -> tuple[object, ...]:
    return (report.rows, report.pii_entities, report.dates_found, report.preview)
