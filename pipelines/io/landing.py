"""Reading the landing zone: append-only JSONL files in ``telemetry/YYYY-MM-DD/``.

Lines are read as bytes so that invalid UTF-8 is kept and quarantined, never lost. A file's last
line without a trailing newline is still a line (a producer may have been cut off mid-write).
"""

from __future__ import annotations

import os
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

_DAY_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LandingLine:
    source: str  # path relative to the telemetry root, e.g. "2025-09-01/alice-a-0.jsonl"
    line_no: int  # 1-based
    raw: bytes  # without the line terminator
    day: date  # the landing directory's date (arrival day)
    last_unterminated: bool = False


def day_dirs(telemetry_root: str) -> list[date]:
    """Dates of the landing day directories present, sorted."""
    root = Path(telemetry_root)
    if not root.is_dir():
        return []
    out = []
    for entry in root.iterdir():
        if entry.is_dir() and _DAY_DIR.match(entry.name):
            out.append(date.fromisoformat(entry.name))
    return sorted(out)


def files_for_days(telemetry_root: str, days: list[date]) -> list[Path]:
    root = Path(telemetry_root)
    files: list[Path] = []
    for d in sorted(set(days)):
        folder = root / d.isoformat()
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix == ".jsonl"))
    return files


class LineSpans(Sequence[tuple[int, int]]):
    """``(start, end)`` byte offsets of a file's lines, 16 bytes a line: the bronze file index
    keeps them for every landing file of a backfill, and a million tuples cost ~120 MB."""

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")

    def append(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[int, int]:  # type: ignore[override]
        return self.starts[i], self.ends[i]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts, self.ends, strict=True)


def line_spans(data: bytes) -> tuple[LineSpans, bool]:
    """(start, end) byte offsets of every line (terminator excluded) and whether the last line
    ended with a terminator. A trailing terminator does not start an extra empty line.

    Lines end at "\\n", "\\r\\n" or a lone "\\r" (old Mac tools): otherwise a CR-only file
    would be one line holding many events. Valid JSON never has a raw CR inside a string, so
    splitting on it cannot cut an event in two. The next LF and CR are each found with a C-level
    ``find`` and only searched again once passed, so a many-MB file costs no per-byte Python."""
    spans = LineSpans()
    pos = 0
    size = len(data)
    nl = data.find(b"\n")
    cr = data.find(b"\r")  # -1 stays -1: an LF-only file never searches for CR again
    while pos < size:
        if -1 < nl < pos:
            nl = data.find(b"\n", pos)
        if -1 < cr < pos:
            cr = data.find(b"\r", pos)
        if cr == -1 or -1 < nl < cr:
            if nl == -1:
                spans.append(pos, size)
                return spans, False
            spans.append(pos, nl)
            pos = nl + 1
        else:
            spans.append(pos, cr)
            pos = cr + 2 if nl == cr + 1 else cr + 1  # "\r\n" is one terminator
    return spans, True


def relative_source(path: Path, telemetry_root: str) -> str:
    return os.path.relpath(path, telemetry_root).replace(os.sep, "/")


def read_lines(path: Path, telemetry_root: str) -> Iterator[LandingLine]:
    data = path.read_bytes()
    rel = relative_source(path, telemetry_root)
    day = date.fromisoformat(path.parent.name)
    spans, terminated = line_spans(data)
    last = len(spans)
    for i, (start, end) in enumerate(spans, start=1):
        yield LandingLine(
            rel, i, data[start:end], day, last_unterminated=(i == last and not terminated)
        )


def read_some_lines(
    path: Path,
    telemetry_root: str,
    spans: Sequence[tuple[int, int]],
    indices: list[int],
    terminated: bool,
) -> list[LandingLine]:
    """Only the lines at ``indices`` (0-based, ascending), reading just the byte range that
    holds them: an hour reads its own part of a file, not the whole landing day."""
    if not indices:
        return []
    rel = relative_source(path, telemetry_root)
    day = date.fromisoformat(path.parent.name)
    first, last_needed = spans[indices[0]][0], spans[indices[-1]][1]
    with path.open("rb") as fh:
        fh.seek(first)
        chunk = fh.read(last_needed - first)
    last = len(spans) - 1
    return [
        LandingLine(
            rel,
            i + 1,
            chunk[spans[i][0] - first : spans[i][1] - first],
            day,
            last_unterminated=(i == last and not terminated),
        )
        for i in indices
    ]


def window_days(hour_day: date, late_days: int) -> list[date]:
    """Landing days that may hold events of an hour on ``hour_day``: one day of clock skew
    before, and ``late_days`` days of late arrival after."""
    return [hour_day + timedelta(days=k) for k in range(-1, late_days + 1)]


# A landing line erased on a person's request (``kvarn forget``) is replaced by this, not
# removed: line numbers of the file's other lines stay what bronze and the seen-hash state
# recorded, and the hour the line belonged to stays known for the lines after it. It holds
# nothing of the event; no hour owns it, so conservation is events + quarantine = the
# lines left.
TOMBSTONE_PREFIX = b'{"kvarn_forgotten":"'


def tombstone(owner_hour: str) -> bytes:
    """The line that stands in for an erased one owned by ``owner_hour``."""
    return TOMBSTONE_PREFIX + owner_hour.encode("ascii") + b'"}'


def tombstone_hour(raw: bytes) -> str | None:
    """The owner hour a tombstone records, or None for any other line."""
    if not raw.startswith(TOMBSTONE_PREFIX) or not raw.endswith(b'"}'):
        return None
    return raw[len(TOMBSTONE_PREFIX) : -2].decode("ascii", "replace")
