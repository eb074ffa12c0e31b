"""Test outcomes → failure patterns, and each test's history → flaky and regression flags.

Every test run writes ``test.*`` events (the kvarn pytest plugin, or the assistant's own
``log_test_failure`` / ``log_performance_baseline``); silver keeps them in ``test_results``,
masked. This module turns all of them into two gold tables, rebuilt as a whole (the input is
small and a full rebuild is a pure function of it, so the order hours arrive in cannot matter):

* ``failure_patterns`` — failures grouped by root cause. A failure's key is its exception type
  plus the application frames it passed through (paths, line numbers and test frames
  stripped; native, short and pytest's long tracebacks are read), so the same bug reached
  from different tests is one pattern; an assertion also keeps its message template, since
  one shared check function fails for different reasons. A failure raised
  in test code itself has no application frame; its key is its message with the literal
  values (numbers, dates, quoted strings, ids, addresses) stripped, and near-duplicate
  messages (MinHash, as ``kvarn dedupe``) of one type merge.
* ``test_health`` — per test: outcomes per test session in time order, flaky when the
  outcome flips at least twice within the recent sessions, and a regression when the latest
  session failed after a pass or its duration grew past the test's own history by a margin.

``history_by_test`` joins the two per test for the candidate rules, so the recorded interaction
of a failing, flaky or regressed test becomes a review candidate that cites its pattern.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import itemgetter
from statistics import median
from typing import Any

import polars as pl

from pipelines.dedupe import cluster_texts

FAILURE_EVENT = "test.failure"
PASS_EVENT = "test.baseline"

PATTERNS_SCHEMA: dict[str, Any] = {
    "pattern_id": pl.Utf8,
    "signature": pl.Utf8,
    "failure_type": pl.Utf8,
    "frames": pl.Utf8,
    "example": pl.Utf8,
    "tests": pl.List(pl.Utf8),
    "test_count": pl.Int64,
    "count": pl.Int64,
    "sessions": pl.Int64,
    "first_seen": pl.Datetime("us", "UTC"),
    "last_seen": pl.Datetime("us", "UTC"),
    "status": pl.Utf8,
    "flaky_tests": pl.List(pl.Utf8),
    "event_ids": pl.List(pl.Utf8),
}
HEALTH_SCHEMA: dict[str, Any] = {
    "test_name": pl.Utf8,
    "runs": pl.Int64,
    "passes": pl.Int64,
    "failures": pl.Int64,
    "outcomes": pl.Utf8,
    "transitions": pl.Int64,
    "flaky": pl.Boolean,
    "last_outcome": pl.Utf8,
    "first_seen": pl.Datetime("us", "UTC"),
    "last_seen": pl.Datetime("us", "UTC"),
    "duration_ms_last": pl.Float64,
    "duration_ms_baseline": pl.Float64,
    "regression_flag": pl.Boolean,
    "regression_kind": pl.Utf8,
    "pattern_ids": pl.List(pl.Utf8),
}
HISTORY_SCHEMA: dict[str, Any] = {
    "test_name": pl.Utf8,
    "pattern_id": pl.Utf8,
    "pattern_status": pl.Utf8,
    "flaky": pl.Boolean,
    "regression_flag": pl.Boolean,
    "regression_kind": pl.Utf8,
    "event_id": pl.Utf8,
}
INPUT_COLUMNS = (
    "event_id", "ts", "hour", "session_id", "event", "test_name", "failure_type", "root_cause",
    "stack_trace", "metrics", "e2e_full_ms", "response_time_ms",
)  # fmt: skip


@dataclass(frozen=True)
class FlywheelSettings:
    """Knobs of pattern grouping and test health (``flywheel:`` in the candidate rules file)."""

    message_threshold: float = 0.6  # Jaccard above which two failure messages are one pattern
    frames_kept: int = 3  # innermost application frames in a key
    flaky_window: int = 10  # recent sessions in which outcome flips count
    flaky_flips: int = 2
    duration_margin: float = 0.5  # latest > (1 + margin) × median of earlier sessions
    duration_min_ms: float = 5.0  # ... and at least this many ms slower


# --- signatures ----------------------------------------------------------------------------
_NATIVE_FRAME = re.compile(r'File "([^"]+)", line \d+, in ([\w<>.]+)')
_SHORT_FRAME = re.compile(r"^\s*([^\s:]+\.py):\d+: in ([\w<>.]+)", re.MULTILINE)
# pytest's default (long) report: each entry lists its function's source from the ``def``
# line and ends with a location line ``path.py:123: ExceptionName`` (or nothing after it).
_LONG_LOCATION = re.compile(r"^([^\s:]+\.py):\d+:(?: \w[\w.]*)?\s*$", re.MULTILINE)
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(", re.MULTILINE)
_LITERALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"0x[0-9a-fA-F]+"), "<ADDR>"),
    (re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"),
     "<DATE>"),
    (re.compile(r"\b\d\d:\d\d(?::\d\d)?\b"), "<TIME>"),
    (re.compile(r"\b[0-9a-f]{8,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{19,}\b"), "<ID>"),
    (re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""), "<STR>"),
    (re.compile(r"(?:[\w.-]*/)+([\w.-]+)"), r"\1"),
    (re.compile(r"[-+]?\d+(?:[.,]\d+)?"), "<NUM>"),
)  # fmt: skip


def normalize_message(text: str | None) -> str:
    """A failure message with its literal values replaced by their kind."""
    out = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    for pattern, repl in _LITERALS:
        out = pattern.sub(repl, out)
    return " ".join(out.split())[:300]


def _is_test_file(path: str) -> bool:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def app_frames(stack_trace: str | None) -> list[str]:
    """``file.py:function`` of every application frame, outermost first (test files, pytest
    and the standard library left out: they differ per test or say nothing of the bug)."""
    if not stack_trace:
        return []
    found = [(m.start(), m.group(1), m.group(2)) for m in _NATIVE_FRAME.finditer(stack_trace)]
    found += [(m.start(), m.group(1), m.group(2)) for m in _SHORT_FRAME.finditer(stack_trace)]
    if not found:
        previous = 0
        for m in _LONG_LOCATION.finditer(stack_trace):
            defs = _DEF.findall(stack_trace, previous, m.start())
            found.append((m.start(), m.group(1), defs[-1] if defs else "?"))
            previous = m.end()
    frames = []
    for _, path, func in sorted(found):
        norm = path.replace("\\", "/")
        if _is_test_file(norm) or "/_pytest/" in norm or "/site-packages/" in norm:
            continue
        if "/lib/python3" in norm:
            continue
        frames.append(f"{norm.rsplit('/', 1)[-1]}:{func}")
    return frames


def failure_key(failure_type: str | None, root_cause: str | None, stack_trace: str | None,
                frames_kept: int = 3) -> tuple[str, str, str | None]:  # fmt: skip
    """(key, frames text, message group). Failures with the same key share a root cause; keys
    that carry a message merge with near-duplicates of the same message group."""
    kind = failure_type or "Error"
    frames = app_frames(stack_trace)[-frames_kept:]
    if frames:
        where = f"{kind} @ {' > '.join(frames)}"
        if kind == "AssertionError":  # a shared check function fails for different reasons
            return f"{where}: {normalize_message(root_cause)}", " > ".join(frames), where
        return where, " > ".join(frames), None
    return f"{kind}: {normalize_message(root_cause)}", "", kind


def pattern_id(key: str) -> str:
    return "fp-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# --- inputs --------------------------------------------------------------------------------
def _duration(metrics: str | None, e2e: float | None, response: float | None) -> float | None:
    """The test's duration: the plugin's ``duration_ms``, else the event's own latency."""
    if metrics:
        try:
            value = json.loads(metrics).get("duration_ms")
        except (ValueError, AttributeError):
            value = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return e2e if e2e is not None else response


def prepare(results: pl.DataFrame) -> pl.DataFrame:
    """Test outcome rows with a session key (the producer's session, else the event hour, as
    the seed's helpers write no session) and an outcome; other events left out."""
    if results.height == 0:
        return pl.DataFrame()
    cols = [c for c in INPUT_COLUMNS if c in results.columns]
    frame = results.select(cols).filter(
        pl.col("event").is_in([FAILURE_EVENT, PASS_EVENT]) & pl.col("test_name").is_not_null()
    )
    for missing in set(INPUT_COLUMNS) - set(frame.columns):
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(missing))
    return frame.with_columns(
        pl.coalesce("session_id", "hour").alias("session"),
        pl.when(pl.col("event") == FAILURE_EVENT).then(pl.lit("fail")).otherwise(pl.lit("pass"))
        .alias("outcome"),
    ).sort(["ts", "event_id"])  # fmt: skip


def _session_order(frame: pl.DataFrame) -> dict[str, int]:
    starts = frame.group_by("session").agg(pl.col("ts").min()).sort(["ts", "session"])
    return {s: i for i, s in enumerate(starts["session"].to_list())}


# --- patterns ------------------------------------------------------------------------------
def assign_patterns(failures: pl.DataFrame, settings: FlywheelSettings) -> list[str]:
    """Pattern id of every failure row (rows in time order)."""
    keyed = [
        failure_key(t, r, s, settings.frames_kept)
        for t, r, s in failures.select("failure_type", "root_cause", "stack_trace").iter_rows()
    ]
    keys = [k for k, _, _ in keyed]
    # Keys with a message merge with near-duplicates of their group (same type, same frames);
    # the earliest member's key names the pattern, so the id is a function of the data.
    merged = list(keys)
    by_group: dict[str, list[int]] = {}
    for i, (_, _, group) in enumerate(keyed):
        if group is not None:
            by_group.setdefault(group, []).append(i)
    for rows in by_group.values():
        if len(rows) < 2:
            continue
        result = cluster_texts([str(i) for i in rows], [keys[i] for i in rows],
                               threshold=settings.message_threshold)  # fmt: skip
        for i, rep in zip(rows, result.cluster, strict=True):
            merged[i] = keys[int(rep)]
    return [pattern_id(k) for k in merged]


def build_patterns(
    results: pl.DataFrame, settings: FlywheelSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(failure_patterns, test_health) from every silver test result."""
    cfg = settings or FlywheelSettings()
    rows = prepare(results)
    if rows.height == 0:
        return pl.DataFrame(schema=PATTERNS_SCHEMA), pl.DataFrame(schema=HEALTH_SCHEMA)
    order = _session_order(rows)
    rows = rows.with_columns(
        pl.col("session").replace_strict(order, return_dtype=pl.Int64).alias("session_no")
    )
    failures = rows.filter(pl.col("outcome") == "fail")
    pids = assign_patterns(failures, cfg) if failures.height else []
    failures = failures.with_columns(pl.Series("pattern_id", pids, dtype=pl.Utf8))
    health = _health(rows, failures, cfg)
    patterns = _patterns(rows, failures, health, cfg)
    return patterns, health


def _patterns(rows: pl.DataFrame, failures: pl.DataFrame, health: pl.DataFrame,
              cfg: FlywheelSettings) -> pl.DataFrame:  # fmt: skip
    if failures.height == 0:
        return pl.DataFrame(schema=PATTERNS_SCHEMA)
    flaky = set(health.filter(pl.col("flaky"))["test_name"].to_list())
    last_run = dict(rows.group_by("test_name").agg(pl.col("session_no").max()).iter_rows())
    out = []
    for pid, group in failures.group_by("pattern_id", maintain_order=True):
        first = group.row(0, named=True)
        key, frames, _ = failure_key(first["failure_type"], first["root_cause"],
                                     first["stack_trace"], cfg.frames_kept)  # fmt: skip
        tests = sorted(set(group["test_name"].to_list()))
        sessions = sorted(set(group["session_no"].to_list()))
        latest_run = max(last_run[t] for t in tests)
        if sessions[-1] < latest_run and not flaky.intersection(tests):
            status = "resolved"  # its tests ran again later and did not fail this way
        elif len(sessions) == 1:
            status = "new"
        else:
            status = "recurring"
        example = first["root_cause"] or first["failure_type"] or ""
        out.append({
            "pattern_id": pid[0] if isinstance(pid, tuple) else pid,
            "signature": key,
            "failure_type": first["failure_type"],
            "frames": frames or None,
            "example": (example + (f"\n  at {frames}" if frames else ""))[:2000],
            "tests": tests,
            "test_count": len(tests),
            "count": group.height,
            "sessions": len(sessions),
            "first_seen": group["ts"].min(),
            "last_seen": group["ts"].max(),
            "status": status,
            "flaky_tests": [t for t in tests if t in flaky],
            "event_ids": sorted(group["event_id"].to_list()),
        })  # fmt: skip
    return pl.DataFrame(out, schema=PATTERNS_SCHEMA).sort(["first_seen", "pattern_id"])


def _health(rows: pl.DataFrame, failures: pl.DataFrame, cfg: FlywheelSettings) -> pl.DataFrame:
    patterns_of: dict[str, set[str]] = {}
    for test, pid in failures.select("test_name", "pattern_id").iter_rows():
        patterns_of.setdefault(test, set()).add(pid)
    # One aggregation for every test (a per-test frame cost a polars query per test per hour).
    row_durations = [
        _duration(m, e, r)
        for m, e, r in rows.select("metrics", "e2e_full_ms", "response_time_ms").iter_rows()
    ]
    per_session = (
        rows.select("test_name", "session_no", (pl.col("outcome") == "fail").alias("failed"))
        .with_columns(pl.Series("duration", row_durations, dtype=pl.Float64))
        .group_by("test_name", "session_no")
        .agg(pl.col("failed").any(), pl.col("duration").max())
        .sort("test_name", "session_no")
    )
    seen = {
        test: (first, last)
        for test, first, last in rows.group_by("test_name")
        .agg(pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last"))
        .iter_rows()
    }
    out = []
    sessions = per_session.select("test_name", "failed", "duration").iter_rows()
    for test, group in groupby(sessions, key=itemgetter(0)):
        runs = list(group)
        outcomes = ["fail" if failed else "pass" for _, failed, _ in runs]
        durations = [duration for _, _, duration in runs]
        recent = outcomes[-cfg.flaky_window :]
        flips = sum(1 for a, b in pairwise(recent) if a != b)
        last_d = durations[-1]
        earlier = [d for d in durations[:-1] if d is not None]
        baseline = median(earlier) if earlier else None
        kind = None
        if len(outcomes) >= 2 and outcomes[-1] == "fail" and outcomes[-2] == "pass":
            kind = "outcome"
        elif (
            last_d is not None and baseline is not None and outcomes[-1] == "pass"
            and last_d > baseline * (1 + cfg.duration_margin)
            and last_d - baseline >= cfg.duration_min_ms
        ):  # fmt: skip
            kind = "duration"
        first_seen, last_seen = seen[test]
        out.append({
            "test_name": test,
            "runs": len(outcomes),
            "passes": outcomes.count("pass"),
            "failures": outcomes.count("fail"),
            "outcomes": "".join("F" if o == "fail" else "P" for o in outcomes[-50:]),
            "transitions": flips,
            "flaky": flips >= cfg.flaky_flips,
            "last_outcome": outcomes[-1],
            "first_seen": first_seen,
            "last_seen": last_seen,
            "duration_ms_last": last_d,
            "duration_ms_baseline": baseline,
            "regression_flag": kind is not None,
            "regression_kind": kind,
            "pattern_ids": sorted(patterns_of.get(test, ())),
        })  # fmt: skip
    return pl.DataFrame(out, schema=HEALTH_SCHEMA).sort("test_name")


def history_by_test(patterns: pl.DataFrame, health: pl.DataFrame) -> pl.DataFrame:
    """One row per (test, pattern) — and per flaky or regressed test without a pattern — with
    the failure events behind it: what the candidate rules of source ``test_history`` see."""
    if health.height == 0:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    per_pattern = (
        patterns.select("pattern_id", pl.col("status").alias("pattern_status"), "tests",
                        "event_ids")
        .explode("tests").rename({"tests": "test_name"})
    )  # fmt: skip
    flags = health.select("test_name", "flaky", "regression_flag", "regression_kind")
    with_pattern = per_pattern.join(flags, on="test_name", how="left").explode("event_ids")
    with_pattern = with_pattern.rename({"event_ids": "event_id"})
    without = flags.filter(
        (pl.col("flaky") | pl.col("regression_flag"))
        & ~pl.col("test_name").is_in(per_pattern["test_name"].implode())
    ).with_columns(
        pl.lit(None, pl.Utf8).alias("pattern_id"),
        pl.lit(None, pl.Utf8).alias("pattern_status"),
        pl.lit(None, pl.Utf8).alias("event_id"),
    )
    return pl.concat(
        [with_pattern.select(list(HISTORY_SCHEMA)), without.select(list(HISTORY_SCHEMA))],
        how="vertical",
    ).cast(HISTORY_SCHEMA)  # type: ignore[arg-type]
