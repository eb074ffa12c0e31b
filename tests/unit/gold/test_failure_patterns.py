"""Failure patterns and test health from silver test results (pure functions, crafted rows)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from pipelines.gold.failure_patterns import (
    FlywheelSettings,
    app_frames,
    build_patterns,
    history_by_test,
    normalize_message,
)
from pipelines.silver.schemas import frame

T0 = datetime(2025, 9, 1, 10, tzinfo=UTC)


def _trace(test_file: str, test_fn: str, app: list[tuple[str, str]], last: str) -> str:
    lines = ["Traceback (most recent call last):",
             f'  File "/ci/repo/tests/{test_file}", line {random.randint(5, 90)}, in {test_fn}',
             "    reply = handle(text)"]  # fmt: skip
    for path, fn in app:
        lines += [f'  File "/ci/repo/{path}", line {random.randint(5, 400)}, in {fn}', "    ..."]
    return "\n".join([*lines, last])


_n = 0


def _row(test: str, session: int, *, failed: bool = False, failure_type: str | None = None,
         cause: str | None = None, trace: str | None = None,
         duration: float = 10.0) -> dict[str, Any]:  # fmt: skip
    global _n
    _n += 1
    ts = T0 + timedelta(hours=session, seconds=_n)
    return {
        "event_id": f"e{_n:05d}",
        "hour": ts.strftime("%Y-%m-%dT%H"),
        "ts": ts,
        "session_id": f"test_run{session}",
        "env": "test",
        "consent_scopes": [],
        "training_ok": False,
        "event": "test.failure" if failed else "test.baseline",
        "test_name": test,
        "failure_type": failure_type,
        "root_cause": cause,
        "stack_trace": trace,
        "metrics": json.dumps({"duration_ms": duration}),
    }


def _weekday_bug(test: str, session: int, got: str) -> dict[str, Any]:
    trace = _trace(f"test_{test}.py", f"test_{test}", [("alice/dates.py", "resolve_weekday"),
                   ("alice/dates.py", "next_weekday")], f"AssertionError: got {got}")  # fmt: skip
    return _row(test, session, failed=True, failure_type="AssertionError",
                cause=f"expected 2025-09-05, got {got}", trace=trace)  # fmt: skip


def _contact_bug(test: str, session: int, name: str) -> dict[str, Any]:
    trace = _trace("test_messaging.py", f"test_{test}", [("alice/contacts.py", "lookup")],
                   f"KeyError: '{name}'")  # fmt: skip
    return _row(test, session, failed=True, failure_type="KeyError", cause=f"'{name}'",
                trace=trace)  # fmt: skip


def _results(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return frame("test_results", rows)


def test_messages_lose_their_literal_values() -> None:
    a = normalize_message("expected 2025-09-05 at 10:00, got '<PERSON>' (3 tries) in /app/x/y.py")
    b = normalize_message("expected 2025-09-12 at 14:30, got 'Åsa' (12 tries) in /srv/z/y.py")
    assert a == b == "expected <DATE> at <TIME>, got <STR> (<NUM> tries) in y.py"
    assert normalize_message("object at 0x7f3a2b1c deadbeefcafe") == "object at <ADDR> <ID>"


def test_application_frames_skip_tests_pytest_and_stdlib() -> None:
    native = _trace("test_cal.py", "test_friday", [("alice/dates.py", "resolve_weekday")], "E")
    assert app_frames(native) == ["dates.py:resolve_weekday"]
    short = ("tests/test_cal.py:12: in test_friday\n    assert x\nalice/dates.py:40: in resolve\n"
             "    y\n/usr/lib/python3.11/asyncio/tasks.py:9: in wait_for\n")  # fmt: skip
    assert app_frames(short) == ["dates.py:resolve"]
    long = ("    def test_friday(assistant):\n>       expect_date(assistant, 'på fredag')\n\n"
            "examples/tests/test_cal.py:14: \n_ _ _ _ _ _ _ _\n\n"
            "    def expect_date(assistant, text):\n        got = assistant.handle(text)\n"
            ">       assert got == want\nE       AssertionError: weekday resolved to 2026-03-20\n\n"
            "examples/harness.py:22: AssertionError")  # fmt: skip
    assert app_frames(long) == ["harness.py:expect_date"]


def test_one_root_cause_reached_from_many_tests_is_one_pattern() -> None:
    rows = [
        _weekday_bug("friday", 0, "2025-09-12"),
        _weekday_bug("monday", 0, "2025-09-15"),
        _weekday_bug("meeting_friday", 0, "2025-09-19"),
        _contact_bug("sms_asa", 0, "<PERSON>"),
        _contact_bug("call_bjorn", 0, "<PERSON>"),
        _row("lights_on", 0),
    ]
    patterns, health = build_patterns(_results(rows))
    assert patterns.height == 2
    by_type = {r["failure_type"]: r for r in patterns.iter_rows(named=True)}
    assert by_type["AssertionError"]["tests"] == ["friday", "meeting_friday", "monday"]
    assert by_type["AssertionError"]["frames"] == "dates.py:resolve_weekday > dates.py:next_weekday"
    assert by_type["KeyError"]["test_count"] == 2 and by_type["KeyError"]["status"] == "new"
    assert health.filter(pl.col("test_name") == "lights_on")["last_outcome"].item() == "pass"


def test_failures_raised_in_tests_group_by_near_duplicate_message() -> None:
    def in_test(test: str, cause: str) -> dict[str, Any]:
        trace = _trace(f"test_{test}.py", f"test_{test}", [], f"AssertionError: {cause}")
        return _row(test, 0, failed=True, failure_type="AssertionError", cause=cause, trace=trace)

    rows = [
        in_test("a", "assert 'Tänder lampan i köket' == 'Tänder lampan i hallen'"),
        in_test("b", "assert 'Tänder lampan i sovrummet' == 'Tänder lampan i hallen'"),
        in_test("c", "timer set for 300 seconds, expected 600 seconds"),
    ]
    patterns, _ = build_patterns(_results(rows))
    assert sorted(patterns["test_count"].to_list()) == [1, 2]


def test_flaky_regressed_and_resolved_tests() -> None:
    race = [("alice/session.py", "cache_get")]

    def race_fail(test: str, session: int) -> dict[str, Any]:
        trace = _trace("test_s.py", f"test_{test}", race, "RuntimeError: session cache race")
        return _row(test, session, failed=True, failure_type="RuntimeError",
                    cause="session cache race: key s-17", trace=trace)  # fmt: skip

    rows = [race_fail("flaky", 0), _row("flaky", 1), race_fail("flaky", 2),
            _row("broke", 0), _row("broke", 1), _contact_bug("broke", 2, "<PERSON>"),
            _contact_bug("fixed", 0, "<PERSON>"), _row("fixed", 1), _row("fixed", 2),
            _row("slow", 0, duration=10), _row("slow", 1, duration=12),
            _row("slow", 2, duration=40)]  # fmt: skip
    patterns, health = build_patterns(_results(rows))
    h = {r["test_name"]: r for r in health.iter_rows(named=True)}
    assert h["flaky"]["flaky"] and h["flaky"]["outcomes"] == "FPF"
    assert not h["broke"]["flaky"] and h["broke"]["regression_kind"] == "outcome"
    assert h["slow"]["regression_kind"] == "duration" and h["slow"]["duration_ms_baseline"] == 11
    assert not h["fixed"]["regression_flag"] and not h["fixed"]["flaky"]
    status = {r["failure_type"]: r["status"] for r in patterns.iter_rows(named=True)}
    assert status == {"RuntimeError": "recurring", "KeyError": "recurring"}
    contact = patterns.filter(pl.col("failure_type") == "KeyError").row(0, named=True)
    assert contact["tests"] == ["broke", "fixed"] and contact["sessions"] == 2
    only_fixed = build_patterns(_results([r for r in rows if r["test_name"] == "fixed"]))[0]
    assert only_fixed["status"].to_list() == ["resolved"]
    flaky_row = patterns.filter(pl.col("failure_type") == "RuntimeError").row(0, named=True)
    assert flaky_row["flaky_tests"] == ["flaky"]
    history = history_by_test(patterns, health)
    assert set(history.filter(pl.col("test_name") == "slow")["regression_kind"]) == {"duration"}
    assert history.filter(pl.col("pattern_id").is_not_null())["event_id"].null_count() == 0


def test_patterns_do_not_depend_on_row_order() -> None:
    rows = [_weekday_bug(f"t{i}", i % 3, f"2025-09-{10 + i}") for i in range(6)]
    rows += [_contact_bug(f"c{i}", i % 2, "<PERSON>") for i in range(4)]
    rows += [_row(f"t{i}", 3) for i in range(6)]
    first, health = build_patterns(_results(rows))
    for seed in range(3):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        again, health_again = build_patterns(_results(shuffled))
        assert again.equals(first) and health_again.equals(health)


def test_settings_change_the_verdicts() -> None:
    rows = [_row("slow", 0, duration=10), _row("slow", 1, duration=14)]
    strict = FlywheelSettings(duration_margin=0.2, duration_min_ms=1.0)
    assert build_patterns(_results(rows), strict)[1]["regression_flag"].item() is True
    assert build_patterns(_results(rows))[1]["regression_flag"].item() is False


def test_health_takes_each_sessions_worst_outcome_and_longest_duration() -> None:
    """A session that failed once is a failed run; its duration is its longest result's, and a
    session without any duration stays out of the baseline."""
    rows = [_row("multi", 0, failed=True, failure_type="AssertionError", cause="x", duration=10),
            _row("multi", 0, duration=30),
            {**_row("multi", 1), "metrics": None},
            _row("multi", 2, duration=20),
            _row("other", 1, duration=5)]  # fmt: skip
    health = build_patterns(_results(rows))[1]
    assert health["test_name"].to_list() == ["multi", "other"]
    got = health.row(0, named=True)
    assert (got["runs"], got["passes"], got["failures"], got["outcomes"]) == (3, 2, 1, "FPP")
    assert got["transitions"] == 1 and got["last_outcome"] == "pass"
    assert got["duration_ms_last"] == 20 and got["duration_ms_baseline"] == 30
    assert not got["regression_flag"]
    assert (got["first_seen"], got["last_seen"]) == (rows[0]["ts"], rows[3]["ts"])
