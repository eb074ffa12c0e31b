"""`kvarn generate`: files, determinism, validity, breakage, re-deliveries and late events."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipelines.generate import BROKEN_KINDS, GenerateStats, generate
from pipelines.generate.writer import hourly_quotas
from pipelines.hashing import event_hash

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas/telemetry/v1/event.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
START = datetime(2025, 3, 29, tzinfo=UTC)  # the day before the switch to summer time
KIND_BY_VALIDATOR = {"required": "missing_field", "type": "wrong_type", "oneOf": "wrong_type",
                     "enum": "bad_enum", "const": "bad_enum"}  # fmt: skip


def classify(raw: bytes, cut: bool) -> tuple[str, dict[str, Any] | None]:
    """What ingest should make of one line: "ok" with its event, or the breakage kind."""
    if not raw.strip():
        return "empty_line", None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8", None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return ("truncated" if cut else "invalid_json"), None
    if not isinstance(obj, dict):
        return "not_object", None
    if obj.get("v") == 2:
        return "unknown_version", None
    errors = list(VALIDATOR.iter_errors(obj))
    if errors:
        kinds = {KIND_BY_VALIDATOR.get(e.validator, f"other:{e.validator}") for e in errors}
        assert len(kinds) == 1, (kinds, [e.message for e in errors])
        return kinds.pop(), None
    return "ok", obj


def read_lines(out: Path) -> list[tuple[Path, int, bytes, bool]]:
    """(file, line number, raw bytes, is-an-unterminated-last-line) for every line written."""
    rows = []
    for path in sorted((out / "telemetry").rglob("*.jsonl")):
        data = path.read_bytes()
        parts = data.split(b"\n")
        terminated = data.endswith(b"\n")
        if terminated:
            parts.pop()
        for i, raw in enumerate(parts):
            rows.append((path, i + 1, raw, not terminated and i == len(parts) - 1))
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateStats]:
    out = tmp_path_factory.mktemp("gen")
    seen: list[tuple[int, int]] = []
    stats = generate(out, days=2, events_per_hour=45, seed=11, start=START,
                     progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen[-1] == (stats.events, stats.events)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    return out, stats


@pytest.fixture(scope="module")
def classified(run: tuple[Path, GenerateStats]) -> list[tuple[Path, str, dict[str, Any] | None]]:
    out, _ = run
    return [(path, *classify(raw, cut)) for path, _, raw, cut in read_lines(out)]


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    def snapshot(out: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
        }

    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, days=1, events_per_hour=30, seed=5, start=START)
    generate(b, days=1, events_per_hour=30, seed=5, start=START)
    generate(c, days=1, events_per_hour=30, seed=6, start=START)
    assert snapshot(a) == snapshot(b)
    assert snapshot(a)["telemetry/2025-03-29/edge1-2.jsonl"] != snapshot(c).get(
        "telemetry/2025-03-29/edge1-2.jsonl"
    )


def test_stats_match_the_files(run: tuple[Path, GenerateStats], classified: list) -> None:
    out, stats = run
    assert stats.events == 45 * 24 * 2
    assert stats.lines == len(classified) >= 2000
    assert stats.files == len(list((out / "telemetry").rglob("*.jsonl")))
    kinds = Counter(kind for _, kind, _ in classified)
    assert kinds["ok"] == stats.events + stats.redeliveries
    assert sum(n for k, n in kinds.items() if k != "ok") == stats.broken_lines
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stats"]["lines"] == stats.lines
    assert {k: v for k, v in manifest["broken_by_kind"].items() if v} == {
        k: v for k, v in kinds.items() if k != "ok"
    }


def test_every_breakage_kind_present_and_share_near_target(
    run: tuple[Path, GenerateStats], classified: list
) -> None:
    _, stats = run
    kinds = Counter(kind for _, kind, _ in classified)
    assert set(kinds) == {"ok", *BROKEN_KINDS}
    assert 0.005 < stats.broken_lines / stats.lines < 0.02


def test_valid_lines_validate_and_carry_their_event_hash(classified: list) -> None:
    events = [ev for _, kind, ev in classified if kind == "ok"]
    for ev in events[::7]:
        assert not list(VALIDATOR.iter_errors(ev))
    for ev in events:
        assert ev["hash"] == event_hash(ev)
        assert ev["v"] == 1 and ev["delivery"]["attempt"] >= 1


def test_several_files_per_day_named_by_producer_and_rotation(
    run: tuple[Path, GenerateStats],
) -> None:
    out, _ = run
    days = sorted(p.name for p in (out / "telemetry").iterdir())
    assert days == ["2025-03-29", "2025-03-30"]
    for day in days:
        names = {p.name for p in (out / "telemetry" / day).glob("*.jsonl")}
        assert len(names) > 1
        assert {"edge1-0.jsonl", "edge2-3.jsonl", "legacy3-1.jsonl"} <= names
    assert (out / "docs").is_dir() and len(list((out / "docs").glob("*.md"))) >= 30


def _ts_ms(ts: str | int) -> int:
    if isinstance(ts, int):
        return ts
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def test_events_sit_in_the_file_of_their_hour_except_late_ones(classified: list) -> None:
    on_time = late = 0
    for path, kind, ev in classified:
        if kind != "ok" or ev["delivery"]["attempt"] > 1:
            continue
        ts = datetime.fromtimestamp(_ts_ms(ev["ts"]) / 1000, tz=UTC)
        window = (ts.strftime("%Y-%m-%d"), ts.hour // 6)
        file_window = (path.parent.name, int(path.stem.rsplit("-", 1)[1]))
        assert window <= file_window, (window, file_window)
        if window == file_window:
            on_time += 1
        else:
            late += 1
    assert late >= 1
    assert late / (late + on_time) < 0.01


def test_redeliveries_repeat_the_event_with_the_same_hash(
    run: tuple[Path, GenerateStats], classified: list
) -> None:
    _, stats = run
    by_hash: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, kind, ev in classified:
        if kind == "ok":
            by_hash[ev["hash"]].append(ev)
    repeated = {h: evs for h, evs in by_hash.items() if len(evs) > 1}
    assert sum(len(evs) - 1 for evs in repeated.values()) == stats.redeliveries > 0
    for evs in repeated.values():
        cores = {json.dumps({k: v for k, v in e.items() if k != "delivery"}, sort_keys=True)
                 for e in evs}  # fmt: skip
        assert len(cores) == 1
        assert sorted(e["delivery"]["attempt"] for e in evs)[-1] > 1


def test_timestamps_come_in_the_producers_formats(classified: list) -> None:
    formats: Counter[str] = Counter()
    for _, kind, ev in classified:
        if kind == "ok":
            ts = ev["ts"]
            formats["epoch_ms" if isinstance(ts, int) else ts[23:] or "naive"] += 1
    assert set(formats) == {"Z", "+01:00", "+02:00", "epoch_ms"}
    assert formats["Z"] / sum(formats.values()) > 0.9


def test_no_breakage_when_share_is_zero(tmp_path: Path) -> None:
    stats = generate(tmp_path, days=1, events_per_hour=20, seed=1, start=START, broken_share=0)
    assert stats.broken_lines == 0
    kinds = {classify(raw, cut)[0] for _, _, raw, cut in read_lines(tmp_path)}
    assert kinds == {"ok"}


def test_hourly_quotas_follow_the_day_and_sum_exactly() -> None:
    quotas = hourly_quotas(1000, 0, 24)
    assert sum(quotas) == 1000
    assert quotas[17] > 2 * quotas[2]  # evening rush vs night
    assert sum(hourly_quotas(7, 5, 48)) == 7


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_each_broken_line_is_exactly_its_kind(kind: str) -> None:
    import random

    from pipelines.generate.breakage import broken_line
    from pipelines.generate.events import HourClock, TelemetryFactory

    rng = random.Random(3)
    factory = TelemetryFactory(rng, n_users=50)
    clock = HourClock.of(int(START.timestamp()) * 1000)
    for i in range(40):
        turn = factory.one_turn(clock, clock.start_ms + i * 1000, "edge1")
        assert classify(broken_line(kind, turn, rng), cut=kind == "truncated")[0] == kind
