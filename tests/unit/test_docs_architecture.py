"""docs/architecture.md points at real places: every path it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`((?:pipelines|assets|kvarn|tests|schemas|docs)/[^`*<>]+)`")


def test_every_named_path_exists() -> None:
    named = sorted(set(PATH.findall(DOC.read_text(encoding="utf-8"))))
    assert len(named) > 30
    missing = [p for p in named if not (ROOT / p).exists()]
    assert missing == []


def test_engine_top_level_holds_only_packages_and_config() -> None:
    loose = sorted(
        p.name
        for p in (ROOT / "pipelines").iterdir()
        if p.suffix == ".py" and p.name not in ("__init__.py", "config.py")
    )
    assert loose == []
