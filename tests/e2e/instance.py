"""A throwaway Dagster instance configured like the project's, for e2e tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dagster_home(tmp: Path) -> Path:
    """``tmp/dagster_home`` holding the project's ``dagster.yaml`` (same pools, run limits and
    queue) with its storage moved under ``tmp``."""
    home = tmp / "dagster_home"
    home.mkdir()
    text = (ROOT / "dagster.yaml").read_text(encoding="utf-8")
    (home / "dagster.yaml").write_text(text.replace("data/.dagster", str(tmp / ".dagster")))
    return home
