"""Landing lines → bronze rows. Nothing is dropped: every line becomes exactly one row, either
in ``bronze.events`` or in ``bronze.quarantine`` with a reason.

Partition ownership: a line whose event time is readable belongs to that event's UTC hour,
provided it arrived within the late-arrival window (landing day between one day before and
``late_days`` days after the event day). Any other line belongs to the hour of the line before it in
the same file (its producer was writing that hour), or to the landing day's first hour when it is
the first line. Ownership depends only on the file's own contents, so reruns and backfills agree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.bronze.envelope import derive_env
from pipelines.bronze.hashing import event_hashes
from pipelines.bronze.validate import schema_problem, schema_version
from pipelines.io import json_exact
from pipelines.io.landing import (
    TOMBSTONE_PREFIX,
    LandingLine,
    LineSpans,
    files_for_days,
    line_spans,
    read_lines,
    read_some_lines,
    tombstone_hour,
    window_days,
)
from pipelines.io.timestamps import hour_key, hour_start, parse_event_ts

DEFAULT_LATE_DAYS = 1

# Real events nest about 5 deep. Deeper lines are quarantined before json.loads, whose recursion
# (and the validator's after it) would raise RecursionError and take the whole hour down.
MAX_JSON_DEPTH = 64
# Longer lines are quarantined unparsed; only a prefix of them is decoded for ``raw_text``.
MAX_LINE_BYTES = 1 << 20
RAW_TEXT_PREFIX_CHARS = 4096
_BOM = b"\xef\xbb\xbf"
# A JSON string (escapes included; an unterminated one runs to the end of the line) or a bracket.
# Bytes 0x22, 0x5B, 0x5D, 0x7B, 0x7D never occur inside a multi-byte UTF-8 sequence.
_DEPTH_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[{\]}]', re.DOTALL)
# "\ud800".."\udfff": json.loads keeps an unpaired one as a lone surrogate, which no UTF-8
# writer (polars included) accepts. Pairs (escaped emoji) are fine and common.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")

EVENTS_SCHEMA: dict[str, Any] = {
    "hour": pl.Utf8,
    "event_id": pl.Utf8,
    "ts": pl.Datetime("us", "UTC"),
    "event": pl.Utf8,
    "v": pl.Int64,
    "env": pl.Utf8,
    "env_source": pl.Utf8,
    "pii_masked": pl.Boolean,
    "hash_field": pl.Utf8,
    "hash_ok": pl.Boolean,
    "source_file": pl.Utf8,
    "line_no": pl.Int64,
    "ingested_at": pl.Datetime("us", "UTC"),
    "session_id": pl.Utf8,
    "turn_id": pl.Utf8,
    "user_id": pl.Utf8,
    "lang": pl.Utf8,
    "raw": pl.Utf8,
}
EVENTS_STATS = ["hour", "event_id", "ts", "event", "v", "env", "env_source", "hash_ok",
                "source_file", "line_no", "ingested_at"]  # fmt: skip

QUARANTINE_SCHEMA: dict[str, Any] = {
    "hour": pl.Utf8,
    "source_file": pl.Utf8,
    "line_no": pl.Int64,
    "reason": pl.Utf8,
    "detail": pl.Utf8,
    "ingested_at": pl.Datetime("us", "UTC"),
    "raw": pl.Binary,
    "raw_text": pl.Utf8,
}
QUARANTINE_STATS = ["hour", "source_file", "line_no", "reason", "ingested_at"]


@dataclass
class Classified:
    """A landing line with its owner hour and, for valid lines, the parsed event."""

    line: LandingLine
    owner: str
    event: dict[str, Any] | None = None
    ts: datetime | None = None
    reason: str | None = None
    detail: str | None = None


@dataclass
class IngestResult:
    events: pl.DataFrame
    quarantine: pl.DataFrame
    lines_read: int
    reasons: dict[str, int] = field(default_factory=dict)


def too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects more than ``limit`` levels deep.

    Normal lines cost two C-level byte counts: fewer opening brackets than the limit cannot nest
    deeper. Only bracket-heavy lines get a token scan that skips brackets inside strings."""
    if raw.count(b"{") + raw.count(b"[") <= limit:
        return False
    depth = 0
    for match in _DEPTH_TOKEN.finditer(raw):
        char = raw[match.start()]
        if char in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif char in b"]}":
            depth = max(depth - 1, 0)
    return False


def _has_lone_surrogate(obj: object) -> bool:
    """Whether a parsed value holds a string UTF-8 cannot encode (only asked for the rare lines
    with a surrogate escape, so re-serialising the whole object is affordable)."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def strip_bom(raw: bytes) -> bytes:
    """The line without a leading UTF-8 BOM (written by some Windows tools on a file's first
    line), so such an event parses and lands in bronze as the event itself."""
    return raw[len(_BOM) :] if raw.startswith(_BOM) else raw


def _readable_ts(raw: bytes) -> tuple[dict[str, Any] | None, datetime | None]:
    """The line's object and event time, or None where unreadable. Must never raise: the file
    index runs over every line of a landing day, so one bad line would fail every hour."""
    if len(raw) > MAX_LINE_BYTES:
        return None, None
    raw = strip_bom(raw)
    if too_deep(raw):
        return None, None
    try:
        obj = json_exact.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(obj, dict) or "ts" not in obj:
        return (obj if isinstance(obj, dict) else None), None
    try:
        return obj, parse_event_ts(obj["ts"])
    except (ValueError, OverflowError):  # OverflowError: an epoch int too big for a float
        return obj, None


def in_window(landing_day: date, event_day: date, late_days: int) -> bool:
    return landing_day - timedelta(days=late_days) <= event_day <= landing_day + timedelta(days=1)


ERASED = ""  # the owner of an erased (tombstone) line: no hour


@dataclass(frozen=True)
class FileIndex:
    """Owner hour and byte span of every line of one landing file."""

    owners: list[str]  # interned: one pointer a line
    spans: LineSpans
    terminated: bool


def _index(path: Path, late_days: int) -> FileIndex:
    data = path.read_bytes()
    day = date.fromisoformat(path.parent.name)
    spans, terminated = line_spans(data)
    owners: list[str] = []
    previous: str | None = None
    for start, end in spans:
        if data.startswith(TOMBSTONE_PREFIX, start):
            erased = tombstone_hour(data[start:end])
            if erased is not None:  # an erased line: owned by no hour, its hour carries on
                owners.append(ERASED)
                previous = sys.intern(erased) if erased else previous
                continue
        # An over-long line is unreadable without slicing (copying) its bytes.
        _, ts = (None, None) if end - start > MAX_LINE_BYTES else _readable_ts(data[start:end])
        if ts is not None and in_window(day, ts.date(), late_days):
            owner = sys.intern(hour_key(ts))
        else:
            owner = previous or sys.intern(f"{day.isoformat()}T00")
        owners.append(owner)
        previous = owner
    return FileIndex(owners, spans, terminated)


# Only owner hours and line offsets are cached, never parsed events or line bytes: a backfill
# over many hours must not hold the landing zone in memory.
_CACHE: dict[tuple[str, int, int, int], FileIndex] = {}


def file_index(path: Path, late_days: int) -> FileIndex:
    """The file's line index, cached by (path, size, mtime) within the process."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, late_days)
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        hit = _index(path, late_days)
        _CACHE[key] = hit
    return hit


def file_owners(path: Path, telemetry_root: str, late_days: int) -> list[str]:
    """Owner hours of every line of a file, in line order."""
    return file_index(path, late_days).owners


def classify_file(path: Path, telemetry_root: str, late_days: int) -> list[Classified]:
    """Every line of a file with its owner hour (events are parsed later, by ``judge``)."""
    owners = file_owners(path, telemetry_root, late_days)
    return [
        Classified(line=line, owner=owner)
        for line, owner in zip(read_lines(path, telemetry_root), owners, strict=True)
        if owner != ERASED
    ]


def judge(item: Classified, late_days: int) -> Classified:
    """Full validation of one owned line: fills ``reason`` for lines bound to quarantine.

    Quarantined lines keep their bytes exactly as landed; a valid event's line loses a leading
    BOM, so bronze ``raw`` is the event itself."""
    landed = item.line
    raw = landed.raw

    def bad(reason: str, detail: str) -> Classified:
        return Classified(landed, item.owner, None, None, reason, detail)

    if len(raw) > MAX_LINE_BYTES:  # before any decode or copy of the bytes
        return bad("line too long", f"{len(raw)} bytes; limit {MAX_LINE_BYTES}")
    if raw.startswith(_BOM):
        raw = strip_bom(raw)
        item = Classified(replace(landed, raw=raw), item.owner, item.event, item.ts)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return bad("invalid UTF-8", f"byte {exc.start} is not valid UTF-8")
    if not text.strip():
        return bad("empty line", "line is empty or whitespace")
    if too_deep(raw):
        return bad("nesting too deep", f"JSON nesting deeper than {MAX_JSON_DEPTH} levels")
    obj = item.event
    if obj is None:
        try:
            parsed = json_exact.loads(raw)
        except ValueError as exc:
            if item.line.last_unterminated:
                return bad("truncated line", "last line of file ends mid-JSON without newline")
            return bad("invalid JSON", f"JSON parse error at char {getattr(exc, 'pos', '?')}")
        if not isinstance(parsed, dict):
            return bad("not a JSON object", f"top-level JSON {type(parsed).__name__}")
        if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(parsed):
            return bad("invalid JSON", "string holds an unpaired UTF-16 surrogate escape")
        obj = parsed
    if "v" in obj and schema_version(obj["v"]) is None:
        return bad("unsupported schema version", "field v is not a supported version")
    problem = schema_problem(obj)
    if problem is not None:
        return bad("schema violation", problem)
    try:
        ts = item.ts or parse_event_ts(obj["ts"])
    except ValueError as exc:
        return bad("invalid timestamp", str(exc))
    if not in_window(item.line.day, ts.date(), late_days):
        return bad(
            "outside late-arrival window",
            f"event day {ts.date().isoformat()} vs landing day {item.line.day.isoformat()}",
        )
    return Classified(item.line, item.owner, obj, ts)


def _event_row(item: Classified, now: datetime) -> dict[str, Any]:
    ev = item.event
    assert ev is not None and item.ts is not None
    env, env_source = derive_env(ev)
    field_hash = ev.get("hash")
    masked = ev.get("pii_masked")
    event_id, hash_ok = event_hashes(ev)
    return {
        "hour": item.owner,
        "event_id": event_id,
        "ts": item.ts,
        "event": ev["event"],
        "v": schema_version(ev["v"]),
        "env": env,
        "env_source": env_source,
        "pii_masked": masked if isinstance(masked, bool) else None,
        "hash_field": field_hash if isinstance(field_hash, str) else None,
        "hash_ok": hash_ok,
        "source_file": item.line.source,
        "line_no": item.line.line_no,
        "ingested_at": now,
        "session_id": ev.get("session_id"),
        "turn_id": ev.get("turn_id"),
        "user_id": ev.get("user_id"),
        "lang": ev.get("lang"),
        "raw": item.line.raw.decode("utf-8"),
    }


def _quarantine_row(item: Classified, now: datetime) -> dict[str, Any]:
    raw = item.line.raw
    if len(raw) > MAX_LINE_BYTES:
        # A prefix is enough to look at; decoding it all would double the row's memory. Four
        # bytes per char at most, so this slice decodes to at least the first N chars.
        n = RAW_TEXT_PREFIX_CHARS
        raw_text = raw[: 4 * n].decode("utf-8", errors="replace")[:n]
    else:
        raw_text = raw.decode("utf-8", errors="replace")
    return {
        "hour": item.owner,
        "source_file": item.line.source,
        "line_no": item.line.line_no,
        "reason": item.reason,
        "detail": item.detail,
        "ingested_at": now,
        "raw": raw,
        "raw_text": raw_text,
    }


CHUNK_ROWS = 4096
"""Rows held as Python dicts before they become a frame: an hour of 20,000 events as dicts
(each with its raw line) cost ~100 MB more than its frame."""


def ingest_lines(
    items: Iterable[Classified], late_days: int = DEFAULT_LATE_DAYS, now: datetime | None = None
) -> IngestResult:
    """Validate owned lines and split them into bronze event rows and quarantine rows."""
    now = now or datetime.now(UTC)
    events: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    event_parts: list[pl.DataFrame] = []
    quarantine_parts: list[pl.DataFrame] = []
    reasons: dict[str, int] = {}
    n = 0
    for item in items:
        n += 1
        judged = judge(item, late_days)
        if judged.reason is None:
            events.append(_event_row(judged, now))
            if len(events) >= CHUNK_ROWS:
                event_parts.append(pl.DataFrame(events, schema=EVENTS_SCHEMA, orient="row"))
                events = []
        else:
            quarantine.append(_quarantine_row(judged, now))
            reasons[judged.reason] = reasons.get(judged.reason, 0) + 1
            if len(quarantine) >= CHUNK_ROWS:
                quarantine_parts.append(
                    pl.DataFrame(quarantine, schema=QUARANTINE_SCHEMA, orient="row")
                )
                quarantine = []
    event_parts.append(pl.DataFrame(events, schema=EVENTS_SCHEMA, orient="row"))
    quarantine_parts.append(pl.DataFrame(quarantine, schema=QUARANTINE_SCHEMA, orient="row"))
    ev_df = pl.concat(event_parts).sort(["source_file", "line_no"])
    q_df = pl.concat(quarantine_parts).sort(["source_file", "line_no"])
    return IngestResult(ev_df, q_df, n, dict(sorted(reasons.items(), key=lambda kv: -kv[1])))


def owned_lines(
    telemetry_root: str, hour: str, late_days: int = DEFAULT_LATE_DAYS
) -> list[Classified]:
    """Every landing line owned by ``hour`` (partition value ``YYYY-MM-DDTHH``)."""
    start = hour_start(hour)
    files = files_for_days(telemetry_root, window_days(start.date(), late_days))
    out: list[Classified] = []
    for path in files:
        index = file_index(path, late_days)
        wanted = [i for i, owner in enumerate(index.owners) if owner == hour]
        lines = read_some_lines(path, telemetry_root, index.spans, wanted, index.terminated)
        out.extend(Classified(line=line, owner=hour) for line in lines)
    return out


def owned_line_count(
    telemetry_root: str, hours: Sequence[str], late_days: int = DEFAULT_LATE_DAYS
) -> int:
    """How many landing lines ``hours`` own, from the file index (which reading them needs
    anyway): what decides whether a call starts workers."""
    wanted = set(hours)
    days = {d for hour in wanted for d in window_days(hour_start(hour).date(), late_days)}
    return sum(
        sum(1 for owner in file_index(path, late_days).owners if owner in wanted)
        for path in files_for_days(telemetry_root, sorted(days))
    )


def ingest_hour(
    telemetry_root: str, hour: str, late_days: int = DEFAULT_LATE_DAYS, now: datetime | None = None
) -> IngestResult:
    return ingest_lines(owned_lines(telemetry_root, hour, late_days), late_days, now)


def all_owner_hours(
    telemetry_root: str, days: Sequence[date], late_days: int = DEFAULT_LATE_DAYS
) -> list[str]:
    """Hours that own at least one line in the given landing days (for backfills)."""
    hours: set[str] = set()
    for path in files_for_days(telemetry_root, list(days)):
        hours.update(file_owners(path, telemetry_root, late_days))
    hours.discard(ERASED)
    return sorted(hours)


def keep_first_ingest_time(new: pl.DataFrame, existing: pl.DataFrame | None) -> pl.DataFrame:
    """Reuse ``ingested_at`` of rows already in the partition, so a rerun writes identical rows."""
    if existing is None or existing.height == 0 or new.height == 0:
        return new
    prior = existing.select("source_file", "line_no", pl.col("ingested_at").alias("_prior"))
    return (
        new.join(prior, on=["source_file", "line_no"], how="left")
        .with_columns(pl.coalesce("_prior", "ingested_at").alias("ingested_at"))
        .drop("_prior")
    )
