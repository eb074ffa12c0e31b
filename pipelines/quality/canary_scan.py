"""Byte-level hunt for planted canaries in everything kvarn wrote.

The leakage audit asks "does this look like personal data?"; this scan asks "is a value we
know to be personal anywhere at all?" — in table files, Delta logs and checkpoints, exports,
Label Studio task files, run reports and the Dagster instance (SQLite storage and compute
logs). Every file is searched as raw bytes (UTF-8, case-folded), and what is stored encoded
is decoded first: Parquet pages (compressed), gzip files, zlib blobs inside SQLite databases
(Dagster compresses its snapshots), JSON escapes (``\\u00f6``). Phone numbers and
personnummer are matched on their digits with any spacing, so a reformatted number is found
too. A hit names the file, the decoding and the canary's label, never its value.

The raw zone — landing files and bronze (events and quarantine) — holds what the producers
sent, by design and under retention; it is excluded unless asked for (``kvarn forget`` checks
that a forgotten user's values are gone from it too).
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.config import CANARY_FILE

# Relative to the data directory: what the producers wrote, kept raw by design.
RAW_ZONE = ("landing", "lake/bronze")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_MIN_DIGITS = 8


@dataclass(frozen=True)
class Canary:
    """One planted value and a label that may be printed instead of it."""

    label: str
    value: str


@dataclass(frozen=True)
class CanaryHit:
    path: str
    decoding: str
    label: str


@dataclass
class ScanReport:
    files: int = 0
    bytes: int = 0
    hits: list[CanaryHit] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.hits

    def lines(self, limit: int = 20) -> list[str]:
        out = [f"canary {h.label} in {h.path} ({h.decoding})" for h in self.hits[:limit]]
        if len(self.hits) > limit:
            out.append(f"... and {len(self.hits) - limit} more canary hit(s)")
        return out


def load_canaries(path: Path, personas: Sequence[str] | None = None) -> list[Canary]:
    """The canaries of ``canaries.json`` (all personas, or only the named ones)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: list[Canary] = []
    for persona in doc["personas"]:
        if personas is not None and persona["key"] not in personas:
            continue
        out.extend(Canary(f"{persona['key']}#{i}", v) for i, v in enumerate(persona["values"]))
    return out


class _Matcher:
    """Each canary case-folded, as written and JSON-escaped; numbers also by their digits
    with any separators in between. Canaries are searched one by one, since one may contain
    another (a first name inside an e-mail address)."""

    def __init__(self, canaries: Sequence[Canary]) -> None:
        self.plain: list[tuple[str, tuple[str, ...]]] = []
        self.digits: list[tuple[str, re.Pattern[str]]] = []
        for canary in canaries:
            forms = {canary.value.casefold(), _json_escaped(canary.value).casefold()}
            self.plain.append((canary.label, tuple(sorted(forms))))
            digits = re.sub(r"\D", "", canary.value)
            if len(digits) >= _MIN_DIGITS and len(digits) >= len(canary.value) * 0.7:
                # A leading 0 is dropped in "+46 70 …"; any spacing or dashes between digits.
                core = digits[1:] if digits.startswith("0") else digits
                self.digits.append((canary.label, re.compile(r"[ \-]{0,2}".join(core))))

    def labels_in(self, text: str) -> set[str]:
        if not text:
            return set()
        folded = text.casefold()
        found = {label for label, forms in self.plain if any(f in folded for f in forms)}
        found.update(label for label, pattern in self.digits if pattern.search(text))
        return found


def _json_escaped(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)[1:-1]


def scan_paths(
    roots: Iterable[Path],
    canaries: Sequence[Canary],
    exclude: Iterable[Path] = (),
) -> ScanReport:
    """Every file under ``roots`` (but not under ``exclude``), searched in every decoding."""
    matcher = _Matcher(canaries)
    skip = [p.resolve() for p in exclude]
    report = ScanReport()
    seen: set[Path] = set()
    for root in roots:
        for path in _files(Path(root)):
            real = path.resolve()
            if real in seen or any(real == s or s in real.parents for s in skip):
                continue
            seen.add(real)
            if path.name == CANARY_FILE:
                continue
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # a SQLite -wal/-shm file closed meanwhile
                continue
            report.files += 1
            report.bytes += len(data)
            found: set[tuple[str, str]] = set()
            for decoding, text in _decodings(path, data):
                found.update((decoding, label) for label in matcher.labels_in(text))
            report.hits.extend(CanaryHit(str(path), d, lab) for d, lab in sorted(found))
    return report


def scan_data_dir(
    data: Path,
    canaries: Sequence[Canary],
    extra_roots: Iterable[Path] = (),
    include_raw: bool = False,
    exclude: Iterable[Path] = (),
) -> ScanReport:
    """The data directory (raw zone excluded unless ``include_raw``) and any other roots,
    such as a Dagster instance kept elsewhere."""
    skip = [*exclude, *([] if include_raw else [data / part for part in RAW_ZONE])]
    return scan_paths([data, *extra_roots], canaries, skip)


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _decodings(path: Path, data: bytes) -> Iterator[tuple[str, str]]:
    yield "bytes", data.decode("utf-8", "replace")
    if data[:4] == b"PAR1" and data[-4:] == b"PAR1":
        yield "parquet", _parquet_text(path)
    elif data[:2] == b"\x1f\x8b":
        yield "gzip", gzip.decompress(data).decode("utf-8", "replace")
    elif data.startswith(_SQLITE_MAGIC):
        yield "sqlite", _sqlite_text(path)


def _parquet_text(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    chunks: list[str] = []
    for column in table.columns:
        values = column.to_pylist()
        chunks.append(json.dumps(values, ensure_ascii=False, default=str))
    return "\n".join(chunks)


def _sqlite_text(path: Path) -> str:
    """Every value of every table, with zlib-compressed blobs inflated."""
    chunks: list[str] = []
    uri = f"file:{path}?mode=ro&immutable=1"
    con = sqlite3.connect(uri, uri=True)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            # The table names come from the database itself.
            for row in con.execute(f"select * from {quoted}"):
                chunks.extend(_cell_text(cell) for cell in row)
    except sqlite3.DatabaseError as exc:  # a database mid-write still gets its byte scan
        chunks.append(f"<unreadable: {exc}>")
    finally:
        con.close()
    return "\n".join(c for c in chunks if c)


def _cell_text(cell: Any) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bytes | memoryview):
        raw = bytes(cell)
        try:
            return zlib.decompress(raw).decode("utf-8", "replace")
        except zlib.error:
            return raw.decode("utf-8", "replace")
    return ""
