"""Bronze and silver built for many hours in one call (written together) equal hour-by-hour builds.

``build_silver_hours`` holds built hours back and writes each table once, applying in memory the
cluster labels a later hour moves in an earlier one; these tests pin that the tables and the
near-duplicate state end identical to one ``build_silver_hour`` per hour, in any order and
however often the held-back hours are flushed, and that a batch that dies before its write is
repaired by running it again.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import pipelines.bronze.build as bronze_build
import pipelines.silver.build as silver_build
import pipelines.silver.clusters as clusters
import pipelines.silver.prepare as silver_prepare
import pipelines.silver.workers as silver_workers
from pipelines.bronze.build import build_bronze_hour, build_bronze_hours
from pipelines.bronze.ingest import owned_line_count
from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.dedupe import NearDupStore
from pipelines.io import delta, processes
from pipelines.silver.build import SilverOptions, build_silver_hour, build_silver_hours
from tests.integration.small_lake import TEST_KEY, generate_landing

HOURS = [f"2025-09-01T{h:02d}" for h in range(6, 12)]
OPTS = SilverOptions(demo=True)
WALL_CLOCK = {"ingested_at", "created_at"}


@pytest.fixture(autouse=True)
def _one_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)  # pseudonyms compare across lakes


def _bronze(root: Path) -> LakeConfig:
    cfg = generate_landing(root, seed=11, per_hour=80)
    for hour in HOURS:
        build_bronze_hour(cfg, hour)
    return cfg


def _tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for name in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", name))
        assert frame is not None
        keep = sorted(c for c in frame.columns if c not in WALL_CLOCK)
        out[name] = frame.select(keep).sort(keep)
    store = NearDupStore(cfg.table("state", "neardup_bands"))
    out["clusters"] = store.labels().sort("event_id")
    return out


def _assert_same(cfg: LakeConfig, expected: dict[str, pl.DataFrame]) -> None:
    got = _tables(cfg)
    for name, frame in expected.items():
        assert got[name].equals(frame), name


@pytest.fixture(scope="module")
def hour_by_hour(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KVARN_PSEUDONYM_KEY", TEST_KEY)
        cfg = _bronze(tmp_path_factory.mktemp("hourly"))
        for hour in HOURS:
            build_silver_hour(cfg, hour, OPTS)
        return _tables(cfg)


@pytest.mark.parametrize(
    ("order", "flush_bytes"),
    [
        pytest.param(HOURS, silver_build.FLUSH_BYTES, id="forward-one-write"),
        pytest.param(HOURS[::-1], silver_build.FLUSH_BYTES, id="reverse-one-write"),
        pytest.param(HOURS[::-1], 1, id="reverse-write-each-hour"),
        pytest.param(HOURS[3:] + HOURS[:3], 200_000, id="split-some-writes"),
    ],
)
def test_batched_silver_equals_hour_by_hour(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], order: list[str], flush_bytes: int
) -> None:
    cfg = _bronze(tmp_path)
    reports = build_silver_hours(cfg, order, OPTS, flush_bytes=flush_bytes)
    assert [r.hour for r in reports] == order
    assert hour_by_hour["turns"]["cluster_size"].max() > 5  # clusters really span hours
    _assert_same(cfg, hour_by_hour)
    assert all(r.versions.keys() == set(SILVER_TABLES) for r in reports)


def test_held_hours_are_written_before_they_would_outgrow_the_flush_size(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write briefly needs several times its frames' memory, so the held hours are written
    before an hour that would take them past ``flush_bytes`` joins them: only an hour alone
    may be larger. The tables are the same as hour by hour."""
    writes: list[tuple[int, int]] = []
    write = silver_build._HeldBack.write

    def recording(self: silver_build._HeldBack, *args: object) -> None:
        if self.built:
            writes.append((len(self.built), self.bytes))
        write(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(silver_build._HeldBack, "write", recording)
    cfg = _bronze(tmp_path)
    flush = 250_000  # hours of this lake hold 100-135 kB of frames: two fit, three do not
    build_silver_hours(cfg, HOURS, OPTS, flush_bytes=flush)
    assert sum(n for n, _ in writes) == len(HOURS) and len(writes) > 1
    assert any(n > 1 for n, _ in writes)  # hours still share a write while they fit
    assert all(size <= flush for n, size in writes if n > 1), writes
    _assert_same(cfg, hour_by_hour)


def test_hours_extracted_and_masked_in_small_chunks_end_the_same(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An hour goes through extraction, masking and dates a chunk of events at a time; chunk
    borders change nothing (surrogates stay consistent within a session across chunks)."""
    monkeypatch.setattr(silver_prepare, "CHUNK_EVENTS", 7)
    cfg = _bronze(tmp_path)
    reports = build_silver_hours(cfg, HOURS, OPTS)
    assert all(len(r.preview) == 5 for r in reports)
    _assert_same(cfg, hour_by_hour)


def test_earlier_hours_relabelled_a_few_at_a_time_end_the_same(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clusters, "REWRITE_ROWS", 50)  # about one hour's turns per commit
    cfg = _bronze(tmp_path)
    reports = build_silver_hours(cfg, HOURS, OPTS, flush_bytes=1)
    assert len(reports[-1].clusters_refreshed) > 1  # several earlier hours, several commits
    _assert_same(cfg, hour_by_hour)


@pytest.mark.parametrize(
    ("order", "flush_bytes"),
    [
        pytest.param(HOURS[::-1], 1, id="reverse-write-each-hour"),
        pytest.param(HOURS[3:] + HOURS[:3], silver_build.FLUSH_BYTES, id="split-one-write"),
    ],
)
def test_many_cluster_members_are_labelled_hour_by_hour_from_the_store_the_same(
    tmp_path: Path,
    hour_by_hour: dict[str, pl.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    order: list[str],
    flush_bytes: int,
) -> None:
    """Past ``LABEL_ROWS`` touched members, a write reads only its own hours' labels and the
    refresh compares the other hours a group at a time (``refresh_touched``); below it, every
    member's labels are read once (as the hour-by-hour reference did)."""
    monkeypatch.setattr(silver_build, "LABEL_ROWS", 40)
    monkeypatch.setattr(clusters, "LABEL_ROWS", 40)
    cfg = _bronze(tmp_path)
    build_silver_hours(cfg, order, OPTS, flush_bytes=flush_bytes)
    _assert_same(cfg, hour_by_hour)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_that_dies_before_its_write_is_repaired_by_a_rerun(
    tmp_path: Path,
    hour_by_hour: dict[str, pl.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
) -> None:
    """With workers, the hours loaded and in preparation ahead are dropped with the batch (their
    claims are taken again by the rerun) and the worker processes stop."""
    cfg = _bronze(tmp_path)
    opts = SilverOptions(demo=True, workers=workers)
    build_silver_hours(cfg, HOURS[:2], opts)
    real = silver_build._finish_hour
    calls: list[str] = []

    def dies_on_the_third(cfg: LakeConfig, hour: str, *args: object, **kwargs: object) -> object:
        calls.append(hour)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(cfg, hour, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(silver_build, "_finish_hour", dies_on_the_third)
    with pytest.raises(RuntimeError, match="killed"):
        build_silver_hours(cfg, HOURS[2:], opts)
    assert not multiprocessing.active_children()
    turns = delta.read_table(cfg.table("silver", "turns"))
    assert turns is not None
    assert set(turns["hour"].unique()) == set(HOURS[:2])  # nothing of the dead batch written
    monkeypatch.setattr(silver_build, "_finish_hour", real)
    build_silver_hours(cfg, HOURS[2:], opts)
    _assert_same(cfg, hour_by_hour)


@pytest.mark.parametrize(
    ("order", "flush_bytes"),
    [
        pytest.param(HOURS, silver_build.FLUSH_BYTES, id="forward-one-write"),
        pytest.param([*HOURS[::-1], HOURS[2]], 1, id="reverse-write-each-hour-one-twice"),
    ],
)
def test_hours_prepared_in_worker_processes_end_the_same(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], order: list[str], flush_bytes: int
) -> None:
    """Two worker processes extract, mask and date hours while this one claims, clusters and
    writes them in order: every table and the near-duplicate state equal one process's."""
    cfg = _bronze(tmp_path)
    reports = build_silver_hours(
        cfg, order, SilverOptions(demo=True, workers=2), flush_bytes=flush_bytes
    )
    assert [r.hour for r in reports] == order
    assert all(len(r.preview) == 5 and r.pii_entities for r in reports)
    assert not multiprocessing.active_children()
    _assert_same(cfg, hour_by_hour)


def test_the_same_hour_twice_in_one_call_is_built_twice_and_ends_the_same(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame]
) -> None:
    cfg = _bronze(tmp_path)
    reports = build_silver_hours(cfg, [*HOURS, HOURS[0]], OPTS)
    assert len(reports) == len(HOURS) + 1
    _assert_same(cfg, hour_by_hour)


def _bronze_tables(cfg: LakeConfig) -> dict[str, pl.DataFrame]:
    out = {}
    for name in ("events", "quarantine"):
        frame = delta.read_table(cfg.table("bronze", name))
        assert frame is not None
        out[name] = frame.sort(sorted(c for c in frame.columns if c != "raw"))
    return out


def test_batched_bronze_equals_hour_by_hour_and_a_rerun_keeps_ingest_times(
    tmp_path: Path,
) -> None:
    one = generate_landing(tmp_path / "one", seed=11, per_hour=80)
    for hour in HOURS:
        build_bronze_hour(one, hour)
    many = generate_landing(tmp_path / "many", seed=11, per_hour=80)
    reports = build_bronze_hours(many, HOURS[::-1], flush_bytes=100_000)
    assert [r.hour for r in reports] == HOURS[::-1]
    assert sum(r.quarantined for r in reports) > 0  # the generator's broken lines
    expected, got = _bronze_tables(one), _bronze_tables(many)
    for name in expected:
        assert got[name].drop("ingested_at").equals(expected[name].drop("ingested_at")), name
    build_bronze_hours(many, [*HOURS, HOURS[0]])  # a rerun, one hour twice
    again = _bronze_tables(many)
    for name in got:
        assert again[name].equals(got[name]), name  # first ingest times kept


@pytest.mark.parametrize(
    "order", [HOURS, [*HOURS[::-1], HOURS[1]]], ids=["forward", "reverse-one-twice"]
)
def test_bronze_validated_in_worker_processes_equals_one_process(
    tmp_path: Path, order: list[str]
) -> None:
    """Two processes judge the hours' lines while this one reads them and writes in order:
    both tables equal the one-process build, row for row (ingest times aside), reports too."""
    one = generate_landing(tmp_path / "one", seed=11, per_hour=80)
    want = build_bronze_hours(one, order, flush_bytes=100_000)
    two = generate_landing(tmp_path / "two", seed=11, per_hour=80)
    got = build_bronze_hours(two, order, flush_bytes=100_000, workers=2)
    assert not multiprocessing.active_children()
    strip = ("events_version", "quarantine_version")
    assert [{k: v for k, v in vars(r).items() if k not in strip} for r in got] == [
        {k: v for k, v in vars(r).items() if k not in strip} for r in want
    ]
    expected, actual = _bronze_tables(one), _bronze_tables(two)
    for name in expected:
        assert actual[name].drop("ingested_at").equals(expected[name].drop("ingested_at")), name


def test_bronze_starts_workers_by_itself_only_for_enough_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``workers=0``: the landing lines the hours own decide; a single hour stays here."""
    started: list[int] = []

    class Recorded(processes.WorkerPool):
        def __init__(self, workers: int, warm: object = None) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(bronze_build, "WorkerPool", Recorded)
    monkeypatch.setattr(processes, "usable_cpus", lambda: 2)
    cfg = generate_landing(tmp_path, seed=11, per_hour=40)
    lines = owned_line_count(cfg.telemetry, HOURS)
    assert lines >= 40 * len(HOURS)
    monkeypatch.setattr(bronze_build, "PARALLEL_MIN_LINES", lines + 1)
    build_bronze_hours(cfg, HOURS, workers=0)
    assert started == []
    monkeypatch.setattr(bronze_build, "PARALLEL_MIN_LINES", lines)
    build_bronze_hours(cfg, HOURS[:1], workers=0)  # one hour: nothing to run beside it
    assert started == []
    build_bronze_hours(cfg, HOURS, workers=0)
    assert started == [2]
    unasked = bronze_build._ingested(cfg, HOURS, 1, None, 2)
    unasked.close()  # a caller that never asks for a result starts nothing
    assert started == [2] and not multiprocessing.active_children()


def test_a_batch_holding_enough_events_starts_workers_by_itself(
    tmp_path: Path, hour_by_hour: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``workers=0``: the bronze rows of the batch's hours (file statistics) decide; a single
    hour, or a batch under the threshold, stays in this process."""
    started: list[int] = []

    class Recorded(silver_workers.HourPool):
        def __init__(self, workers: int) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(silver_build, "HourPool", Recorded)
    monkeypatch.setattr(processes, "usable_cpus", lambda: 2)
    cfg = _bronze(tmp_path)
    rows = delta.partition_rows(cfg.table("bronze", "events"), "hour", HOURS)
    monkeypatch.setattr(silver_workers, "PARALLEL_MIN_EVENTS", rows + 1)
    build_silver_hours(cfg, HOURS[:1], OPTS)
    build_silver_hours(cfg, HOURS[1:], OPTS)  # fewer rows than the threshold
    assert started == []
    monkeypatch.setattr(silver_workers, "PARALLEL_MIN_EVENTS", rows)
    build_silver_hours(cfg, HOURS[:1], OPTS)  # one hour: nothing to run beside it
    assert started == []
    build_silver_hours(cfg, HOURS, OPTS)
    assert started == [2]
    _assert_same(cfg, hour_by_hour)


def test_workers_never_run_an_unguarded_calling_script_again(tmp_path: Path) -> None:
    """A script that builds silver with workers but lacks the ``__main__`` guard runs once:
    spawned workers do not import the caller's main module (it would rebuild the lake)."""
    cfg = generate_landing(tmp_path, seed=11, per_hour=10)
    build_bronze_hours(cfg, HOURS[:2])
    starts = tmp_path / "starts.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pipelines.config import LakeConfig\n"
        "from pipelines.silver.build import SilverOptions, build_silver_hours\n"
        f"with open({str(starts)!r}, 'a') as f:\n"
        "    f.write('started\\n')\n"
        f"reports = build_silver_hours(LakeConfig(data_dir={str(tmp_path)!r}), {HOURS[:2]!r},\n"
        "                             SilverOptions(demo=True, workers=2))\n"
        "print(sum(r.rows['turns'] for r in reports))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False,
        cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONPATH": "."},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert starts.read_text() == "started\n"
    assert int(done.stdout.strip()) > 0
