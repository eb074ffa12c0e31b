"""The test flywheel end to end: a host suite with the kvarn plugin → kvarn run → patterns.

The sample assistant suite (``examples/assistant``) has four planted root causes (R1 weekday
resolution, R2 contacts with å/ä/ö, R3 weather timeouts, R4 a session-cache race that fails
every other run) and runs four times, as CI would. Every test writes one schema-valid event,
nothing is quarantined, the planted causes come out as exactly four patterns with their
planted test counts, R4's tests are flaky, and candidates cite the patterns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.bronze.validate import schema_problem
from pipelines.config import LakeConfig
from pipelines.io import delta
from tests.e2e.test_cli import kvarn

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "examples" / "assistant"
RUNS = 4
TESTS_PER_RUN = 30
R4_TESTS = {
    "examples/assistant/tests/test_weather.py::test_followup_tomorrow",
    "examples/assistant/tests/test_shopping.py::test_add_followup",
}


def _run_suite(landing: Path, run: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "PYTEST_"))}
    env["KVARN_EXAMPLE_RUN"] = str(run)
    args = ["-q", "-p", "no:cacheprovider", "--kvarn-telemetry", str(landing)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def flywheel_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("flywheel")
    for run in range(1, RUNS + 1):
        res = _run_suite(data / "landing", run)
        assert res.returncode == 1, res.stdout[-3000:] + res.stderr[-2000:]  # planted failures
        assert "kvarn telemetry:" in res.stdout and "unaffected" not in res.stdout
    done = kvarn("run", "--demo", data=data)
    assert done.returncode == 0, done.stderr[-3000:]
    return data


def test_every_test_writes_one_valid_event(flywheel_lake: Path) -> None:
    events = [
        json.loads(line)
        for path in sorted((flywheel_lake / "landing" / "telemetry").rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    outcomes = [e for e in events if e["event"].startswith("test.")]
    assert len(outcomes) == RUNS * TESTS_PER_RUN
    assert len({(e["session_id"], e["test_name"]) for e in outcomes}) == len(outcomes)
    assert all(schema_problem(e) is None for e in events)
    assert sum(e["event"] == "orchestrator.turn" for e in events) >= RUNS * TESTS_PER_RUN
    cfg = LakeConfig(data_dir=str(flywheel_lake))
    assert delta.count_rows(cfg.table("bronze", "quarantine")) == 0
    assert delta.count_rows(cfg.table("silver", "test_results")) == RUNS * TESTS_PER_RUN


def test_planted_root_causes_are_exactly_the_patterns(flywheel_lake: Path) -> None:
    cfg = LakeConfig(data_dir=str(flywheel_lake))
    patterns = delta.read_table(cfg.table("gold", "failure_patterns"))
    assert patterns is not None
    counts = dict(zip(patterns["failure_type"], patterns["test_count"], strict=True))
    assert counts == {"AssertionError": 4, "KeyError": 3, "TimeoutError": 3, "RuntimeError": 2}
    race = patterns.filter(pl.col("failure_type") == "RuntimeError").row(0, named=True)
    assert set(race["flaky_tests"]) == R4_TESTS and race["status"] == "recurring"
    health = delta.read_table(cfg.table("gold", "test_health"))
    assert health is not None
    assert set(health.filter(pl.col("flaky"))["test_name"]) == R4_TESTS
    assert health.height == TESTS_PER_RUN


def test_candidates_cite_the_patterns(flywheel_lake: Path) -> None:
    cfg = LakeConfig(data_dir=str(flywheel_lake))
    patterns = delta.read_table(cfg.table("gold", "failure_patterns"))
    cands = delta.read_table(cfg.table("gold", "candidates"))
    assert patterns is not None and cands is not None
    cited = cands.filter(pl.col("reasons").list.contains("failure_pattern"))
    assert cited.height > 0
    details = " ".join(str(d) for d in cited["reason_details"].to_list())
    assert all(pid in details for pid in patterns["pattern_id"].to_list())
    failure_ids = set(patterns["event_ids"].explode().to_list())
    assert all(set(ids) & failure_ids for ids in cited["event_ids"].to_list())
    flaky = cands.filter(pl.col("reasons").list.contains("flaky_test"))
    assert flaky.height > 0
