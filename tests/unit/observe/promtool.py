"""Finding the real promtool the observability tests drive (never skipped: a missing one fails)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus" / "kvarn-rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "kvarn-rules.test.yml"


def promtool() -> str:
    """promtool from the checkout's ``.venv/tools/bin``, the running venv's, or PATH."""
    for candidate in (
        ROOT / ".venv" / "tools" / "bin" / "promtool",
        Path(sys.executable).parent.parent / "tools" / "bin" / "promtool",
    ):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool not found: run tools/system-deps.sh (`make test` does) to install it")
    return found


def run_promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
