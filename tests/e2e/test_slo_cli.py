"""SLOs from the terminal: a bad targets file stops `kvarn run` before it writes, a good run
answers `kvarn sql` on gold_slo_hourly."""

from __future__ import annotations

from pathlib import Path

from pipelines.generate import generate
from tests.e2e.test_cli import kvarn
from tests.integration.small_lake import START


def test_targets_are_validated_first_then_slo_rows_are_queryable(tmp_path: Path) -> None:
    generate(tmp_path / "landing", days=1, events_per_hour=20, seed=5, start=START)
    own = tmp_path / "config" / "slo_targets.yaml"
    own.parent.mkdir()
    own.write_text("voice_e2e: 2000\nllm_first_token:\n  planer: 900\n", encoding="utf-8")
    bad = kvarn("run", "--from", "2025-09-01T08", "--to", "2025-09-01T08", "--demo", data=tmp_path)
    assert bad.returncode == 1
    message = bad.stderr.strip()
    assert len(message.splitlines()) == 1 and "unknown route(s) planer" in message
    assert str(own) in message and "docs/operations.md" in message
    assert not (tmp_path / "lake").exists()

    own.write_text("voice_e2e: 1\n", encoding="utf-8")  # nothing can meet it
    run = kvarn("run", "--from", "2025-09-01T08", "--to", "2025-09-01T08", "--demo", data=tmp_path)
    assert run.returncode == 0, run.stderr
    query = ("select target, compliant from gold_slo_hourly "
             "where component = 'voice_e2e' and hour = '2025-09-01T08'")  # fmt: skip
    res = kvarn("sql", query, "--format", "csv", data=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines() == ["target,compliant", "1.0,false"]
