"""Reading the landing zone: append-only JSONL files in ``telemetry/YYYY-MM-DD/``.

Lines are read as bytes so that invalid UTF-8 is kept and quarantined, never lost. A file's last
line without a trailing newline is still a line (a producer may have been cut off mid-write).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
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


def read_lines(path: Path, telemetry_root: str) -> Iterator[LandingLine]:
    data = path.read_bytes()
    rel = os.path.relpath(path, telemetry_root).replace(os.sep, "/")
    day = date.fromisoformat(path.parent.name)
    if not data:
        return
    parts = data.split(b"\n")
    terminated = parts[-1] == b""
    if terminated:
        parts.pop()
    last = len(parts)
    for i, raw in enumerate(parts, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        yield LandingLine(rel, i, raw, day, last_unterminated=(i == last and not terminated))


def window_days(hour_day: date, late_days: int) -> list[date]:
    """Landing days that may hold events of an hour on ``hour_day``: one day of clock skew
    before, and ``late_days`` days of late arrival after."""
    return [hour_day + timedelta(days=k) for k in range(-1, late_days + 1)]
