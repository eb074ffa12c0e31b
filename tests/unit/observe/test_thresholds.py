"""The thresholds file: which one applies, how values are judged, and one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.observe.thresholds import (
    DEFAULT_THRESHOLDS,
    THRESHOLDED,
    Threshold,
    ThresholdsError,
    load_thresholds,
    thresholds_path,
)


def test_shipped_file_sets_every_threshold() -> None:
    loaded = load_thresholds(DEFAULT_THRESHOLDS)
    assert set(loaded.by_metric) == set(THRESHOLDED)


def test_judging_both_directions() -> None:
    high = Threshold(">", 0.02, 0.10)
    assert [high.judge(v) for v in (0.0, 0.02, 0.05, 0.2)] == ["ok", "ok", "warn", "error"]
    low = Threshold("<", 0.99, 0.95)
    assert [low.judge(v) for v in (1.0, 0.97, 0.9)] == ["ok", "warn", "error"]
    assert high.judge(None) == "error"


def test_env_then_data_dir_then_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KVARN_DQ_THRESHOLDS", raising=False)
    assert thresholds_path(str(tmp_path)) == DEFAULT_THRESHOLDS
    own = tmp_path / "config" / "thresholds.yaml"
    own.parent.mkdir()
    own.write_text(DEFAULT_THRESHOLDS.read_text().replace("warn: 0.02", "warn: 0.03"))
    assert load_thresholds(data_dir=str(tmp_path)).by_metric["quarantine_rate"].warn == 0.03
    env = tmp_path / "mine.yaml"
    env.write_text(DEFAULT_THRESHOLDS.read_text())
    monkeypatch.setenv("KVARN_DQ_THRESHOLDS", str(env))
    assert load_thresholds(data_dir=str(tmp_path)).source == str(env)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("quarantine_rate:", "quarantine_rat:"), "unknown metric(s) quarantine_rat"),
        (('comparison: ">", warn: 0.02', 'comparison: ">=", warn: 0.02'), "must be '>' or '<'"),
        (("warn: 0.02, error: 0.10", "warn: 0.2, error: 0.10"), "must come before error"),
        (("warn: 0.02", "warn: lots"), "quarantine_rate.warn must be a number"),
        (("retention_grace_hours: 26", "retention_grace: 26"), "unknown setting(s)"),
    ],
)
def test_mistakes_are_one_clear_error(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(DEFAULT_THRESHOLDS.read_text().replace(*edit))
    with pytest.raises(ThresholdsError, match=r"thresholds\.yaml: ") as info:
        load_thresholds(path)
    assert message in str(info.value)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match="cannot read thresholds file"):
        load_thresholds(tmp_path / "nope.yaml")
