"""``kvarn export --strict`` on a >10% quality drop: the version is written, ``latest`` stays,
the command exits non-zero with one line, and the drop is alerted once on every channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from kvarn.export import export_app
from pipelines.export.writer import latest_name, list_versions, read_metadata
from tests.integration.alert_receivers import file_lines, slack_server, smtp_server, write_config
from tests.unit.export.test_export_data import T0, build_lake


def test_strict_export_keeps_latest_on_a_quality_drop_and_alerts_once(tmp_path: Path) -> None:
    lake = build_lake(tmp_path / "lake", sessions=24)
    data, out = Path(lake.cfg.data_dir), tmp_path / "exports"
    gates = tmp_path / "gates.yaml"  # the crafted lake is small: gates that only --strict drops
    gates.write_text("defaults: {min_quality: 0, difficulty_tolerance: 1, min_categories: 1,"
                     " max_source_share: 1}\n", encoding="utf-8")  # fmt: skip
    base = ["nlu", "--data", str(data), "--out", str(out), "--gates", str(gates)]
    with slack_server() as slack, smtp_server() as mail:
        write_config(data, slack.port, mail.port)
        full = CliRunner().invoke(export_app, [*base, "--strict"])
        assert full.exit_code == 0, full.output
        first = latest_name(out / "nlu")
        assert first is not None and slack.posts == [] and file_lines(data) == []

        until = (T0 + timedelta(minutes=60)).isoformat()
        narrow = CliRunner().invoke(export_app, [*base, "--strict", "--until", until])
        assert narrow.exit_code == 1
        errors = [line for line in narrow.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "--strict: quality dropped more than 10% for nlu/" in errors[0]
        assert f"latest stays at nlu/{first}" in errors[0]
        assert latest_name(out / "nlu") == first
        versions = list_versions(out)
        held = [v for v in versions if v.name != first]
        assert len(held) == 1 and not held[0].latest
        assert read_metadata(held[0].path)["promoted"] is False
        listing = CliRunner().invoke(export_app, ["list", "--out", str(out)])
        assert f"  {held[0].kind}/{held[0].name} " in listing.output
        assert "not promoted" in listing.output.split(held[0].name)[1].splitlines()[0]

        assert len(slack.posts) == 1 and len(mail.messages) == 1 and len(file_lines(data)) == 1
        text = slack.posts[0]["text"]
        assert "[WARNING] Export quality dropped: nlu" in text
        assert "Dataset nlu" in text and "rows " in text and "%)" in text
        assert f"not promoted, latest stays at {first}" in text
        assert mail.messages[0]["Subject"].startswith("[kvarn WARNING] Export quality dropped")
        assert file_lines(data)[0]["labels"]["dataset"] == "nlu"

        # Without --strict the same drop moves latest; the alert is within its cool-down.
        loose = CliRunner().invoke(export_app, [*base, "--until", until])
        assert loose.exit_code == 0, loose.output
        assert latest_name(out / "nlu") not in (None, first)
        assert len(slack.posts) == 1 and len(mail.messages) == 1
