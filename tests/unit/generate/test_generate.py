"""`kvarn generate`: files, determinism, the producer's line format, the legacy share,
breakage, re-deliveries and late events."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipelines.bronze.hashing import event_hash
from pipelines.generate import BROKEN_KINDS, GenerateStats, generate
from pipelines.generate.writer import hourly_quotas

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "schemas/telemetry/v1/event.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
START = datetime(2025, 3, 29, tzinfo=UTC)  # the day before the switch to summer time
KIND_BY_VALIDATOR = {"required": "missing_field", "type": "wrong_type", "oneOf": "wrong_type",
                     "enum": "bad_enum", "const": "bad_enum", "pattern": "bad_enum"}  # fmt: skip
# `datetime.utcnow().isoformat() + "Z"`: six fraction digits, none when the microsecond is 0.
UTCNOW_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
# The producer's mask_pii patterns (seed 000), with the Swedish letters it means.
PRODUCER_PII = [
    re.compile(r"\b[\w.-]+@[\w.-]+\.\w+\b"),
    re.compile(r"\b(?:\+46|0)[1-9]\d{8,9}\b"),
    re.compile(r"\b\d{6,8}-\d{4}\b"),
    re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b"),
]
TURN_ORDER = ["v", "event", "ts", "user_id", "session_id", "turn_id", "lang", "feedback",
              "input", "nlu", "guardian", "route", "rag", "tool_calls", "llm", "output",
              "metrics", "test_metadata", "consent_scopes", "pii_masked", "hash"]  # fmt: skip
TEST_EVENTS = {"test.baseline", "test.failure", "test.orchestrator.chat"}

Row = tuple[Path, str, dict[str, Any] | None, bytes]


def is_legacy(ev: dict[str, Any]) -> bool:
    return not isinstance(ev.get("v"), str)


def producer_hash(ev: dict[str, Any]) -> str:
    """The hash the assistant's log_event computes, recomputed from a parsed line."""
    core = {k: v for k, v in ev.items() if k != "hash"}
    text = json.dumps(core, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    if obj.get("v") in (2, "2"):
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


def classify_all(out: Path) -> list[Row]:
    return [(path, *classify(raw, cut), raw) for path, _, raw, cut in read_lines(out)]


def oks(rows: list[Row]) -> list[dict[str, Any]]:
    return [ev for _, kind, ev, _ in rows if kind == "ok" and ev is not None]


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
def classified(run: tuple[Path, GenerateStats]) -> list[Row]:
    return classify_all(run[0])


@pytest.fixture(scope="module")
def legacy_only(tmp_path_factory: pytest.TempPathFactory) -> list[Row]:
    out = tmp_path_factory.mktemp("legacy")
    generate(out, days=2, events_per_hour=30, seed=4, start=START, legacy_share=1.0)
    return classify_all(out)


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


def test_stats_match_the_files(run: tuple[Path, GenerateStats], classified: list[Row]) -> None:
    out, stats = run
    assert stats.events == 45 * 24 * 2
    assert stats.lines == len(classified) >= 2000
    assert stats.files == len(list((out / "telemetry").rglob("*.jsonl")))
    kinds = Counter(kind for _, kind, _, _ in classified)
    assert kinds["ok"] == stats.events + stats.redeliveries
    assert sum(n for k, n in kinds.items() if k != "ok") == stats.broken_lines
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stats"]["lines"] == stats.lines
    assert manifest["legacy_share"] == 0.05
    assert {k: v for k, v in manifest["broken_by_kind"].items() if v} == {
        k: v for k, v in kinds.items() if k != "ok"
    }


def test_every_breakage_kind_present_and_share_near_target(
    run: tuple[Path, GenerateStats], classified: list[Row]
) -> None:
    _, stats = run
    kinds = Counter(kind for _, kind, _, _ in classified)
    assert set(kinds) == {"ok", *BROKEN_KINDS}
    assert 0.005 < stats.broken_lines / stats.lines < 0.02


def test_lines_are_exactly_what_log_event_writes(classified: list[Row]) -> None:
    real = [(ev, raw) for _, kind, ev, raw in classified if kind == "ok" and not is_legacy(ev)]
    assert len(real) > 1800
    for ev, raw in real:
        assert raw == json.dumps(ev, ensure_ascii=False).encode("utf-8")  # insertion order
        assert ev["v"] == "1" and "env" not in ev and "delivery" not in ev
        assert UTCNOW_Z.match(ev["ts"]), ev["ts"]
        assert ev["hash"] == producer_hash(ev)
        assert list(ev)[-1] == "hash"
        if ev["event"] in ("orchestrator.turn", "feedback"):
            keys = list(ev)
            assert keys == [k for k in TURN_ORDER if k in keys], keys
        if "text" in ev.get("input", {}):
            text = ev["input"]["text"]
            assert not any(p.search(text) for p in PRODUCER_PII), text
            assert ev["pii_masked"] == ("<" in text)
        else:
            assert "pii_masked" not in ev
    for ev in oks(classified)[::7]:
        assert not list(VALIDATOR.iter_errors(ev))


def test_timestamps_are_utcnow_isoformat_with_microseconds(classified: list[Row]) -> None:
    stamps = [ev["ts"] for ev in oks(classified) if not is_legacy(ev)]
    assert all(UTCNOW_Z.match(ts) for ts in stamps)
    fractions = [ts[20:26] for ts in stamps]
    assert sum(len(f) == 6 for f in fractions) / len(fractions) > 0.99
    assert len({f[3:] for f in fractions}) > 500  # the microseconds below the millisecond vary


def test_legacy_share_is_roughly_respected_in_the_old_dialect(
    run: tuple[Path, GenerateStats], classified: list[Row]
) -> None:
    _, stats = run
    first_copies = {ev["hash"]: ev for ev in oks(classified)}
    legacy = [ev for ev in first_copies.values() if is_legacy(ev)]
    assert len(first_copies) == stats.events
    assert stats.legacy_events == len(legacy)
    assert 0.02 < len(legacy) / stats.events < 0.09
    for ev in legacy:
        assert ev["v"] == 1 and ev["env"] in ("prod", "test")
        assert ev["hash"] == event_hash(ev) and ev["delivery"]["attempt"] >= 1
        assert ev["delivery"]["producer"] in ("legacy3", "ci")
        if ev["event"] == "orchestrator.turn":
            assert isinstance(ev["guardian"]["brownout"], bool)
            assert isinstance(ev["output"].get("tts", {}).get("cache", False), bool)
        if ev["event"] == "test.failure":
            assert ev["failure"]["stack_trace"].startswith("Traceback")
    producers = {path.stem.rsplit("-", 1)[0] for path, kind, ev, _ in classified
                 if kind == "ok" and ev is not None and is_legacy(ev)}  # fmt: skip
    assert producers <= {"legacy3", "ci"} and "legacy3" in producers


def test_legacy_share_zero_and_one(tmp_path: Path, legacy_only: list[Row]) -> None:
    generate(tmp_path, days=1, events_per_hour=30, seed=3, start=START, legacy_share=0)
    rows = classify_all(tmp_path)
    assert not any(is_legacy(ev) for ev in oks(rows))
    assert not list((tmp_path / "telemetry").rglob("legacy3-*.jsonl"))
    assert all(is_legacy(ev) for ev in oks(legacy_only))
    with pytest.raises(ValueError):
        generate(tmp_path / "x", days=1, events_per_hour=5, start=START, legacy_share=1.5)


def test_test_events_are_written_as_the_test_helpers_do(classified: list[Row]) -> None:
    events = [ev for ev in oks(classified) if not is_legacy(ev)]
    by_day: dict[str, Counter[str]] = defaultdict(Counter)
    for ev in events:
        by_day[ev["ts"][:10]][ev["event"]] += 1
    for day, kinds in by_day.items():
        assert all(kinds[k] > 0 for k in TEST_EVENTS), (day, kinds)
    for ev in events:
        if ev["event"] == "test.baseline":
            assert list(ev) == ["v", "event", "ts", "test_name", "component", "metrics",
                                "environment", "slo_compliance", "hash"]  # fmt: skip
            m, slo = ev["metrics"], ev["slo_compliance"]
            assert slo == {"api_response_p95": m["p95_ms"] < 100,
                           "guardian_response": m["guardian_ms"] < 150,
                           "success_rate": m["success_rate"] >= 0.95}  # fmt: skip
            assert set(ev["environment"]) == {"guardian_state", "system_load", "concurrent_users"}
        elif ev["event"] == "test.failure":
            assert list(ev) == ["v", "event", "ts", "test_name", "failure_type", "root_cause",
                                "system_state", "stack_trace", "reproduction_steps",
                                "impact_assessment", "hash"]  # fmt: skip
            assert set(ev["system_state"]) == {"guardian_state", "memory_usage",
                                               "active_connections"}  # fmt: skip
            assert ev["reproduction_steps"] and all(
                isinstance(s, str) for s in ev["reproduction_steps"]
            )
            assert ev["impact_assessment"]["severity"] in ("LOW", "MEDIUM", "HIGH", "CRITICAL")
            assert ev["stack_trace"].startswith("Traceback (most recent call last):")
        elif ev["event"] == "test.orchestrator.chat":
            # No v/ts of its own: log_event appends them; no input.text, so no pii_masked.
            assert list(ev) == ["event", "test_name", "input", "response", "metrics",
                                "test_metadata", "consent_scopes", "v", "ts", "hash"]  # fmt: skip
            assert set(ev["input"]) == {"v", "session_id", "message"}
            assert ev["metrics"]["success"] == (ev["response"]["status_code"] == 200)
            assert (ev["response"]["content"] is None) != ev["metrics"]["success"]
        if ev["event"] in TEST_EVENTS:
            assert "session_id" not in ev and "user_id" not in ev
    severities = Counter(
        ev["impact_assessment"]["severity"] for ev in events if ev["event"] == "test.failure"
    )
    assert severities.most_common(1)[0][0] == "MEDIUM"


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


def _file_window(path: Path) -> tuple[str, int]:
    return path.parent.name, int(path.stem.rsplit("-", 1)[1])


def test_events_sit_in_the_file_of_their_hour_except_late_ones(classified: list[Row]) -> None:
    first: dict[str, tuple[tuple[str, int], dict[str, Any]]] = {}
    for path, kind, ev, _ in classified:  # a re-delivery arrives after the first copy
        if kind == "ok" and ev is not None:
            window = _file_window(path)
            if ev["hash"] not in first or window < first[ev["hash"]][0]:
                first[ev["hash"]] = (window, ev)
    on_time = late = 0
    for file_window, ev in first.values():
        ts = datetime.fromtimestamp(_ts_ms(ev["ts"]) / 1000, tz=UTC)
        window = (ts.strftime("%Y-%m-%d"), ts.hour // 6)
        assert window <= file_window, (window, file_window)
        if window == file_window:
            on_time += 1
        else:
            late += 1
    assert late >= 1
    assert late / (late + on_time) < 0.01


def test_redeliveries_repeat_the_line(
    run: tuple[Path, GenerateStats], classified: list[Row]
) -> None:
    _, stats = run
    by_hash: dict[str, list[tuple[dict[str, Any], bytes]]] = defaultdict(list)
    for _, kind, ev, raw in classified:
        if kind == "ok" and ev is not None:
            by_hash[ev["hash"]].append((ev, raw))
    repeated = {h: copies for h, copies in by_hash.items() if len(copies) > 1}
    assert sum(len(copies) - 1 for copies in repeated.values()) == stats.redeliveries > 0
    assert any(not is_legacy(copies[0][0]) for copies in repeated.values())
    for copies in repeated.values():
        if is_legacy(copies[0][0]):
            cores = {json.dumps({k: v for k, v in e.items() if k != "delivery"}, sort_keys=True)
                     for e, _ in copies}  # fmt: skip
            assert len(cores) == 1
            assert sorted(e["delivery"]["attempt"] for e, _ in copies)[-1] > 1
        else:
            assert len({raw for _, raw in copies}) == 1  # the same bytes again


def test_legacy_timestamps_come_in_the_old_producers_formats(legacy_only: list[Row]) -> None:
    formats: Counter[str] = Counter()
    for ev in oks(legacy_only):
        ts = ev["ts"]
        formats["epoch_ms" if isinstance(ts, int) else ts[23:] or "naive"] += 1
    assert set(formats) == {"Z", "+01:00", "+02:00", "epoch_ms"}
    assert 0.75 < formats["Z"] / sum(formats.values()) < 0.93  # legacy3: 8 % epoch, 8 % local


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


@pytest.mark.parametrize("producer", ["edge1", "legacy3"])
@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_each_broken_line_is_exactly_its_kind(kind: str, producer: str) -> None:
    import random

    from pipelines.generate.breakage import broken_line
    from pipelines.generate.events import HourClock, TelemetryFactory

    rng = random.Random(3)
    factory = TelemetryFactory(rng, n_users=50)
    clock = HourClock.of(int(START.timestamp()) * 1000)
    for i in range(40):
        turn = factory.one_turn(clock, clock.start_ms + i * 1000, producer)
        assert is_legacy(turn) == (producer == "legacy3")
        assert classify(broken_line(kind, turn, rng), cut=kind == "truncated")[0] == kind


def test_canaries_are_planted_per_persona_in_the_producers_format(tmp_path: Path) -> None:
    from pipelines.generate.canaries import CI_PERSONA, PERSONAS
    from pipelines.generate.producer import producer_hash
    from pipelines.quality.canary_scan import load_canaries

    stats = generate(tmp_path, days=1, events_per_hour=5, seed=3, canaries=True,
                     start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    assert stats.canary_events == 5 * len(PERSONAS) + 2
    assert len(load_canaries(tmp_path / "canaries.json")) == 7 * len(PERSONAS) + 6
    lines = [
        json.loads(line)
        for path in sorted((tmp_path / "telemetry").rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if "canary" in line or CI_PERSONA.last in line
    ]
    assert len(lines) == stats.canary_events
    for event in lines:
        body = {k: v for k, v in event.items() if k != "hash"}
        assert event["hash"] == producer_hash(body)  # exactly what log_event writes
        text = json.dumps(event, ensure_ascii=False).casefold()
        owners = [p for p in PERSONAS if any(v.casefold() in text for v in p.values()[:-1])]
        if "user_id" in event:
            assert [p.user_id for p in owners] == [event["user_id"]]
        else:
            assert owners == []  # CI events hold only the CI persona's values
