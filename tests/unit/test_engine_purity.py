"""The engine must never import dagster: assets are a thin layer over it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pipelines

ROOT = Path(__file__).resolve().parents[2]


def _engine_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(pipelines.__path__, prefix="pipelines."))


def test_importing_every_engine_module_does_not_load_dagster() -> None:
    modules = _engine_modules()
    assert "pipelines.bronze.ingest" in modules and "pipelines.gold.candidates" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.'))\n"
        "print('DAGSTER' if loaded else 'CLEAN')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("CLEAN")


def test_no_engine_source_mentions_dagster_imports() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "pipelines").rglob("*.py")
        if "import dagster" in p.read_text(encoding="utf-8")
        or "from dagster" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
