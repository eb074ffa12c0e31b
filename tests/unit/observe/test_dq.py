"""Every gold/dq_hourly figure on real-format events, with a simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.config import LakeConfig
from pipelines.governance.policy import RetentionPolicy
from pipelines.io import delta
from pipelines.observe.dq import (
    DqFigure,
    build_dq_hour,
    build_dq_hours,
    check_status_metrics,
    dq_hour,
)
from pipelines.observe.thresholds import load_thresholds
from tests.unit.observe.dq_lake import CLEAN, LEAKY, PLANTED, build_lake

NOON = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> LakeConfig:
    return build_lake(tmp_path_factory.mktemp("dq"))


def _figures(cfg: LakeConfig, hour: str, now: datetime = NOON) -> dict[str, DqFigure]:
    figures = dq_hour(cfg, hour, load_thresholds(), RetentionPolicy(), now)
    return {f.metric: f for f in figures}


def test_rows_quarantine_and_schema_compliance(lake: LakeConfig) -> None:
    got = _figures(lake, CLEAN)
    assert got["rows_input"].value == 7
    assert got["rows_bronze"].value == 5  # the duplicate line is a valid event in bronze
    assert got["rows_quarantine"].value == 2
    assert got["quarantine_rate"].value == pytest.approx(2 / 7)
    assert got["quarantine_rate"].status == "error"  # over 0.10
    assert got["quarantine_rate"].detail == "invalid JSON:1, schema violation:1"
    assert got["schema_compliance"].value == pytest.approx(5 / 7)
    assert got["schema_compliance"].status == "error"


def test_duplicates_exact_and_near(lake: LakeConfig) -> None:
    got = _figures(lake, CLEAN)
    assert got["rows_silver_turns"].value == 4
    assert got["duplicate_rate_exact"].value == pytest.approx(1 / 5)
    assert got["duplicate_rate_exact"].status == "warn"
    assert got["duplicate_rate_near"].value == pytest.approx(1 / 4)  # "b" repeats "a"
    assert got["duplicate_rate_near"].status == "ok"


def test_pii_masked_counted_per_type_without_text(lake: LakeConfig) -> None:
    got = _figures(lake, CLEAN)["pii_entities_masked"]
    assert got.value is not None and got.value >= 2
    assert "PHONE:1" in got.detail and "PERSON:" in got.detail
    assert "Anna" not in got.detail and "070" not in got.detail


def test_masking_residuals_find_the_planted_leak(lake: LakeConfig) -> None:
    clean, leaky = _figures(lake, CLEAN), _figures(lake, LEAKY)
    assert clean["masking_residuals"].value == 0
    assert clean["masking_residuals"].status == "ok"
    assert leaky["masking_residuals"].value == 1
    assert leaky["masking_residuals"].status == "error"
    assert "PERSONNUMMER:1" in leaky["masking_residuals"].detail
    assert PLANTED[-11:] not in leaky["masking_residuals"].detail


def test_consent_coverage_counts_missing_training_scope(lake: LakeConfig) -> None:
    got = _figures(lake, CLEAN)["consent_coverage"]
    assert got.value == pytest.approx(3 / 4)
    assert got.status == "ok"
    assert got.detail == "without training consent:1"


def test_freshness_is_judged_as_of_the_hour_and_skips_a_leaking_hour(lake: LakeConfig) -> None:
    clean = _figures(lake, CLEAN, datetime(2025, 9, 1, 12, 30, tzinfo=UTC))["freshness_hours"]
    assert clean.value == 0 and clean.status == "ok"  # a later hour does not count for it
    leaky = _figures(lake, LEAKY, datetime(2025, 9, 1, 12, 30, tzinfo=UTC))["freshness_hours"]
    assert leaky.value == pytest.approx(1.0)  # newest clean hour up to LEAKY: CLEAN
    # the wall clock plays no part: a backfill a week later judges the same
    again = _figures(lake, LEAKY, datetime(2025, 9, 8, 0, 0, tzinfo=UTC))["freshness_hours"]
    assert again.value == leaky.value
    gap = _figures(lake, "2025-09-01T18", datetime(2025, 9, 1, 19, tzinfo=UTC))
    # newest silver hour up to 18:00 is LEAKY (only the judged hour is re-audited): 11 → 18
    assert gap["freshness_hours"].value == pytest.approx(7.0)
    assert gap["freshness_hours"].status == "error"


def test_retention_compliance_drops_once_data_is_overdue(lake: LakeConfig) -> None:
    fresh = _figures(lake, CLEAN)["retention_compliance"]
    assert fresh.value == 1.0 and fresh.status == "ok"
    later = _figures(lake, CLEAN, datetime(2025, 9, 12, tzinfo=UTC))["retention_compliance"]
    assert later.value is not None and 0 < later.value < 1
    assert later.status == "error"
    assert "bronze.events:2" in later.detail


def test_writing_an_hour_twice_gives_the_same_partition(lake: LakeConfig) -> None:
    thresholds, policy = load_thresholds(), RetentionPolicy()
    first, _ = build_dq_hour(lake, CLEAN, thresholds, policy, NOON)
    table = lake.table("gold", "dq_hourly")
    before = delta.read_partition(table, "hour", CLEAN)
    build_dq_hour(lake, CLEAN, thresholds, policy, NOON)
    after = delta.read_partition(table, "hour", CLEAN)
    assert before is not None and after is not None
    assert before.height == len(first) == 13
    assert before.sort("metric").equals(after.sort("metric"))
    assert set(after["status"]) <= {"ok", "warn", "error", "info"}


def test_check_status_metrics_cover_every_threshold(lake: LakeConfig) -> None:
    metrics = check_status_metrics(list(_figures(lake, CLEAN).values()))
    assert {m.label("check") for m in metrics} == set(load_thresholds().by_metric)
    assert all(m.name == "dq_check_status" and m.value in (0, 1, 2) for m in metrics)


def test_empty_hour_is_harmless(tmp_path: Path) -> None:
    got = _figures(LakeConfig(data_dir=str(tmp_path)), CLEAN)
    assert got["rows_input"].value == 0
    assert got["quarantine_rate"].status == "ok"
    assert got["freshness_hours"].value is None and got["freshness_hours"].status == "error"


def test_a_batch_of_hours_is_written_in_one_commit_with_each_hours_own_figures(
    lake: LakeConfig,
) -> None:
    """``build_dq_hours`` (the hourly asset's batched step) writes what ``build_dq_hour`` writes
    for each hour, leaky and clean hours side by side, in one Delta commit. The batch lists the
    silver hours once; each hour's freshness still counts only hours up to it (18:00 has no
    silver of its own and looks back past the leaky hour)."""
    thresholds, policy = load_thresholds(), RetentionPolicy()
    table = lake.table("gold", "dq_hourly")
    gap = "2025-09-01T18"
    alone = {}
    for hour in (CLEAN, LEAKY, gap):
        build_dq_hour(lake, hour, thresholds, policy, NOON)
        alone[hour] = delta.read_partition(table, "hour", hour)
    before = delta.table_version(table)
    by_hour, version = build_dq_hours(lake, [LEAKY, gap, CLEAN], thresholds, policy, NOON)
    assert before is not None and list(by_hour) == [LEAKY, gap, CLEAN] and version == before + 1
    for hour, rows in alone.items():
        together = delta.read_partition(table, "hour", hour)
        assert rows is not None and together is not None and together.height == len(by_hour[hour])
        assert together.sort("metric").equals(rows.sort("metric")), hour
    residuals = {h: {f.metric: f for f in by_hour[h]}["masking_residuals"] for h in by_hour}
    assert residuals[LEAKY].status == "error" and residuals[CLEAN].status == "ok"
    fresh = {h: {f.metric: f for f in by_hour[h]}["freshness_hours"].value for h in by_hour}
    assert fresh == {CLEAN: 0.0, LEAKY: 1.0, gap: 7.0}
