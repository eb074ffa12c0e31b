"""One full run over telemetry with planted canaries, shared by the leak and erasure tests.

Built once per test session (``canary_lake`` in ``conftest.py``): generate with
``--canaries``, ``kvarn run --demo`` through a real Dagster instance kept on disk, and
``kvarn export all``. Tests that change it work on a copy (``copy_lake``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.instance import dagster_home

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def kvarn_cli(*args: str, data: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_"))}
    env.update(KVARN_DATA=str(data), DAGSTER_HOME=str(home))
    return subprocess.run(
        [str(BIN / "kvarn"), *args], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=900,
    )  # fmt: skip


def build_canary_lake(tmp: Path) -> tuple[Path, Path, Path]:
    """(data directory, DAGSTER_HOME, instance storage directory) of a finished run."""
    data, home = tmp / "data", dagster_home(tmp)
    steps = (
        ("generate", "--out", str(data / "landing"), "--days", "1", "--events-per-hour", "15",
         "--seed", "5", "--start", "2025-09-01", "--canaries"),
        ("run", "--demo"),
        ("export", "all", "--out", str(data / "exports")),
    )  # fmt: skip
    for step in steps:
        res = kvarn_cli(*step, data=data, home=home)
        assert res.returncode == 0, f"kvarn {step[0]}: {res.stdout[-2000:]}{res.stderr[-2000:]}"
    return data, home, tmp / ".dagster"


def copy_lake(lake: tuple[Path, Path, Path], tmp: Path) -> tuple[Path, Path, Path]:
    """A private copy of the lake and its Dagster instance (paths rewritten)."""
    data, _home, instance = lake
    shutil.copytree(data, tmp / "data", symlinks=True)
    shutil.copytree(instance, tmp / ".dagster", symlinks=True)
    return tmp / "data", dagster_home(tmp), tmp / ".dagster"
