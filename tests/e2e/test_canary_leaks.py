"""Planted canaries never leave the raw zone: a full run, exports and the Dagster instance.

The generator plants known personal values (names in upper and lower case, a street address,
a phone number, an e-mail address, a personnummer, the user id) in free text and in every
structured field the producers write. After `kvarn run` through a real Dagster instance and
`kvarn export all`, a byte-level scan of the data directory and the instance's storage and
logs (Parquet decoded, Delta logs, SQLite with its compressed blobs) finds none of them, and
`kvarn audit` agrees — and fails as soon as one leaks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.quality.canary_scan import load_canaries, scan_data_dir
from tests.e2e.canary_lake import kvarn_cli as _kvarn


@pytest.fixture(scope="module")
def full_run(canary_lake: tuple[Path, Path, Path]) -> tuple[Path, Path, Path]:
    return canary_lake


def test_canaries_are_planted_in_every_field_of_the_raw_zone(
    full_run: tuple[Path, Path, Path],
) -> None:
    data, _, _ = full_run
    planted = load_canaries(data / "landing" / "canaries.json")
    raw = scan_data_dir(data, planted, include_raw=True)
    # Every planted value is in the landing files and in bronze: the scan can find them.
    for zone in ("landing", "lake/bronze"):
        found = {h.label for h in raw.hits if f"/{zone}/" in h.path}
        assert found == {c.label for c in planted}, zone
    lines = [
        json.loads(line)
        for path in sorted((data / "landing" / "telemetry").rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(c.value in line for c in planted) and line.startswith("{") and line.endswith("}")
    ]
    events = {e["event"] for e in lines}
    assert {"orchestrator.turn", "feedback", "test.failure", "test.orchestrator.chat"} <= events


def test_no_canary_outside_the_raw_zone(full_run: tuple[Path, Path, Path]) -> None:
    data, _, instance = full_run
    assert (data / "exports" / "sft" / "latest").exists()
    assert any(instance.rglob("*.db")), "the run must have used the Dagster instance"
    planted = load_canaries(data / "landing" / "canaries.json")
    scan = scan_data_dir(data, planted, extra_roots=[instance])
    assert scan.files > 100
    assert scan.hits == []


def test_audit_passes_and_then_fails_on_a_planted_leak(full_run: tuple[Path, Path, Path]) -> None:
    data, home, _ = full_run
    audit = _kvarn("audit", data=data, home=home)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "PASS: 0 canary hit(s)" in audit.stdout.replace("\n", " ")
    # A raw value in a compute log: nothing a pattern would flag as blocking, but a canary.
    data, home, instance = full_run
    planted = load_canaries(data / "landing" / "canaries.json")
    leak = instance / "logs" / "leak.err"
    leak.parent.mkdir(parents=True, exist_ok=True)
    leak.write_text(f"resolved contact {planted[0].value.lower()} for session\n")
    try:
        leaked = _kvarn("audit", data=data, home=home)
        assert leaked.returncode == 1
        assert f"canary {planted[0].label} in {leak}" in leaked.stdout.replace("\n", "")
    finally:
        leak.unlink()
