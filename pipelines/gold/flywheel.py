"""Silver test results → ``gold.failure_patterns`` and ``gold.test_health``, rebuilt whole.

The tables are a pure function of every test result silver holds (``failure_patterns.py``),
so each build replaces them; a build that changes nothing writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.failure_patterns import FlywheelSettings, build_patterns
from pipelines.io import delta

PATTERN_TABLES = ("failure_patterns", "test_health")


@dataclass
class FlywheelReport:
    rows: dict[str, int] = field(default_factory=dict)
    written: dict[str, bool] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    flaky_tests: list[str] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)
    top_patterns: list[dict[str, object]] = field(default_factory=list)


def build_flywheel_tables(
    cfg: LakeConfig, settings: FlywheelSettings | None = None
) -> FlywheelReport:
    so = cfg.storage_options
    results = delta.read_table(cfg.table("silver", "test_results"), storage_options=so)
    patterns, health = build_patterns(results if results is not None else pl.DataFrame(),
                                      settings)  # fmt: skip
    report = FlywheelReport()
    for name, frame in zip(PATTERN_TABLES, (patterns, health), strict=True):
        path = cfg.table("gold", name)
        current = delta.read_table(path, storage_options=so)
        same = current is not None and current.sort(current.columns[0]).equals(
            frame.sort(frame.columns[0])
        )
        if not same:
            delta.replace_table(path, frame, storage_options=so)
        report.rows[name] = frame.height
        report.written[name] = not same
    report.by_status = dict(sorted(patterns.group_by("status").len().iter_rows()))
    report.flaky_tests = health.filter(pl.col("flaky"))["test_name"].to_list()
    report.regressions = health.filter(pl.col("regression_flag"))["test_name"].to_list()
    top = patterns.sort(["count", "pattern_id"], descending=[True, False]).head(5)
    report.top_patterns = top.select(
        "pattern_id", "failure_type", "status", "count", "test_count", "frames"
    ).to_dicts()
    return report
