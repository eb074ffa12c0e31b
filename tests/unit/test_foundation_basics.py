"""Hashing, timestamps, Delta partition writes and the candidate rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines.hashing import canonical_json, event_hash
from pipelines.io import delta
from pipelines.scoring import load_rules, score_candidates
from pipelines.timestamps import dagster_key_to_hour, hour_key, parse_event_ts
from tests.factories import turn


def test_hash_ignores_key_order_and_transport_fields() -> None:
    a = {"v": 1, "event": "feedback", "ts": "2025-09-01T10:00:00Z", "delivery": {"attempt": 1}}
    b = {"delivery": {"attempt": 3}, "ts": "2025-09-01T10:00:00Z", "event": "feedback", "v": 1}
    assert event_hash(a) == event_hash(b)
    assert "delivery" not in canonical_json(a)
    c = dict(a, ts="2025-09-01T10:00:01Z")
    assert event_hash(c) != event_hash(a)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-01T10:15:00Z", "2025-09-01T10:15:00+00:00"),
        ("2025-09-01T12:15:00+02:00", "2025-09-01T10:15:00+00:00"),
        (1756721700000, "2025-09-01T10:15:00+00:00"),
        (1756721700, "2025-09-01T10:15:00+00:00"),
        ("1756721700000", "2025-09-01T10:15:00+00:00"),
        ("2025-09-01T10:15:00", "2025-09-01T10:15:00+00:00"),  # naive = UTC (utcnow())
        ("2025-01-15T11:15:00.120345Z", "2025-01-15T11:15:00.120345+00:00"),
    ],
)
def test_event_ts_forms(value: object, expected: str) -> None:
    assert parse_event_ts(value).isoformat() == expected


@pytest.mark.parametrize("value", ["igår", True, None, "2025-13-01T00:00:00Z"])
def test_bad_ts_raises(value: object) -> None:
    with pytest.raises(ValueError):
        parse_event_ts(value)


def test_hour_keys() -> None:
    assert hour_key(datetime(2025, 9, 1, 10, 59, tzinfo=UTC)) == "2025-09-01T10"
    assert dagster_key_to_hour("2025-09-01-10:00") == "2025-09-01T10"


def test_partition_overwrite_touches_only_its_partition(tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    h1 = pl.DataFrame({"hour": ["h1", "h1"], "x": [1, 2]})
    h2 = pl.DataFrame({"hour": ["h2"], "x": [3]})
    delta.overwrite_partition(path, h1, "hour", "h1")
    delta.overwrite_partition(path, h2, "hour", "h2")
    delta.overwrite_partition(path, h1.head(1), "hour", "h1")
    got = delta.read_table(path)
    assert got is not None
    assert sorted(got["x"].to_list()) == [1, 3]
    delta.overwrite_partition(path, h1.clear(), "hour", "h1")
    assert delta.count_rows(path) == 1


def test_merge_keeps_unlisted_columns(tmp_path: Path) -> None:
    path = str(tmp_path / "m")
    first = pl.DataFrame({"id": ["a"], "score": [1.0], "status": ["pending"]})
    delta.merge_rows(path, first, ["id"])
    delta.merge_rows(path, pl.DataFrame({"id": ["a"], "score": [2.0], "status": ["x"]}), ["id"],
                     update_columns=["score"])  # fmt: skip
    got = delta.read_table(path)
    assert got is not None and got.row(0) == ("a", 2.0, "pending")


def _silver_like(events: list[dict[str, object]]) -> pl.DataFrame:
    rows = []
    for ev in events:
        calls = ev.get("tool_calls") or []
        rows.append(
            {
                "event_id": ev["hash"],
                "hour": "2025-09-01T10",
                "ts": datetime(2025, 9, 1, 10, tzinfo=UTC),
                "session_id": ev["session_id"],
                "turn_id": ev["turn_id"],
                "env": "prod",
                "intent": ev["nlu"]["intent"],  # type: ignore[index]
                "training_ok": "analytics:training" in ev["consent_scopes"],  # type: ignore[operator]
                "confidence": ev["nlu"]["confidence"],  # type: ignore[index]
                "tool_fail_count": sum(1 for c in calls if not c["ok"]),  # type: ignore[attr-defined, index]
                "e2e_full_ms": ev["metrics"]["e2e_full_ms"],  # type: ignore[index]
                "slo_target_ms": 2000.0,
                "guardian_state": ev["guardian"]["state"],  # type: ignore[index]
            }
        )
    return pl.DataFrame(rows)


def test_the_four_mission_rules() -> None:
    failed = [{"name": "calendar.create", "args": {}, "ok": False}]
    events = [
        turn(turn_id="fine"),
        turn(turn_id="unsure", confidence=0.59),
        turn(turn_id="borderline", confidence=0.6),
        turn(turn_id="tool", tool_calls=failed),
        turn(turn_id="slow", e2e_full_ms=2000.1),
        turn(turn_id="guard", guardian="DEGRADED"),
        turn(
            turn_id="all", confidence=0.2, tool_calls=failed, e2e_full_ms=9000.0, guardian="ALERT"
        ),
        turn(turn_id="noconsent", confidence=0.1, scopes=("analytics:slo",)),
    ]
    cands = score_candidates(_silver_like(events))
    got = {r["turn_id"]: (r["priority"], sorted(r["reasons"])) for r in cands.iter_rows(named=True)}
    assert got == {
        "unsure": ("HIGH", ["nlu_uncertainty"]),
        "tool": ("CRITICAL", ["tool_failure"]),
        "slow": ("MEDIUM", ["slo_violation"]),
        "guard": ("HIGH", ["guardian_event"]),
        "all": (
            "CRITICAL",
            sorted(["nlu_uncertainty", "tool_failure", "slo_violation", "guardian_event"]),
        ),
    }
    assert cands["turn_id"][0] == "all"  # highest score first
    assert [r.name for r in load_rules().rules] == [
        "nlu_uncertainty", "tool_failure", "slo_violation", "guardian_event"
    ]  # fmt: skip
