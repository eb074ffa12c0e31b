"""The test flywheel plugin (``kvarn.pytest_plugin``) on small host suites run with pytester.

A host suite is run in-process with ``--kvarn-telemetry``; the landing file it writes must
hold one outcome event per test in the producers' format (schema-valid, the producer hash
verifying) and go through bronze and silver with nothing quarantined. Without the option
the plugin writes nothing, and an unusable landing directory only costs a warning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.hashing import producer_hash_ok
from pipelines.bronze.ingest import all_owner_hours
from pipelines.bronze.validate import schema_problem
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.silver.build import SilverOptions, build_silver_hour

pytest_plugins = ["pytester"]

HOST_SUITE = """
import pytest

pytestmark = pytest.mark.component("orchestrator")


@pytest.fixture
def calendar():
    return {}["calendar_token"]


def test_books_meeting(flywheel):
    flywheel.metric("tokens", 146)
    turn_id = flywheel.record_turn(
        "boka möte med Anna Svensson imorgon 10",
        intent="TIME.BOOK",
        confidence=0.88,
        slots={"date": "2025-09-01", "time": "10:00"},
        tool_calls=[{"name": "calendar.create", "args": {"when": "10:00"}, "ok": True,
                     "lat_ms": 220}],
        output="Mötet är bokat",
        route="planner",
        latency_ms=980,
        first_ms=430,
    )
    assert turn_id.startswith("t-") and turn_id.endswith("-1")


def test_reply_is_swedish():
    assert "hello" == "hej"


def test_needs_calendar(calendar):
    pass


@pytest.mark.severity("LOW", user_impact="weather answer late")
@pytest.mark.parametrize("city", ["Kiruna", "Lund"])
def test_weather(city):
    raise TimeoutError(f"weather for {city} took too long")


@pytest.mark.slo(target_ms=5000, component="nlu")
def test_fast_intent():
    pass


def test_not_on_ci():
    pytest.skip("needs a microphone")


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert False


@pytest.mark.xfail(reason="fixed since")
def test_fixed_bug():
    pass


@pytest.mark.xfail(reason="must fail", strict=True)
def test_strict_bug():
    pass
"""
N_TESTS = 10  # the parametrized test counts twice


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run the host suite in-process; the plugin comes in by its entry point, as it would
    in any host run (or by -p where entry-point autoloading is switched off)."""
    extra = (
        ["-p", "kvarn.pytest_plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    )
    # The outer run imported kvarn already, so the inner one cannot assertion-rewrite it.
    quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    # The host suite's own directory is its rootdir (node ids are relative to it), whatever
    # configuration files lie in the directories above the temporary one.
    rootdir = ["--rootdir", str(pytester.path)]
    return pytester.runpytest("-p", "no:cacheprovider", *rootdir, *quiet, *extra, *args)


def _events(landing: Path) -> list[dict[str, Any]]:
    files = sorted(landing.glob("telemetry/*/*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]


def _recorded(pytester: pytest.Pytester) -> tuple[pytest.RunResult, Path, list[dict[str, Any]]]:
    pytester.makepyfile(test_host=HOST_SUITE)
    landing = pytester.path / "data" / "landing"
    result = _run(pytester, "--kvarn-telemetry", "data/landing")
    return result, landing, _events(landing)


def test_one_schema_valid_outcome_event_per_test(pytester: pytest.Pytester) -> None:
    result, landing, events = _recorded(pytester)
    result.assert_outcomes(passed=2, failed=4, errors=1, skipped=1, xfailed=1, xpassed=1)
    files = list(landing.glob("telemetry/*/*.jsonl"))
    assert len(files) == 1 and files[0].name.startswith("pytest-")
    assert files[0].name.endswith("-main.jsonl")
    result.stdout.fnmatch_lines([f"kvarn telemetry: {N_TESTS + 1} events → *{files[0].name}"])

    for event in events:
        assert schema_problem(event) is None, event
        assert producer_hash_ok(event) is True
        assert event["v"] == "1" and event["env"] == "test" and event["ts"].endswith("Z")
    assert len({e["session_id"] for e in events}) == 1
    assert events[0]["session_id"].startswith("test_")

    outcomes = {e["test_name"]: e for e in events if e["event"] != "orchestrator.turn"}
    assert len(outcomes) == N_TESTS == len(events) - 1
    names = {name.split("::")[1]: e["event"] for name, e in outcomes.items()}
    assert names == {
        "test_books_meeting": "test.baseline",
        "test_reply_is_swedish": "test.failure",
        "test_needs_calendar": "test.failure",
        "test_weather[Kiruna]": "test.failure",
        "test_weather[Lund]": "test.failure",
        "test_fast_intent": "test.baseline",
        "test_not_on_ci": "test.pytest.skipped",
        "test_known_bug": "test.pytest.skipped",
        "test_fixed_bug": "test.baseline",  # xpassed counts as passed
        "test_strict_bug": "test.failure",
    }

    passed = outcomes["test_host.py::test_books_meeting"]
    assert passed["component"] == "orchestrator"
    assert passed["metrics"]["tokens"] == 146 and passed["metrics"]["duration_ms"] >= 0
    assert passed["environment"]["worker"] == "main"
    assert set(passed["environment"]["system_load"]) == {"load_1m", "ram_pct"}
    assert "slo_compliance" not in passed
    slo = outcomes["test_host.py::test_fast_intent"]
    assert slo["component"] == "orchestrator"  # the component marker wins over slo's kwarg
    assert slo["slo_compliance"] == {"duration": True}
    assert slo["test_metadata"] == {
        "test_name": "test_host.py::test_fast_intent",
        "slo_target_ms": 5000,
        "slo_compliance": True,
    }

    assertion = outcomes["test_host.py::test_reply_is_swedish"]
    assert (assertion["failure_type"], assertion["phase"]) == ("AssertionError", "call")
    assert assertion["root_cause"] == "assert 'hello' == 'hej'"
    assert assertion["impact_assessment"] == {
        "severity": "MEDIUM", "user_impact": None, "system_stability": "STABLE"
    }  # fmt: skip
    assert "test_reply_is_swedish" in assertion["stack_trace"]
    assert assertion["reproduction_steps"] == ["pytest 'test_host.py::test_reply_is_swedish'"]
    assert set(assertion["system_state"]) == {"memory_usage", "rss_mb", "load_1m"}

    setup = outcomes["test_host.py::test_needs_calendar"]
    assert (setup["failure_type"], setup["phase"], setup["root_cause"]) == (
        "KeyError", "setup", "'calendar_token'")  # fmt: skip
    assert setup["impact_assessment"]["severity"] == "HIGH"

    weather = outcomes["test_host.py::test_weather[Kiruna]"]
    assert weather["failure_type"] == "TimeoutError"
    assert weather["root_cause"] == "weather for Kiruna took too long"
    assert weather["reproduction_steps"] == ["pytest 'test_host.py::test_weather[Kiruna]'",
                                             "param city='Kiruna'"]  # fmt: skip
    assert weather["impact_assessment"]["severity"] == "LOW"
    assert weather["impact_assessment"]["user_impact"] == "weather answer late"

    skipped = outcomes["test_host.py::test_not_on_ci"]
    assert (skipped["outcome"], skipped["reason"]) == ("skipped", "needs a microphone")
    xfailed = outcomes["test_host.py::test_known_bug"]
    assert (xfailed["outcome"], xfailed["reason"]) == ("xfailed", "known bug")

    strict = outcomes["test_host.py::test_strict_bug"]
    assert (strict["failure_type"], strict["phase"]) == ("XPassStrict", "call")
    assert strict["root_cause"] == "[XPASS(strict)] must fail"

    (turn,) = (e for e in events if e["event"] == "orchestrator.turn")
    assert turn["input"]["text"] == "boka möte med <FULLNAME> imorgon 10"  # producer masking
    assert turn["pii_masked"] is True and turn["user_id"] == "test_user"
    assert turn["nlu"]["intent"] == "TIME.BOOK" and turn["route"] == "planner"
    assert turn["metrics"] == {"e2e_full_ms": 980, "e2e_first_ms": 430}
    assert turn["test_metadata"]["test_scenario"] == "test_host.py::test_books_meeting"
    assert turn["consent_scopes"] == ["analytics:slo", "analytics:training"]


def test_recorded_run_goes_through_bronze_and_silver(pytester: pytest.Pytester) -> None:
    _, landing, events = _recorded(pytester)
    cfg = LakeConfig(data_dir=str(landing.parent))
    for hour in all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry)):
        build_bronze_hour(cfg, hour)
        build_silver_hour(cfg, hour, SilverOptions(demo=True))
    quarantine = delta.read_table(cfg.table("bronze", "quarantine"))
    assert quarantine is None or quarantine.height == 0, quarantine
    bronze = delta.read_table(cfg.table("bronze", "events"))
    assert bronze is not None and bronze.height == len(events)
    assert set(bronze["env"].to_list()) == {"test"} and bronze["hash_ok"].all()

    results = delta.read_table(cfg.table("silver", "test_results"))
    assert results is not None and results.height == N_TESTS
    rows = {r["test_name"]: r for r in results.iter_rows(named=True)}
    setup = rows["test_host.py::test_needs_calendar"]
    assert (setup["event"], setup["failure_type"], setup["severity"]) == (
        "test.failure", "KeyError", "high")  # fmt: skip
    assert json.loads(setup["reproduction_steps"]) == ["pytest 'test_host.py::test_needs_calendar'"]
    weather = rows["test_host.py::test_weather[Lund]"]
    assert (weather["failure_type"], weather["severity"]) == ("TimeoutError", "low")
    assert json.loads(weather["reproduction_steps"])[1] == "param city='Lund'"
    slo = rows["test_host.py::test_fast_intent"]
    assert (slo["event"], slo["slo_compliance"], slo["slo_target_ms"]) == (
        "test.baseline", True, 5000.0)  # fmt: skip
    skipped = rows["test_host.py::test_not_on_ci"]
    assert (skipped["component"], skipped["action"]) == ("pytest", "skipped")
    assert set(results["env"].to_list()) == {"test"}

    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None and turns.height == 1
    turn = turns.row(0, named=True)
    assert turn["test_scenario"] == "test_host.py::test_books_meeting"
    assert (turn["env"], turn["intent"], turn["e2e_full_ms"]) == ("test", "TIME.BOOK", 980.0)
    calls = delta.read_table(cfg.table("silver", "tool_calls"))
    assert calls is not None and calls.filter(pl.col("name") == "calendar.create").height == 1


# Turns a test may report in ways the event format cannot hold in full: recording keeps what
# it can, counts the rest, and never raises (a test failing with its own error must still
# fail with it, also when it reports the turn from an except block).
AWKWARD_SUITE = """
import pytest

@pytest.mark.component("asr")
@pytest.mark.slo(target_ms=100)
@pytest.mark.severity("LOW")
def test_turn(flywheel):
    assert flywheel.record_turn("hej", intent="GREET", confidence=1.0) == (
        flywheel.record_turn("hej igen").rsplit("-", 1)[0] + "-1")
    flywheel.metric("tokens", 3)

def test_awkward_values(flywheel):
    flywheel.record_turn("hej", intent="GREET")  # no confidence: no nlu
    flywheel.record_turn("hej", slots={}, route="Planner!", latency_ms=-1,
                         tool_calls=[{"args": {}}, {"name": "lights.on", "ok": True}])
    flywheel.metric("tokens", "many")
    flywheel.metric("duration_ms", 1.0)

def test_failure_reported_from_except(flywheel):
    try:
        raise RuntimeError("session cache race")
    except RuntimeError:
        flywheel.record_turn("boka", confidence=0.4, slots={"who": "x"})
        raise
"""


def test_disabled_writes_nothing_and_fixture_still_works(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=AWKWARD_SUITE)
    pytester.makeconftest(
        """
        def pytest_runtest_call(item):
            if "flywheel" in item.fixturenames:
                fw = item.funcargs["flywheel"]
                assert not fw.enabled and fw.session_id is None
        """
    )
    result = _run(pytester, "--strict-markers")
    result.assert_outcomes(passed=2, failed=1)
    assert "kvarn telemetry" not in result.stdout.str()
    assert not list(pytester.path.rglob("*.jsonl"))


def test_awkward_values_are_left_out_never_raised(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_awkward=AWKWARD_SUITE)
    result = _run(pytester, "--kvarn-telemetry", "landing")
    result.assert_outcomes(passed=2, failed=1)
    events = _events(pytester.path / "landing")
    assert all(schema_problem(e) is None for e in events)
    turns = [e for e in events if e["event"] == "orchestrator.turn"]
    assert [t["turn_id"].rsplit("-", 1)[1] for t in turns] == ["1", "2", "1", "2", "1"]
    no_confidence, awkward, from_except = turns[2:]
    assert "nlu" not in no_confidence and "nlu" not in from_except
    assert "route" not in awkward and "metrics" not in awkward
    assert awkward["tool_calls"] == [{"name": "lights.on", "ok": True}]
    by_name = {
        e["test_name"].split("::")[1]: e for e in events if e["event"] != "orchestrator.turn"
    }
    assert by_name["test_failure_reported_from_except"]["failure_type"] == "RuntimeError"
    assert by_name["test_awkward_values"]["metrics"].keys() == {"duration_ms"}
    # intent without confidence, route, latency, nameless tool call, 2 metrics, from_except
    result.stdout.fnmatch_lines(["kvarn telemetry: WARNING 7 problem(s)*unaffected"])


def test_disabled_registers_no_recording_hooks(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    assert config.pluginmanager.get_plugin("kvarn-flywheel-recorder") is None
    enabled = pytester.parseconfigure("--kvarn-telemetry", str(pytester.path / "landing"))
    assert enabled.pluginmanager.get_plugin("kvarn-flywheel-recorder") is not None


def test_plugin_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys, kvarn.pytest_plugin; "
        "print(sorted(m for m in ('pipelines', 'polars', 'pyarrow', 'kvarn.app') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ini_option_consent_and_teardown_metrics(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nkvarn_telemetry = lake/landing\n")
    pytester.makepyfile(
        test_ini="""
        import pytest

        @pytest.fixture
        def tts(flywheel):
            yield
            flywheel.metric("tts_cleanup_ms", 4.5)

        def test_turn(flywheel, tts):
            flywheel.record_turn("vad är klockan", output="Hon är tio")
        """
    )
    result = _run(pytester, "--kvarn-consent", "analytics:slo, Bad Scope")
    result.assert_outcomes(passed=1)
    events = _events(pytester.path / "lake" / "landing")
    assert [e["event"] for e in events] == ["orchestrator.turn", "test.baseline"]
    assert events[0]["consent_scopes"] == ["analytics:slo"]
    assert "nlu" not in events[0] and events[0]["output"] == {"text": "Hon är tio"}
    assert events[1]["metrics"]["tts_cleanup_ms"] == 4.5  # recorded during teardown
    result.stdout.fnmatch_lines(["kvarn telemetry: WARNING 1 problem(s)*Bad Scope*unaffected"])


def test_unwritable_landing_warns_and_the_run_still_passes(pytester: pytest.Pytester) -> None:
    (pytester.path / "a_file").write_text("not a directory")
    pytester.makepyfile(
        test_ok="""
        def test_one(flywheel):
            flywheel.record_turn("hej")

        def test_two():
            pass
        """
    )
    result = _run(pytester, "--kvarn-telemetry", "a_file/landing")
    assert result.ret == 0
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["kvarn telemetry: WARNING 3 problem(s), first: NotADirectoryError*test results are "
         "unaffected"]
    )  # fmt: skip


def test_a_worker_takes_the_controllers_session_id(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What pytest-xdist does, without needing it: a worker has ``config.workerinput`` (the
    controller's session id and landing directory) and reports back in ``workeroutput``."""
    landing = pytester.path / "shared" / "landing"
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.hookimpl(tryfirst=True)
        def pytest_configure(config):
            config.workerinput = {{"workerid": "gw3", "kvarn_telemetry_dir": {str(landing)!r}}}
            config.workeroutput = {{}}

        def pytest_unconfigure(config):
            print("WORKEROUTPUT", config.workeroutput)
        """
    )
    pytester.makepyfile(test_w="def test_one():\n    pass\n")
    monkeypatch.setenv("KVARN_TEST_SESSION_ID", "test_20250101T000000Z_abc123")
    result = _run(pytester, "-s")
    result.assert_outcomes(passed=1)
    (path,) = landing.glob("telemetry/*/*.jsonl")
    assert path.name == "pytest-abc123-gw3.jsonl"
    (event,) = _events(landing)
    assert event["session_id"] == "test_20250101T000000Z_abc123"
    assert event["environment"]["worker"] == "gw3"
    result.stdout.fnmatch_lines(["WORKEROUTPUT {'kvarn_telemetry': {'events': 1, *"])


def test_xdist_run_shares_one_session(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_x="import pytest\n\n@pytest.mark.parametrize('i', range(6))\n"
                                "def test_i(i):\n    assert i < 5\n")  # fmt: skip
    result = _run(pytester, "-n", "2", "--kvarn-telemetry", "landing")
    result.assert_outcomes(passed=5, failed=1)
    events = _events(pytester.path / "landing")
    assert len(events) == 6 and len({e["session_id"] for e in events}) == 1
    assert {e["environment"]["worker"] for e in events if "environment" in e} <= {"gw0", "gw1"}
    result.stdout.fnmatch_lines(["kvarn telemetry: 6 events → *"])
