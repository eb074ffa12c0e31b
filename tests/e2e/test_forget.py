"""``kvarn forget`` on a lake that has been run, exported and recorded by Dagster.

Persona p1 of the planted canaries is one user: after ``kvarn forget --user <p1's id>`` not one
byte of their raw id, their pseudonym or their planted values is left anywhere — landing files,
bronze, silver, gold, state, Delta history, export versions, the Dagster instance — while
everyone else's data is untouched, hours rerun cleanly (conservation holds) and later events of
the same user never reach silver. A ``kill -9`` in the middle and a rerun finish the job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import LakeConfig
from pipelines.generate.canaries import PERSONAS, persona_events
from pipelines.generate.producer import log_event
from pipelines.io import delta
from pipelines.pii import load_pseudonym_key, pseudonymize_user_id
from pipelines.quality.canary_scan import Canary, load_canaries, scan_data_dir
from tests.e2e.canary_lake import BIN, ROOT, copy_lake, kvarn_cli

P1, P2 = PERSONAS[0], PERSONAS[1]


def _subject(data: Path, persona_key: str, user_id: str) -> list[Canary]:
    key = load_pseudonym_key(demo=True, key_file=data / ".secrets" / "pseudonym.key")
    planted = load_canaries(data / "landing" / "canaries.json", [persona_key])
    return [*planted, Canary("pseudonym", pseudonymize_user_id(user_id, key))]


def _everything(data: Path, instance: Path, canaries: list[Canary]) -> list[str]:
    scan = scan_data_dir(data, canaries, extra_roots=[instance], include_raw=True)
    return scan.lines(limit=50) if scan.hits else []


def _rows(data: Path, layer: str, table: str) -> int:
    return delta.count_rows(LakeConfig(data_dir=str(data)).table(layer, table))


def test_forget_a_user_everywhere(canary_lake: tuple[Path, Path, Path], tmp_path: Path) -> None:
    data, home, instance = copy_lake(canary_lake, tmp_path)
    mine = _subject(data, "p1", P1.user_id)
    assert _everything(data, instance, mine), "the canaries must be there to begin with"
    turns_before = _rows(data, "silver", "turns")

    res = kvarn_cli("forget", "--user", P1.user_id, "--demo", data=data, home=home)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 left" in res.stdout
    assert _everything(data, instance, mine) == []
    # Nobody else was touched: p2's values are still in the raw zone, other turns still there.
    assert _everything(data, instance, _subject(data, "p2", P2.user_id))
    receipt_file = next((data / "governance" / "receipts").glob("*.json"))
    receipt = json.loads(receipt_file.read_text())
    assert receipt["rows"]["silver.turns"] == 4
    assert _rows(data, "silver", "turns") == turns_before - 4
    assert receipt["landing_lines"] == 5 and receipt["verification_hits"] == 0
    # The receipt names no one: no id, no pseudonym, no planted value.
    assert not any(c.value.casefold() in receipt_file.read_text().casefold() for c in mine)

    # A new export has none of the user's rows; rerunning the day keeps conservation (the run's
    # blocking checks pass) and brings nothing back.
    again = kvarn_cli("export", "all", "--out", str(data / "exports"), data=data, home=home)
    assert again.returncode == 0, again.stderr
    rerun = kvarn_cli("run", "--from", "2025-09-01T09", "--to", "2025-09-01T10", "--demo",
                      data=data, home=home)  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _everything(data, instance, mine) == []

    # Later events of the same user land in bronze but never reach silver.
    late = data / "landing" / "telemetry" / "2025-09-01" / "late-0.jsonl"
    lines = [
        log_event(event, "2025-09-01T09:40:00.000000Z")
        for event in persona_events(P1, "2025-09-01", "late")
    ]
    late.write_bytes(b"\n".join(lines) + b"\n")
    later = kvarn_cli("run", "--from", "2025-09-01T09", "--to", "2025-09-01T09", "--demo",
                      data=data, home=home)  # fmt: skip
    assert later.returncode == 0, later.stdout + later.stderr
    pseudonym = next(c.value for c in mine if c.label == "pseudonym")
    turns = delta.read_table(LakeConfig(data_dir=str(data)).table("silver", "turns"))
    assert turns is not None
    assert turns.filter(pl.col("user_pseudo") == pseudonym).height == 0
    assert turns.filter(pl.col("session_id").str.contains("canary-p1")).height == 0


def test_a_killed_erasure_is_finished_by_a_rerun(
    canary_lake: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    data, home, instance = copy_lake(canary_lake, tmp_path)
    mine = _subject(data, "p2", P2.user_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_"))}
    env.update(KVARN_DATA=str(data), DAGSTER_HOME=str(home))
    proc = subprocess.Popen([str(BIN / "kvarn"), "forget", "--user", P2.user_id, "--demo"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    landing = sorted((data / "landing" / "telemetry").rglob("*.jsonl"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # kill once landing is done
        if any(b'{"kvarn_forgotten"' in p.read_bytes() for p in landing):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the erasure finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    res = kvarn_cli("forget", "--user", P2.user_id, "--demo", data=data, home=home)
    assert res.returncode == 0, res.stdout + res.stderr
    assert _everything(data, instance, mine) == []
    requests = delta.read_table(LakeConfig(data_dir=str(data)).table("state", "erasure_requests"))
    assert requests is not None and requests["status"].to_list() == ["done"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of"),
        (("--user", "a", "--session", "b"), "exactly one of"),
        (("--user", " "), "non-empty id"),
    ],
)
def test_forget_options_are_checked_before_anything_is_written(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    res = kvarn_cli("forget", *args, "--demo", data=tmp_path, home=tmp_path)
    assert res.returncode == 1 and message in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_queued_session_request_is_processed_by_the_hourly_job(
    canary_lake: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets.governance import erasure_hourly, erasure_job
    from assets.resources import KvarnResource

    data, home, instance = copy_lake(canary_lake, tmp_path)
    p3 = PERSONAS[2]
    session = "s-canary-p3-2025-09-01-17"
    queued = kvarn_cli("forget", "--session", session, "--queue", "--demo", data=data, home=home)
    assert queued.returncode == 0 and "queued erasure request" in queued.stdout
    assert erasure_hourly.cron_schedule == "45 * * * *"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    result = erasure_job.execute_in_process(
        resources={"kvarn": KvarnResource(data_dir=str(data), demo=True)}
    )
    assert result.success and result.output_for_node("process_erasure_requests") == 1
    gone = [*_subject(data, "p3", p3.user_id), Canary("session", session)]
    assert _everything(data, instance, gone) == []
