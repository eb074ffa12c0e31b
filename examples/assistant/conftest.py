"""Fixtures for the Alice example suite, and a stand-in for the kvarn pytest plugin.

With kvarn's plugin loaded (it registers as "kvarn"), its ``flywheel`` fixture and its markers
are used and nothing here interferes. Without it, a fallback plugin is registered that provides
a no-op ``flywheel`` with the same signature and declares the three markers, so the suite runs
either way.
"""

from __future__ import annotations

import os
import sys
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # rootdir- and import-mode-independent `import alice`
    sys.path.insert(0, str(HERE))

from alice import Assistant, resolve_weekday  # noqa: E402

# Pay the one-time import behind datetime.strptime now, not inside the first test's call phase,
# so call durations stay comparable between runs (kvarn flags duration regressions).
resolve_weekday("fredag", date(2024, 1, 1))

MARKERS = (
    "component(name): the assistant component a test exercises (kvarn telemetry)",
    "slo(target_ms): latency objective; the test's call duration must stay within target_ms",
    "severity(level, user_impact=...): how bad a failure of this test is for users",
)


class FallbackFlywheel:
    """Accepts what kvarn's ``flywheel`` accepts and records nothing."""

    def record_turn(self, text: str, **details: Any) -> None:
        return None

    def metric(self, name: str, value: float) -> None:
        return None


class FallbackPlugin:
    """Registered only when the kvarn plugin is absent, so it never shadows the real fixture."""

    @pytest.fixture
    def flywheel(self) -> FallbackFlywheel:
        """Stand-in for kvarn's flywheel while its plugin is not loaded: records nothing."""
        return FallbackFlywheel()


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("kvarn"):
        return
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    config.pluginmanager.register(FallbackPlugin(), "kvarn-fallback")


@pytest.fixture
def run_number() -> int:
    """Which run of the suite this is (KVARN_EXAMPLE_RUN, default 1); drives the flaky R4."""
    return int(os.environ.get("KVARN_EXAMPLE_RUN", "1"))


@pytest.fixture
def assistant(request: pytest.FixtureRequest, run_number: int) -> Assistant:
    """A fresh assistant with its own session, in the deployment generation of this run."""
    session_id = f"s-{zlib.crc32(request.node.name.encode()) % 100_000:05d}"
    return Assistant(session_id=session_id, generation=run_number)
