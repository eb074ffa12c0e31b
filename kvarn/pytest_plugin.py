"""The test flywheel: every test of a host suite becomes telemetry in the assistant's format.

kvarn's training data comes from the assistant's telemetry; its test suites already exercise
the same interactions, so their outcomes and the turns they drive are recorded in exactly
the format production writes (``log_event``: ``v``, ``ts``, masked ``input.text``, ``hash``)
and flow through bronze and silver like any other landing file, tagged ``env: "test"``.

Installed as the ``kvarn`` pytest11 entry point, so this module is loaded into every pytest
run of the environment. It is opt-in: without ``--kvarn-telemetry DIR`` (or the ini option
``kvarn_telemetry``) it only registers its options and markers and provides an inert
``flywheel`` fixture; no recording hooks are registered, nothing beyond the standard library
(and pytest itself) is imported, nothing is written. Enabled, each process appends to
``DIR/telemetry/<UTC date>/pytest-<short session id>-<worker>.jsonl``:

- one outcome event per test: ``test.baseline`` (passed, xpassed), ``test.failure`` (failed
  or error; the first failing phase wins) or ``test.pytest.skipped`` (skipped, xfailed);
- an ``orchestrator.turn`` per ``flywheel.record_turn`` call.

Recording never fails the host run: every error is caught, counted and reported in one
warning line of the terminal summary.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

SESSION_ENV = "KVARN_TEST_SESSION_ID"
DEFAULT_CONSENT = "analytics:slo,analytics:training"
DEFAULT_COMPONENT = "tests"
MAX_ROOT_CAUSE = 500
MAX_STACK_TRACE = 20_000
MAX_TEST_NAME = 1000
MAX_TEXT = 20_000
MAX_PARAM_REPR = 200
# The event format's typed metrics: a value recorded under one of these names must fit.
_MS_METRICS = frozenset({"e2e_first_ms", "e2e_full_ms", "response_time_ms"})
_NONNEG_METRICS = _MS_METRICS | {"ram_peak_mb", "energy_wh"}
# Patterns the event schema puts on the fields a test author supplies.
_SCOPE = re.compile(r"^[a-z][a-z0-9_.-]*(:[a-z0-9_.*-]+)*$")
_ROUTE = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
# Severity by exception class when the test has no severity marker, most specific first.
_SEVERITY_BY_TYPE: tuple[tuple[type[BaseException], str], ...] = (
    (MemoryError, "CRITICAL"),
    (RecursionError, "CRITICAL"),
    (TimeoutError, "HIGH"),
    (ConnectionError, "HIGH"),
    (AssertionError, "MEDIUM"),
)
_MARKERS = (
    "component(name): the assistant component a test exercises (kvarn telemetry)",
    "slo(target_ms, component=None): latency SLO for the test's call phase, checked in kvarn "
    "telemetry",
    "severity(level, user_impact=None): impact of this test failing (LOW, MEDIUM, HIGH, "
    "CRITICAL), recorded in kvarn telemetry",
)
# The run's recorder, None when not recording (a stash key: pytester runs nest configs).
_RECORDER = pytest.StashKey["_Recorder | None"]()


# -- options, markers, enabling -------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kvarn", "kvarn test flywheel (telemetry from test runs)")
    group.addoption(
        "--kvarn-telemetry",
        dest="kvarn_telemetry",
        metavar="DIR",
        default=None,
        help="record every test as assistant telemetry under DIR/telemetry/<UTC date>/ "
        "(DIR is a landing directory such as data/landing); off by default",
    )
    group.addoption(
        "--kvarn-consent",
        dest="kvarn_consent",
        metavar="SCOPES",
        default=DEFAULT_CONSENT,
        help=f"comma-separated consent scopes of recorded turns (default {DEFAULT_CONSENT})",
    )
    parser.addini(
        "kvarn_telemetry",
        "landing directory for kvarn test telemetry (same as --kvarn-telemetry)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers always (for --strict-markers suites); record only when asked."""
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    config.stash[_RECORDER] = None
    landing = _landing_dir(config)
    if landing is None:
        return
    recorder = _Recorder(config, landing)
    config.stash[_RECORDER] = recorder
    config.pluginmanager.register(recorder, "kvarn-flywheel-recorder")
    if recorder.worker_input is None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistController(recorder), "kvarn-flywheel-xdist")


def _landing_dir(config: pytest.Config) -> Path | None:
    """The landing directory, absolute: a relative option is taken from the invocation
    directory, a relative ini value from the ini file's directory; xdist workers get the
    controller's resolved path so a worker's working directory does not matter."""
    worker_input = getattr(config, "workerinput", None)
    if isinstance(worker_input, dict) and worker_input.get("kvarn_telemetry_dir"):
        return Path(worker_input["kvarn_telemetry_dir"])
    option = config.getoption("kvarn_telemetry", default=None)
    if option:
        return (config.invocation_params.dir / Path(option).expanduser()).absolute()
    ini = str(config.getini("kvarn_telemetry") or "").strip()
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / Path(ini).expanduser()).absolute()
    return None


# -- the fixture ------------------------------------------------------------------------------


class Flywheel:
    """What a test hands the flywheel: the assistant turns it drove and extra metrics.

    Never raises, so recording cannot change a test's outcome (a test that reports a turn
    from an ``except`` block must still fail with its own error). A value the event format
    cannot hold is left out of the event and counted in the run's summary line."""

    def __init__(self, item: pytest.Item, recorder: _Recorder | None) -> None:
        self._item = item
        self._recorder = recorder
        self._state = _state(item)

    @property
    def enabled(self) -> bool:
        """Whether this run records telemetry (``--kvarn-telemetry`` or ``kvarn_telemetry``)."""
        return self._recorder is not None

    @property
    def session_id(self) -> str | None:
        """The run's test session id, shared by all its events; None when not recording."""
        return self._recorder.session_id if self._recorder else None

    def metric(self, name: str, value: float | bool) -> None:
        """Add a number to this test's outcome event's ``metrics``."""
        recorder = self._recorder
        if recorder is None:
            return
        problem = _metric_problem(name, value)
        if problem:
            recorder.problem(f"{self._item.nodeid}: {problem}; left out")
        else:
            self._state.metrics[name] = value

    def record_turn(
        self,
        text: str,
        *,
        intent: str | None = None,
        confidence: float | None = None,
        slots: dict[str, Any] | None = None,
        tool_calls: Iterable[dict[str, Any]] | None = None,
        output: str | None = None,
        route: str | None = None,
        latency_ms: float | None = None,
        first_ms: float | None = None,
        lang: str = "sv",
    ) -> str:
        """Record the assistant interaction this test exercised as an ``orchestrator.turn``,
        the way production logs it; returns its ``turn_id`` (also when not recording).

        ``nlu`` is written when there is an intent with a confidence (the format requires
        both); a turn that failed before NLU (intent None) is written without it."""
        self._state.turns += 1
        nodeid = self._item.nodeid
        turn_id = f"t-{hashlib.sha256(nodeid.encode()).hexdigest()[:8]}-{self._state.turns}"
        recorder = self._recorder
        if recorder is None:
            return turn_id
        try:
            payload, problems = _turn_payload(
                recorder, self._item, turn_id, text, intent, confidence, slots, tool_calls,
                output, route, latency_ms, first_ms, lang,
            )  # fmt: skip
        except Exception as exc:  # never fail the host run
            recorder.problem(exc)
            return turn_id
        for problem in problems:
            recorder.problem(f"{nodeid}: record_turn {problem}; left out")
        if payload is not None:
            recorder.emit(payload)
        return turn_id


@pytest.fixture
def flywheel(request: pytest.FixtureRequest) -> Flywheel:
    """Record the assistant turns a test drives and extra metrics (inert when not recording)."""
    return Flywheel(request.node, request.config.stash.get(_RECORDER, None))


def _metric_problem(name: Any, value: Any) -> str | None:
    """Why a metric cannot go into the event's ``metrics``, or None if it can."""
    if not isinstance(name, str) or not name or name == "duration_ms":
        return f"metric name {name!r} is not a name other than duration_ms"
    if name == "success":
        return None if isinstance(value, bool) else "metric 'success' is not a bool"
    if not _is_number(value) and not isinstance(value, bool):
        return f"metric {name!r} is not a finite number: {_short_repr(value)}"
    if name in _NONNEG_METRICS and value < 0:
        return f"metric {name!r} is negative"
    return None


def _turn_payload(
    recorder: _Recorder,
    item: pytest.Item,
    turn_id: str,
    text: Any,
    intent: Any,
    confidence: Any,
    slots: Any,
    tool_calls: Any,
    output: Any,
    route: Any,
    latency_ms: Any,
    first_ms: Any,
    lang: Any,
) -> tuple[dict[str, Any] | None, list[str]]:
    """The turn as production would log it, keeping only what the event schema accepts,
    and what was left out (a turn without a text is not written at all)."""
    problems: list[str] = []
    if not isinstance(text, str):
        return None, [f"text {_short_repr(text)} is not a string: no event"]
    if len(text) > MAX_TEXT:
        problems.append(f"text is longer than {MAX_TEXT} characters: the rest")
        text = text[:MAX_TEXT]
    if not isinstance(lang, str) or not _LANG.match(lang):
        problems.append(f"lang {_short_repr(lang)} is not a language tag")
        lang = None
    payload: dict[str, Any] = {
        "v": "1",
        "event": "orchestrator.turn",
        "ts": "",
        "user_id": "test_user",
        "session_id": recorder.session_id,
        "turn_id": turn_id,
    }
    if lang is not None:
        payload["lang"] = lang
    payload["input"] = {"text": text}
    if isinstance(intent, str) and intent:
        if _is_number(confidence) and 0 <= confidence <= 1:
            payload["nlu"] = {"intent": intent, "confidence": confidence}
            if isinstance(slots, dict):
                payload["nlu"]["slots"] = slots
            elif slots is not None:
                problems.append("slots that are not a dict")
        else:
            problems.append(f"nlu: intent {intent!r} without a confidence in [0, 1]")
    elif intent is not None:
        problems.append(f"intent {_short_repr(intent)} is not a non-empty string")
    elif confidence is not None or slots:
        problems.append("confidence/slots without an intent")
    if route is not None:
        if isinstance(route, str) and _ROUTE.match(route):
            payload["route"] = route
        else:
            problems.append(f"route {_short_repr(route)} does not match {_ROUTE.pattern}")
    calls = []
    for call in tool_calls or ():
        problem = _tool_call_problem(call)
        if problem:
            problems.append(problem)
        else:
            calls.append(dict(call))
    if calls:
        payload["tool_calls"] = calls
    if isinstance(output, str):
        payload["output"] = {"text": output}
    elif output is not None:
        problems.append("output that is not a string")
    metrics: dict[str, float] = {}
    for key, name, ms in (
        ("e2e_full_ms", "latency_ms", latency_ms),
        ("e2e_first_ms", "first_ms", first_ms),
    ):
        if ms is None:
            continue
        if _is_number(ms) and ms >= 0:
            metrics[key] = ms
        else:
            problems.append(f"{name} {_short_repr(ms)} is not a non-negative number")
    if metrics:
        payload["metrics"] = metrics
    meta: dict[str, Any] = {"test_name": _test_name(item.nodeid), "test_scenario": item.nodeid}
    target = _slo_target(_marks(item))
    if target is not None:
        meta["slo_target_ms"] = target
        if "e2e_full_ms" in metrics:
            meta["slo_compliance"] = metrics["e2e_full_ms"] <= target
    payload["test_metadata"] = meta
    payload["consent_scopes"] = list(recorder.consent)
    payload["env"] = "test"
    return payload, problems


def _tool_call_problem(call: Any) -> str | None:
    """Why a tool call cannot go into ``tool_calls`` as given, or None if it can."""
    if not isinstance(call, dict) or not isinstance(call.get("name"), str) or not call["name"]:
        return f"tool call {_short_repr(call)} without a 'name'"
    if call.get("args") is not None and not isinstance(call["args"], dict):
        return f"tool call {call['name']!r} with args that are not a dict"
    if "ok" in call and not isinstance(call["ok"], bool):
        return f"tool call {call['name']!r} with an ok that is not a bool"
    if "lat_ms" in call and not (_is_number(call["lat_ms"]) and call["lat_ms"] >= 0):
        return f"tool call {call['name']!r} with a lat_ms that is not a non-negative number"
    return None


# -- per-test state ---------------------------------------------------------------------------


class _TestState:
    """What one test has recorded so far (a plain class: defining a dataclass costs every
    pytest run that loads the plugin a little import time)."""

    __slots__ = ("done", "metrics", "pending", "turns")

    def __init__(self) -> None:
        self.metrics: dict[str, float | bool] = {}
        self.turns = 0
        # The report deciding the outcome so far (a skip, a passed call): its event is
        # written at teardown, unless a failure comes first.
        self.pending: pytest.TestReport | None = None
        self.done = False


_STATE = pytest.StashKey[_TestState]()


def _state(item: pytest.Item) -> _TestState:
    state = item.stash.get(_STATE, None)
    if state is None:
        state = item.stash[_STATE] = _TestState()
    return state


# -- recording --------------------------------------------------------------------------------


class _Recorder:
    """The enabled plugin: builds the events and writes this process's landing file."""

    def __init__(self, config: pytest.Config, landing: Path) -> None:
        self.config = config
        self.problems = 0
        self.first_problem: str | None = None
        self.events = 0
        self.worker_input: dict[str, Any] | None = getattr(config, "workerinput", None)
        # Totals reported by xdist workers (the controller runs no tests itself).
        self.worker_events = 0
        self.worker_paths: list[str] = []
        self._lock = threading.Lock()
        self._fh: Any = None
        self._broken = False
        self._saved_env: str | None = None
        now = datetime.now(UTC)
        if self.worker_input is None:
            self.session_id = _new_session_id(now)
            self.worker = "main"
            # Processes this run starts (xdist workers) inherit it even without workerinput.
            self._saved_env = os.environ.get(SESSION_ENV)
            os.environ[SESSION_ENV] = self.session_id
        else:
            self.session_id = (
                self.worker_input.get("kvarn_session_id")
                or os.environ.get(SESSION_ENV)
                or _new_session_id(now)
            )
            self.worker = str(self.worker_input.get("workerid") or "worker")
        # The id's random tail names the file (an inherited id is not trusted as a path).
        short = re.sub(r"[^A-Za-z0-9]", "", self.session_id.rsplit("_", 1)[-1])[:16] or "run"
        self._short = short
        self.path = (
            landing / "telemetry" / f"{now:%Y-%m-%d}" / f"pytest-{short}-{self.worker}.jsonl"
        )
        self.consent = self._consent(str(config.getoption("kvarn_consent", DEFAULT_CONSENT)))
        python = ".".join(map(str, sys.version_info[:3]))
        self.environment = {"python": python, "platform": _platform()}
        self._probe = _SystemProbe()
        self._log_event: Callable[[dict[str, Any], str], bytes] | None = None
        try:
            self._log_event = _load_log_event()
        except Exception as exc:  # never fail the host run
            self.problem(exc)

    def _consent(self, text: str) -> tuple[str, ...]:
        scopes = [s.strip() for s in text.split(",") if s.strip()]
        for bad in (s for s in scopes if not _SCOPE.match(s)):
            self.problem(f"consent scope {bad!r} is not a valid scope; left out")
        return tuple(s for s in scopes if _SCOPE.match(s))

    def problem(self, error: BaseException | str) -> None:
        self.problems += 1
        if self.first_problem is None:
            self.first_problem = (
                error if isinstance(error, str) else f"{type(error).__name__}: {error}"
            )

    def emit(self, payload: dict[str, Any]) -> None:
        """Write one event as the producer writes it: one ``write()`` of the line."""
        try:
            if self._log_event is None or self._broken:
                self.problems += 1
                return
            ts = datetime.now(UTC).replace(tzinfo=None).isoformat() + "Z"
            line = self._log_event(payload, ts) + b"\n"
            with self._lock:
                if self._fh is None:
                    try:
                        self.path.parent.mkdir(parents=True, exist_ok=True)
                        self._fh = open(self.path, "ab", buffering=0)  # noqa: SIM115
                    except OSError:
                        self._broken = True  # do not retry the directory for every test
                        raise
                written = self._fh.write(line)
                if written != len(line):
                    raise OSError(f"short write: {written} of {len(line)} bytes")
                self.events += 1
        except Exception as exc:  # never fail the host run
            self.problem(exc)

    # -- outcomes ---------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        # Outermost wrapper: the report is final (xfail already applied) when it comes back.
        report = yield
        try:
            self._outcome(item, call, report)
        except Exception as exc:  # never fail the host run
            self.problem(exc)
        return report

    def _outcome(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        if report.passed and report.when == "setup":
            return  # the common case: nothing decided yet
        state = _state(item)
        if state.done:
            return
        if report.failed:
            state.done = True
            self.emit(self._failure(item, call, report, state))
            return
        if report.skipped or report.when == "call":
            state.pending = report
        if report.when == "teardown":
            state.done = True
            pending, state.pending = state.pending, None
            if pending is not None:
                # Built now, so metrics a fixture records while tearing down are included.
                if pending.skipped:
                    self.emit(self._skipped(item, pending))
                else:
                    self.emit(self._baseline(item, pending, state))

    def _baseline(
        self, item: pytest.Item, report: pytest.TestReport, state: _TestState
    ) -> dict[str, Any]:
        duration = _ms(report.duration)
        marks = _marks(item)
        payload: dict[str, Any] = {
            "v": "1",
            "event": "test.baseline",
            "ts": "",
            "test_name": _test_name(item.nodeid),
            "component": _component(marks),
            "metrics": _metrics(duration, state),
            "environment": {
                **self.environment,
                "system_load": {
                    "load_1m": self._probe.load_1m(),
                    "ram_pct": self._probe.ram_pct(),
                },
                "worker": self.worker,
            },
        }
        meta: dict[str, Any] = {"test_name": _test_name(item.nodeid)}
        target = _slo_target(marks)
        if target is not None:
            payload["slo_compliance"] = {"duration": duration <= target}
            meta["slo_target_ms"] = target
            meta["slo_compliance"] = duration <= target
        payload["test_metadata"] = meta
        payload["session_id"] = self.session_id
        payload["env"] = "test"
        return payload

    def _failure(
        self,
        item: pytest.Item,
        call: pytest.CallInfo[None],
        report: pytest.TestReport,
        state: _TestState,
    ) -> dict[str, Any]:
        excinfo = call.excinfo
        text = report.longreprtext or ""
        if excinfo is not None:
            failure_type = excinfo.type.__name__
            message = str(excinfo.value).strip()
        else:  # xfail(strict=True) that passed, or a plugin's own failure
            failure_type = "XPassStrict" if text.startswith("[XPASS(strict)]") else "Failed"
            message = text.strip()
        root_cause = message.splitlines()[0][:MAX_ROOT_CAUSE] if message else failure_type
        marks = _marks(item)
        marker = marks.get("severity")
        severity = _marker_value(marker, "level")
        if not isinstance(severity, str) or not severity:
            severity = _severity(excinfo.type if excinfo is not None else None)
        user_impact = marker.kwargs.get("user_impact") if marker is not None else None
        steps = [f"pytest {_shell_quote(item.nodeid)}"]
        callspec = getattr(item, "callspec", None)
        for name, value in callspec.params.items() if callspec is not None else ():
            steps.append(f"param {name}={_short_repr(value)}")
        meta: dict[str, Any] = {"test_name": _test_name(item.nodeid)}
        target = _slo_target(marks)
        if target is not None:
            meta["slo_target_ms"] = target
        return {
            "v": "1",
            "event": "test.failure",
            "ts": "",
            "test_name": _test_name(item.nodeid),
            "component": _component(marks),
            "failure_type": failure_type,
            "root_cause": root_cause,
            "system_state": {
                "memory_usage": self._probe.ram_pct(),
                "rss_mb": self._probe.peak_rss_mb(),
                "load_1m": self._probe.load_1m(),
            },
            "stack_trace": _clip(text, MAX_STACK_TRACE),
            "reproduction_steps": steps,
            "impact_assessment": {
                "severity": severity.upper(),
                "user_impact": None if user_impact is None else str(user_impact),
                "system_stability": "STABLE",
            },
            "metrics": _metrics(_ms(report.duration), state),
            "phase": report.when,
            "test_metadata": meta,
            "session_id": self.session_id,
            "env": "test",
        }

    def _skipped(self, item: pytest.Item, report: pytest.TestReport) -> dict[str, Any]:
        xfail = getattr(report, "wasxfail", None)
        if xfail is not None:
            outcome, reason = "xfailed", str(xfail).removeprefix("reason: ")
        else:
            outcome = "skipped"
            longrepr = report.longrepr
            raw = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr or "")
            reason = str(raw).removeprefix("Skipped: ")
        return {
            "v": "1",
            "event": "test.pytest.skipped",
            "ts": "",
            "test_name": _test_name(item.nodeid),
            "reason": reason[:MAX_ROOT_CAUSE],
            "outcome": outcome,
            "session_id": self.session_id,
            "env": "test",
        }

    # -- end of run -------------------------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """An xdist worker hands its totals to the controller, which prints the summary."""
        output = getattr(self.config, "workeroutput", None)
        if isinstance(output, dict):
            output["kvarn_telemetry"] = {
                "events": self.events,
                "path": str(self.path) if self.events else None,
                "problems": self.problems,
                "first_problem": self.first_problem,
            }

    def take_worker_output(self, output: Any) -> None:
        """Add one xdist worker's totals (see ``pytest_sessionfinish``)."""
        if not isinstance(output, dict):
            return
        self.worker_events += int(output.get("events") or 0)
        if output.get("path"):
            self.worker_paths.append(str(output["path"]))
        problems = int(output.get("problems") or 0)
        if problems:
            self.problems += problems
            if self.first_problem is None:
                self.first_problem = output.get("first_problem")

    def summary(self) -> str:
        events = self.events + self.worker_events
        paths = ([str(self.path)] if self.events else []) + self.worker_paths
        if len(paths) > 2:
            where = f"{self.path.parent}/pytest-{self._short}-*.jsonl ({len(paths)} files)"
        else:
            where = ", ".join(paths) or "nothing written"
        if self.problems:
            return (
                f"kvarn telemetry: WARNING {self.problems} problem(s), first: "
                f"{self.first_problem}; {events} events → {where}; test results are unaffected"
            )
        return f"kvarn telemetry: {events} events → {where}"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        line = self.summary()
        try:
            terminalreporter.write_line(line, yellow=bool(self.problems))
        except UnicodeError:  # a terminal that cannot show the arrow
            with contextlib.suppress(Exception):
                terminalreporter.write_line(line.replace("→", "->").replace("…", "..."))
        except Exception:  # never fail the host run
            pass

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
        if self.worker_input is None and os.environ.get(SESSION_ENV) == self.session_id:
            if self._saved_env is None:
                os.environ.pop(SESSION_ENV, None)
            else:
                os.environ[SESSION_ENV] = self._saved_env


class _XdistController:
    """Only registered when pytest-xdist is loaded: hands the controller's session id and
    landing directory to each worker and collects the workers' totals."""

    def __init__(self, recorder: _Recorder) -> None:
        self.recorder = recorder

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["kvarn_session_id"] = self.recorder.session_id
        node.workerinput["kvarn_telemetry_dir"] = str(self.recorder.path.parents[2])

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        try:
            output = getattr(node, "workeroutput", None) or {}
            self.recorder.take_worker_output(output.get("kvarn_telemetry"))
        except Exception as exc:  # never fail the host run
            self.recorder.problem(exc)


# -- helpers ----------------------------------------------------------------------------------


def _load_log_event() -> Callable[[dict[str, Any], str], bytes]:
    """``pipelines.generate.producer.log_event``, without importing ``pipelines.generate``.

    That package's ``__init__`` loads the sample generator (polars and more, ~0.4 s), which
    would be most of the flywheel's cost on a small suite; ``producer.py`` itself needs only
    the standard library, so it is loaded from its file when not imported already."""
    module = sys.modules.get("pipelines.generate.producer") or sys.modules.get(_PRODUCER)
    if module is None:
        spec = importlib.util.find_spec("pipelines")
        roots = spec.submodule_search_locations if spec is not None else None
        sources = [Path(r) / "generate" / "producer.py" for r in roots or ()]
        source = next((p for p in sources if p.is_file()), None)
        file_spec = importlib.util.spec_from_file_location(_PRODUCER, source) if source else None
        if file_spec is None or file_spec.loader is None:
            from pipelines.generate import producer  # the ordinary (slower) import

            module = producer
        else:
            module = importlib.util.module_from_spec(file_spec)
            sys.modules[_PRODUCER] = module
            try:
                file_spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[_PRODUCER]
                raise
    log_event: Callable[[dict[str, Any], str], bytes] = module.log_event
    return log_event


_PRODUCER = "kvarn._flywheel_producer"


class _SystemProbe:
    """Load and memory figures for the events, sampled at most once a second because a
    suite of thousands of tiny tests should not read /proc thousands of times."""

    def __init__(self) -> None:
        self._at = -math.inf
        self._load: float | None = None
        self._ram: float | None = None

    def _sample(self) -> None:
        now = time.monotonic()
        if now - self._at < 1.0:
            return
        self._at = now
        try:
            self._load = round(os.getloadavg()[0], 2)
        except (AttributeError, OSError):  # not on every platform
            self._load = None
        self._ram = _ram_pct()

    def load_1m(self) -> float | None:
        self._sample()
        return self._load

    def ram_pct(self) -> float | None:
        self._sample()
        return self._ram

    @staticmethod
    def peak_rss_mb() -> float | None:
        try:
            import resource
        except ImportError:  # Windows
            return None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Linux reports KiB, macOS bytes.
        return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _new_session_id(now: datetime) -> str:
    return f"test_{now:%Y%m%dT%H%M%SZ}_{os.urandom(3).hex()}"


def _platform() -> str:
    """System, release and machine, as ``platform.platform()`` starts; without importing
    ``platform`` (a few ms) where ``os.uname`` has them."""
    if hasattr(os, "uname"):
        uname = os.uname()
        return f"{uname.sysname}-{uname.release}-{uname.machine}"
    import platform

    return f"{platform.system()}-{platform.release()}-{platform.machine()}"


def _ram_pct() -> float | None:
    """Share of RAM in use (Linux /proc/meminfo); None where that file does not exist."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            info = dict(line.split(":", 1) for line in fh if ":" in line)
        total = float(info["MemTotal"].split()[0])
        available = float(info["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return None
    return round(100.0 * (1.0 - available / total), 1) if total > 0 else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _metrics(duration_ms: float, state: _TestState) -> dict[str, Any]:
    return {"duration_ms": duration_ms, **state.metrics}


def _marker_value(marker: pytest.Mark | None, key: str) -> Any:
    """A marker's first positional argument, or the keyword of that name."""
    if marker is None:
        return None
    return marker.args[0] if marker.args else marker.kwargs.get(key)


def _marks(item: pytest.Item) -> dict[str, pytest.Mark]:
    """The closest component, slo and severity marks of a test, in one pass over its
    markers (closest first) instead of a ``get_closest_marker`` walk per name."""
    marks: dict[str, pytest.Mark] = {}
    for mark in item.iter_markers():
        if mark.name in _MARK_NAMES:
            marks.setdefault(mark.name, mark)
    return marks


_MARK_NAMES = frozenset({"component", "slo", "severity"})


def _slo_target(marks: dict[str, pytest.Mark]) -> float | None:
    """The slo marker's ``target_ms``; a value the format cannot hold (not a positive
    number) is ignored rather than written, so the event is not quarantined."""
    target = _marker_value(marks.get("slo"), "target_ms")
    return target if _is_number(target) and target > 0 else None


def _component(marks: dict[str, pytest.Mark]) -> str:
    name = _marker_value(marks.get("component"), "name")
    if isinstance(name, str) and name:
        return name
    slo = marks.get("slo")
    name = slo.kwargs.get("component") if slo is not None else None
    return name if isinstance(name, str) and name else DEFAULT_COMPONENT


def _severity(exc_type: type[BaseException] | None) -> str:
    if exc_type is not None:
        for base, level in _SEVERITY_BY_TYPE:
            if issubclass(exc_type, base):
                return level
    return "HIGH"


def _test_name(nodeid: str) -> str:
    """The node id, shortened (with a hash to stay unique) to the format's 1000 characters."""
    if len(nodeid) <= MAX_TEST_NAME:
        return nodeid
    digest = hashlib.sha256(nodeid.encode()).hexdigest()[:16]
    return nodeid[: MAX_TEST_NAME - 17] + "…" + digest


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a parameter whose __repr__ raises
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_PARAM_REPR else text[: MAX_PARAM_REPR - 1] + "…"


def _clip(text: str, limit: int) -> str:
    """Head and tail of a long text: the test's own frame and the error both survive."""
    if len(text) <= limit:
        return text
    marker = f"\n[… {len(text) - limit} characters cut …]\n"
    head = (limit - len(marker)) // 2
    return text[:head] + marker + text[len(text) - (limit - len(marker) - head) :]
