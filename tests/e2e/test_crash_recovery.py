"""A killed ``kvarn run`` never wedges the next one, and the rerun repairs every table.

``kill -9`` while silver holds the ``kvarn_state`` pool slot used to leave the slot claimed
by a run that would never finish: every later ``kvarn run`` waited at silver forever. Here
the run is killed at eleven points spread over bronze, the state tables, silver (a batch's
hours held back before their write included), candidates and the gold rebuild; each rerun
must finish within a bound and leave bronze, silver and the candidates equal to an
uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.io import delta
from tests.e2e.instance import dagster_home

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RANGE = ("--from", "2025-09-01T06", "--to", "2025-09-01T09")
RERUN_BOUND_S = 240


def _env(data: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_"))}
    # One key for both lakes, so pseudonyms and surrogates compare equal.
    return {**env, "KVARN_DATA": str(data), "DAGSTER_HOME": str(home),
            "KVARN_PSEUDONYM_KEY": "6b7661726e2d63726173682d74657374"}  # fmt: skip


def _generate(data: Path) -> None:
    res = subprocess.run(
        [str(BIN / "kvarn"), "generate", "--out", str(data / "landing"), "--days", "1",
         "--events-per-hour", "60", "--seed", "3", "--start", "2025-09-01"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr


def _run(data: Path, home: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kvarn"), "run", "--demo", *RANGE],
        capture_output=True, text=True, cwd=ROOT, env=_env(data, home), timeout=timeout,
    )  # fmt: skip


def _slot_claimed(instance: DagsterInstance) -> bool:
    try:
        info = instance.event_log_storage.get_concurrency_info("kvarn_state")
    except Exception:  # the instance tables may not exist yet
        return False
    return info.active_slot_count > 0


def _version(cfg: LakeConfig, layer: str, table: str) -> int:
    """The table's Delta version, -1 while it does not exist."""
    version = delta.table_version(cfg.table(layer, table))
    return -1 if version is None else version


def _gold_run_started(instance: DagsterInstance) -> bool:
    """The run that rebuilds the unpartitioned gold tables (the last step of kvarn run)."""
    runs = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED]))
    return any("dagster/partition" not in run.tags for run in runs)


# Kill points over the whole run: the moment each becomes true, the run gets SIGKILL.
KILL_POINTS: dict[str, Callable[[LakeConfig, DagsterInstance, float], bool]] = {
    "first_bronze": lambda cfg, _i, _t: _version(cfg, "bronze", "events") >= 0,
    "silver_slot": lambda _c, inst, _t: _slot_claimed(inst),
    "seen_hashes": lambda cfg, _i, _t: _version(cfg, "state", "seen_hashes") >= 0,
    "neardup_bands": lambda cfg, _i, _t: _version(cfg, "state", "neardup_bands") >= 0,
    "first_silver": lambda cfg, _i, _t: _version(cfg, "silver", "turns") >= 0,
    "first_candidates": lambda cfg, _i, _t: _version(cfg, "gold", "candidates") >= 0,
    "late_bronze": lambda cfg, _i, _t: _version(cfg, "bronze", "events") >= 2,
    "late_silver": lambda cfg, _i, _t: _version(cfg, "silver", "turns") >= 2,
    # A batch's state committed for some hours, its silver not yet written (held back).
    "silver_held_back": lambda cfg, _i, _t: (
        _version(cfg, "state", "neardup_bands") >= 2 and _version(cfg, "silver", "turns") < 0
    ),
    "gold_tables": lambda _c, inst, _t: _gold_run_started(inst),
    "after_2s": lambda _c, _i, elapsed: elapsed >= 2.0,
}
# A batch writes each table once, so "a later hour's commit" exists only when each hour is
# its own run (``--batch-hours 1``, also how a failed batch is retried).
ONE_RUN_PER_HOUR = {"late_bronze", "late_silver"}


def _kill_when(data: Path, home: Path, ready: str) -> None:
    per_hour = ("--batch-hours", "1") if ready in ONE_RUN_PER_HOUR else ()
    proc = subprocess.Popen(
        [str(BIN / "kvarn"), "run", "--demo", *RANGE, *per_hour],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=_env(data, home),
        start_new_session=True,
    )  # fmt: skip
    cfg = LakeConfig(data_dir=str(data))
    started = time.monotonic()
    instance = DagsterInstance.from_config(str(home))  # one connection, polled (not reopened)
    point = KILL_POINTS[ready]
    try:
        while time.monotonic() - started < 240 and proc.poll() is None:
            if point(cfg, instance, time.monotonic() - started):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the run finished before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        instance.dispose()


def _tables(data: Path) -> dict[str, pl.DataFrame]:
    cfg = LakeConfig(data_dir=str(data))
    out = {}
    for table in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", table))
        assert frame is not None
        keep = [c for c in frame.columns if c not in ("ingested_at",)]
        # A total order: polars sorts are not stable, and one event has several rag_pairs
        # rows, so sorting by a few columns left ties in whatever order the files were read.
        order = [c for c in keep if frame.schema[c].is_numeric() or frame.schema[c] == pl.Utf8]
        out[f"silver_{table}"] = frame.select(keep).sort(order)
    for layer, table in (("bronze", "events"), ("gold", "candidates")):
        frame = delta.read_table(cfg.table(layer, table))
        assert frame is not None
        key = "event_id" if layer == "bronze" else "candidate_id"
        out[f"{layer}_{table}"] = frame.select(key).sort(key)
    for table in ("sft", "dpo", "rag", "nlu", "failure_patterns", "test_health"):
        frame = delta.read_table(cfg.table("gold", table))
        key = "pattern_id" if table == "failure_patterns" else (
            "test_name" if table == "test_health" else "example_id")  # fmt: skip
        out[f"gold_{table}"] = (
            pl.DataFrame({key: []}, schema={key: pl.Utf8})
            if frame is None
            else frame.select(key).sort(key)
        )
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    tmp = tmp_path_factory.mktemp("reference")
    _generate(tmp)
    res = _run(tmp, dagster_home(tmp), RERUN_BOUND_S)
    assert res.returncode == 0, res.stderr[-2000:]
    return _tables(tmp)


@pytest.mark.parametrize("ready", list(KILL_POINTS))
def test_a_killed_run_leaves_nothing_that_blocks_the_next(
    tmp_path: Path, reference: dict[str, pl.DataFrame], ready: str
) -> None:
    _generate(tmp_path)
    home = dagster_home(tmp_path)
    _kill_when(tmp_path, home, ready)
    started = time.monotonic()
    rerun = _run(tmp_path, home, RERUN_BOUND_S)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert time.monotonic() - started < RERUN_BOUND_S
    got = _tables(tmp_path)
    for name, frame in reference.items():
        assert got[name].equals(frame), name


@pytest.mark.parametrize(
    "ranges",
    [
        pytest.param([RANGE, RANGE], id="same-range"),
        pytest.param(
            [
                ("--from", "2025-09-01T07", "--to", "2025-09-01T09"),
                ("--from", "2025-09-01T06", "--to", "2025-09-01T08"),
            ],
            id="overlapping-later-first",
        ),
    ],
)
def test_two_runs_over_the_same_hours_end_like_one(
    tmp_path: Path, reference: dict[str, pl.DataFrame], ranges: list[tuple[str, ...]]
) -> None:
    """Started together, the second waits for the first's lake lock, then runs its hours; two
    overlapping ranges together cover the reference range and must end exactly like it."""
    _generate(tmp_path)
    home = dagster_home(tmp_path)
    procs = [
        subprocess.Popen(
            [str(BIN / "kvarn"), "run", "--demo", *hours],
            cwd=ROOT,
            env=_env(tmp_path, home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for hours in ranges
    ]
    outputs = [p.communicate(timeout=2 * RERUN_BOUND_S) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in outputs]
    assert any("waiting: another kvarn run" in err for _, err in outputs)
    got = _tables(tmp_path)
    for name, frame in reference.items():
        assert got[name].equals(frame), name
