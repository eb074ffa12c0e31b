"""The naive peer and the kvarn-vs-peer benchmark run end to end on a tiny landing zone.

Benchmarks are not timed here (speed targets live in ``docs/benchmarks.md``); these tests keep
the scripts from rotting: the peer must read the producers' format, drop exact duplicates and
really mask (the planted canaries' phone numbers, e-mail addresses and personnummer are gone
from its Parquet), and the A/B must run both sides as processes and print its ratio line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from benchmarks.engine_hours import make_landing
from pipelines.generate import generate

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVARN_", "DAGSTER_HOME"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _distinct_event_hashes(telemetry: Path) -> set[str]:
    hashes = set()
    for path in telemetry.rglob("*.jsonl"):
        for line in path.read_bytes().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                hashes.add(str(event.get("hash") or event.get("event_hash")))
    return hashes


@pytest.mark.slow
def test_peer_masks_dedupes_and_writes_parquet(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    landing = tmp_path / "landing"
    generate(landing, days=1, events_per_hour=6, seed=3, canaries=True,
             start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    out = tmp_path / "peer.parquet"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "naive_peer.py"),
         "--landing", str(landing), "--out", str(out)],
        capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(r"peer: [\d,]+ events read, [\d,]+ written", done.stdout)
    rows = pl.read_parquet(out)
    assert rows.height == len(_distinct_event_hashes(landing / "telemetry"))
    assert rows["hash"].n_unique() == rows.height
    written = "\n".join(rows["payload"].to_list())
    canaries = json.loads((landing / "canaries.json").read_text())
    planted = [
        value
        for persona in canaries["personas"]
        for key in ("phone", "email", "personnummer")
        if (value := persona.get(key))
    ]
    raw = "\n".join(
        p.read_bytes().decode(errors="replace") for p in (landing / "telemetry").rglob("*.jsonl")
    )
    assert planted and all(value in raw for value in planted), "the canaries were planted"
    leaked = [value for value in planted if value in written]
    assert not leaked, f"{len(leaked)} planted values left unmasked"
    assert re.search(r"<(PHONE|EMAIL|PERSONNUMMER)>", written), "placeholders of kvarn's types"


@pytest.mark.slow
def test_bench_vs_peer_prints_the_ratio_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_vs_peer.py"),
         "--events", "100", "--days", "1", "--runs", "1", "--no-kvarn-run", "--workers", "2"],
        capture_output=True, text=True, env={**_env(), "TMPDIR": str(tmp_path)}, cwd=ROOT,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    ratio_line = (
        r"ratio peer/engine 100 events: [\d.]+x \(target >= 3x\) (PASS|MISS); by CPU time [\d.]+x"
    )
    assert re.search(ratio_line, done.stdout), done.stdout
    workers_line = r"ratio peer/engine, 2 workers 100 events: [\d.]+x \(no target\)"
    assert re.search(workers_line, done.stdout), done.stdout
    assert "peer/kvarn run" not in done.stdout
    assert not list(tmp_path.iterdir()), "the scratch directory is removed"


def test_bench_vs_peer_refuses_bad_sizes_before_writing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_vs_peer.py"), "--events", "ten"],
        capture_output=True, text=True, env={**_env(), "TMPDIR": str(tmp_path)}, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "hint: 50000,200000" in done.stderr
    assert not list(tmp_path.iterdir())


def test_make_landing_writes_the_producers_format(tmp_path: Path) -> None:
    lines = make_landing(tmp_path / "landing", 48, days=1)
    assert lines >= 48
    assert list((tmp_path / "landing" / "telemetry").rglob("*.jsonl"))


@pytest.mark.slow
def test_profile_silver_prints_steps_texts_and_days(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "profile_silver.py"),
         "--events", "48", "--days", "1"],
        capture_output=True, text=True, env={**_env(), "TMPDIR": str(tmp_path)}, cwd=ROOT,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    for step in ("PII analysis", "Delta I/O", "dates", "near-dup: probe_matches"):
        assert step in done.stdout, done.stdout
    assert re.search(r"PII texts: [\d,]+ in [\d,]+ calls; distinct per call", done.stdout)
    assert "2025-09-01" in done.stdout
    assert not list(tmp_path.iterdir()), "the scratch directory is removed"
