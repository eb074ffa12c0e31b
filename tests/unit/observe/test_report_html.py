"""The report page: self-contained, every chart present, missing tables said, nothing personal."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kvarn.app import app
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.observe.report_data import Window, load_report_data
from pipelines.observe.report_html import pii_counts, render_report, safe_id
from pipelines.observe.schemas import DQ_HOURLY
from tests.report_lake import dq_frame, write_report_lake

EXTERNAL = re.compile(
    r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(""", re.I
)


def _page(root: Path, days: int = 2) -> str:
    return render_report(load_report_data(LakeConfig(data_dir=str(root)), days))


def test_page_has_no_external_reference(tmp_path: Path) -> None:
    write_report_lake(tmp_path)
    page = _page(tmp_path)
    assert not EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">']


def test_every_chart_is_drawn_with_a_table_fallback(tmp_path: Path) -> None:
    write_report_lake(tmp_path)
    page = _page(tmp_path)
    assert page.count('<svg class="chart"') == 4 + 4  # 4 SLO components + rates, PII, rules, rows
    assert page.count("<details>") == page.count('<svg class="chart"')
    for heading in ("P95 per component", "Quarantine and duplicate", "PII entities masked",
                    "Gold candidates per rule", "Dataset rows per export version"):  # fmt: skip
        assert heading in page
    assert 'class="mark violating"' in page and 'class="mark compliant"' in page
    assert "<td>PERSON</td><td>576</td>" in page  # 12 an hour × 48 hours
    assert "<td>sft</td><td>v20250902_060000</td><td>135</td><td>yes</td>" in page


def test_window_ends_at_the_newest_hour_and_trims_the_rest(tmp_path: Path) -> None:
    write_report_lake(tmp_path)
    data = load_report_data(LakeConfig(data_dir=str(tmp_path)), 1)
    assert data.window == Window("2025-09-02T00", "2025-09-02T23", 1)
    assert data.slo is not None and set(data.slo["hour"].str.slice(0, 10)) == {"2025-09-02"}
    assert data.candidates is not None and sum(data.candidates.values()) == 24 * 4
    assert data.exports is not None and {v.name for v in data.exports} == {
        "v20250902_060000", "v20250902_120000"
    }  # fmt: skip
    earlier = load_report_data(LakeConfig(data_dir=str(tmp_path)), 1, end="2025-09-01T05")
    assert earlier.slo is not None and earlier.slo["hour"].max() == "2025-09-01T05"


def test_missing_tables_are_said_in_each_charts_place(tmp_path: Path) -> None:
    page = _page(tmp_path / "empty")
    assert "<svg" not in page
    assert page.count('class="empty"') == 5
    assert "gold/slo_hourly does not exist yet" in page
    assert "gold/candidates does not exist yet" in page


def test_free_text_never_reaches_the_page(tmp_path: Path) -> None:
    cfg = write_report_lake(tmp_path, n_hours=2)
    leaky = dq_frame(2).with_columns(
        pl.when(pl.col("metric") == "pii_entities_masked")
        .then(pl.lit("PERSON:2, Erik Johansson 070-123 45 67"))
        .otherwise(pl.col("detail"))
        .alias("detail"),
        pl.when(pl.col("metric") == "schema_compliance")
        .then(pl.lit("Erik Johansson"))
        .otherwise(pl.col("metric"))
        .alias("metric"),
    )
    delta.replace_table(cfg.table("gold", "dq_hourly"), leaky.select(list(DQ_HOURLY)))
    page = _page(tmp_path)
    assert "Erik" not in page and "070-123" not in page
    assert pii_counts(leaky) == {"PERSON": 4}
    assert safe_id("Erik Johansson") == "(other)" and safe_id("tool_failure") == "tool_failure"


def test_cli_writes_the_page_and_prints_its_path(tmp_path: Path) -> None:
    write_report_lake(tmp_path)
    out = tmp_path / "r" / "trends.html"
    result = CliRunner().invoke(
        app, ["report", "--days", "2", "--out", str(out), "--data", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout and out.read_text(encoding="utf-8").startswith("<!doctype")
    default = CliRunner().invoke(app, ["report", "--data", str(tmp_path)])
    assert default.exit_code == 0, default.output
    written = list((tmp_path / "reports").glob("kvarn-report-*.html"))
    assert len(written) == 1 and re.fullmatch(r"kvarn-report-\d{8}\.html", written[0].name)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days must be between"),
        (["--out", "report.txt"], "must end in .html"),
        (["--until", "yesterday"], "not an hour"),
    ],
)
def test_cli_rejects_bad_options_before_writing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path), *args])
    assert result.exit_code != 0
    assert message in str(result.exception) or message in result.output
    assert not (tmp_path / "reports").exists()
