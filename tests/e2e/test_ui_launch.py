"""The Dagster UI's way in: `dagster dev`'s webserver and daemon run hours of a demo lake.

After `kvarn run --demo` (which creates ``$KVARN_DATA/.secrets/pseudonym.key``), a run
launched through the webserver's GraphQL API, as the UI launches it, and executed by the
daemon must succeed without demo mode: silver used to fail there with ``PseudonymKeyError``.
The hourly schedule is evaluated the way the UI's "Test schedule" dialog does it
(``scheduleDryRun`` at its next tick) and its run request launched as "Launch all runs" does.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipelines.config import LakeConfig
from pipelines.io import delta
from tests.e2e.instance import dagster_home

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
JOB = "hourly_pipeline"
SCHEDULE = "hourly_pipeline_schedule"
PARTITION = "2025-09-01-10:00"
STARTUP_S = 120
RUN_S = 240
STOP_S = 30
GRACE_S = 10
"""Seconds the rest of the group gets after the leader exited (a busy machine once kept the code
server alive past 30 s; the assertions below still require the whole group gone)."""

pytestmark = pytest.mark.slow

WORKSPACE = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name jobs { name } } }
          ... on PythonError { message stack }
        }
      }
    }
    ... on PythonError { message stack }
  }
}
"""

LAUNCH_RUN = """
mutation LaunchRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PythonError { message stack }
    ... on Error { message }
  }
}
"""

LAUNCH_MULTIPLE_RUNS = """
mutation LaunchMultipleRuns($executionParamsList: [ExecutionParams!]!) {
  launchMultipleRuns(executionParamsList: $executionParamsList) {
    __typename
    ... on LaunchMultipleRunsResult {
      launchMultipleRunsResult {
        __typename
        ... on LaunchRunSuccess { run { runId } }
        ... on RunConfigValidationInvalid { errors { message } }
        ... on PythonError { message stack }
        ... on Error { message }
      }
    }
    ... on PythonError { message stack }
  }
}
"""

RUN_STATUS = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status tags { key value } }
    ... on PythonError { message }
  }
}
"""

RUN_LOGS = """
query RunLogs($runId: ID!) {
  logsForRun(runId: $runId, limit: 2000) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message level stepKey }
        ... on ErrorEvent {
          error { className message stack errorChain { error { className message stack } } }
        }
      }
    }
  }
}
"""

FUTURE_TICKS = """
query FutureTicks($selector: ScheduleSelector!, $cursor: Float) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename
    ... on Schedule {
      cronSchedule
      executionTimezone
      futureTicks(cursor: $cursor, limit: 1) { results { timestamp } }
    }
    ... on PythonError { message }
  }
}
"""

SCHEDULE_DRY_RUN = """
mutation ScheduleDryRun($selectorData: ScheduleSelector!, $timestamp: Float) {
  scheduleDryRun(selectorData: $selectorData, timestamp: $timestamp) {
    __typename
    ... on DryRunInstigationTick {
      timestamp
      evaluationResult {
        runRequests {
          runKey
          jobName
          runConfigYaml
          tags { key value }
          assetSelection { path }
          assetChecks { name assetKey { path } }
        }
        skipReason
        error { message stack }
      }
    }
    ... on PythonError { message stack }
    ... on ScheduleNotFoundError { scheduleName }
  }
}
"""


@dataclass(frozen=True)
class Ui:
    """A running `dagster dev` over a demo lake."""

    url: str
    data: Path
    log: Path
    location: str
    repository: str

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return graphql(self.url, query, variables)

    def log_tail(self, chars: int = 2500) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode("utf-8")
    req = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        payload: dict[str, Any] = json.loads(resp.read().decode("utf-8"))
    assert not payload.get("errors"), payload["errors"]
    data: dict[str, Any] = payload["data"]
    return data


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _env(data: Path, home: Path) -> dict[str, str]:
    """No KVARN_DEMO, no KVARN_PSEUDONYM_KEY: only the key file the demo run left behind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_"))}
    return {**env, "KVARN_DATA": str(data), "DAGSTER_HOME": str(home)}


def _kvarn(*args: str, env: dict[str, str]) -> None:
    res = subprocess.run(
        [str(BIN / "kvarn"), *args], capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _mentioning(path: Path) -> list[str]:
    """Command lines of live processes that name ``path`` (e.g. compute-log tails of a run)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def _stop(proc: subprocess.Popen[bytes], port: int, tmp: Path) -> None:
    """Ctrl-C, as a `make ui` user stops it: SIGINT to the whole process group (webserver,
    daemon, code server, run workers). After SIGTERM the code server outlived the 30 s grace."""
    pgid = proc.pid  # start_new_session: the leader's pid is the group id
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_S)  # reap the leader, or its zombie keeps the group alive
    if not _group_gone(pgid, GRACE_S):  # the leader is gone: what is left only lingers
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=STOP_S)
    assert _group_gone(pgid, 10), f"processes of group {pgid} survived teardown"
    assert not _port_open(port), f"port {port} still open after teardown"
    assert not _mentioning(tmp), _mentioning(tmp)


def _wait_for_location(url: str, proc: subprocess.Popen[bytes], log: Path) -> tuple[str, str]:
    """(location, repository) of the code location that has the job, once it is loaded."""
    deadline = time.monotonic() + STARTUP_S
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as resp:
                resp.read()
            data = graphql(url, WORKSPACE)["workspaceOrError"]
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = repr(exc)
            time.sleep(0.5)
            continue
        assert data["__typename"] == "Workspace", data
        for entry in data["locationEntries"]:
            loaded = entry["locationOrLoadError"]
            if loaded is None:
                continue
            assert loaded["__typename"] == "RepositoryLocation", loaded
            for repo in loaded["repositories"]:
                if JOB in {job["name"] for job in repo["jobs"]}:
                    return loaded["name"], repo["name"]
        last = json.dumps(data)[:1000]
        time.sleep(0.5)
    pytest.fail(f"code location not loaded in {STARTUP_S} s ({last}):\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ui]:
    tmp = tmp_path_factory.mktemp("ui")
    home = dagster_home(tmp)
    env = _env(tmp, home)
    _kvarn("generate", "--out", str(tmp / "landing"), "--days", "1", "--events-per-hour", "20",
           "--seed", "5", "--start", "2025-09-01", env=env)  # fmt: skip
    _kvarn("run", "--demo", "--from", "2025-09-01T08", "--to", "2025-09-01T08", env=env)
    assert (tmp / ".secrets" / "pseudonym.key").exists()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "dagster_dev.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
             "-p", str(port)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        location, repository = _wait_for_location(url, proc, log)
        yield Ui(url=url, data=tmp, log=log, location=location, repository=repository)
    finally:
        _stop(proc, port, tmp)


def _failure_report(ui: Ui, run_id: str) -> str:
    try:
        logs = ui.gql(RUN_LOGS, {"runId": run_id})["logsForRun"]
        lines = []
        for event in logs.get("events", []):
            error = event.get("error")
            if error or event.get("level") in ("ERROR", "CRITICAL"):
                step, message = event.get("stepKey"), event.get("message")
                lines.append(f"{event['__typename']} {step}: {message}")
                if error:
                    # the user code's exception is the last link of the chain
                    chain = [error, *(link["error"] for link in error.get("errorChain") or [])]
                    for link in chain:
                        lines.append(f"  {link.get('className')}: {link['message'].strip()}")
                    lines.append("".join(chain[-1].get("stack") or [])[-1200:])
        events = "\n".join(lines)[-8000:]
    except Exception as exc:  # the report must never hide the failure it reports
        events = f"(no events: {exc!r})"
    return f"run {run_id} events:\n{events}\n--- dagster dev log tail ---\n{ui.log_tail()}"


def _wait_for_run(ui: Ui, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_S
    status = ""
    while time.monotonic() < deadline:
        run = ui.gql(RUN_STATUS, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        status = run["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            assert status == "SUCCESS", f"run ended {status}\n{_failure_report(ui, run_id)}"
            return run
        time.sleep(1)
    pytest.fail(f"run still {status} after {RUN_S} s\n{_failure_report(ui, run_id)}")


def _launched(result: dict[str, Any]) -> str:
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id: str = result["run"]["runId"]
    return run_id


def _tags(run: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


def _hours(data: Path, table: str) -> dict[str, int]:
    frame = delta.read_table(LakeConfig(data_dir=str(data)).table("silver", table))
    assert frame is not None
    counts = frame.group_by("hour").len()
    return dict(zip(counts["hour"].to_list(), counts["len"].to_list(), strict=True))


def test_a_run_launched_from_the_ui_materializes_an_hour(ui: Ui) -> None:
    """The launchpad of `hourly_pipeline` with one partition selected: launchRun + its tag."""
    params = {
        "selector": {
            "repositoryLocationName": ui.location,
            "repositoryName": ui.repository,
            "jobName": JOB,
        },
        "runConfigData": "{}",
        "mode": "default",
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
    }
    run_id = _launched(ui.gql(LAUNCH_RUN, {"executionParams": params})["launchRun"])
    run = _wait_for_run(ui, run_id)
    assert _tags(run)["dagster/partition"] == PARTITION
    hours = _hours(ui.data, "turns")
    assert hours.get("2025-09-01T10", 0) > 0, hours
    assert hours.get("2025-09-01T08", 0) > 0, hours  # the demo run's hour is still there


def test_the_hourly_schedule_tick_runs(ui: Ui) -> None:
    """ "Test schedule" at the next tick, then "Launch all runs" for what it requested."""
    selector = {
        "repositoryLocationName": ui.location,
        "repositoryName": ui.repository,
        "scheduleName": SCHEDULE,
    }
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    ticks = ui.gql(FUTURE_TICKS, {"selector": selector, "cursor": this_hour.timestamp()})
    schedule = ticks["scheduleOrError"]
    assert schedule["__typename"] == "Schedule", schedule
    tick = datetime.fromtimestamp(schedule["futureTicks"]["results"][0]["timestamp"], UTC)
    assert tick == this_hour + timedelta(minutes=5), (schedule, tick)

    dry = ui.gql(SCHEDULE_DRY_RUN, {"selectorData": selector, "timestamp": tick.timestamp()})
    result = dry["scheduleDryRun"]
    assert result["__typename"] == "DryRunInstigationTick", result
    evaluation = result["evaluationResult"]
    assert evaluation["error"] is None, evaluation["error"]
    requests = evaluation["runRequests"]
    ended = (this_hour - timedelta(hours=1)).strftime("%Y-%m-%d-%H:00")
    assert len(requests) == 1, evaluation
    request = requests[0]
    assert request["runKey"] == f"hourly-{ended}"
    assert {t["key"]: t["value"] for t in request["tags"]}.get("dagster/partition") == ended

    # as buildExecutionParamsListSchedule in the UI builds them
    params = {
        "runConfigData": request["runConfigYaml"],
        "selector": {
            "jobName": request["jobName"] or JOB,
            "repositoryLocationName": ui.location,
            "repositoryName": ui.repository,
            "assetSelection": request["assetSelection"] or [],
            "assetCheckSelection": [
                {"name": c["name"], "assetKey": c["assetKey"]} for c in request["assetChecks"] or []
            ],
        },
        "mode": "default",
        "executionMetadata": {
            "tags": [{"key": t["key"], "value": t["value"]} for t in request["tags"]]
        },
    }
    launched = ui.gql(LAUNCH_MULTIPLE_RUNS, {"executionParamsList": [params]})
    outcome = launched["launchMultipleRuns"]
    assert outcome["__typename"] == "LaunchMultipleRunsResult", outcome
    (only,) = outcome["launchMultipleRunsResult"]
    run = _wait_for_run(ui, _launched(only))
    assert _tags(run)["dagster/partition"] == ended
    # an hour without landing data is a successful run that adds no rows
    assert (this_hour - timedelta(hours=1)).strftime("%Y-%m-%dT%H") not in _hours(ui.data, "turns")
