"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.canary_lake import build_canary_lake


@pytest.fixture(scope="session")
def canary_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A full run (generate with canaries, kvarn run, kvarn export all); do not modify it."""
    return build_canary_lake(tmp_path_factory.mktemp("canary"))
