"""Erasing a person from a Dagster instance kept on disk: SQLite storage and compute logs.

Run metadata can quote what a run saw — a silver hour's preview holds masked turn texts and
turn ids, a log line a session id. Every text cell of every table of every SQLite database of
the instance (runs, per-run event logs, schedules) has each of the person's strings replaced by
``[erased]``, as written and as JSON escapes it; then the database is vacuumed, because SQLite
keeps deleted bytes in free pages otherwise. Compute log files are rewritten the same way.
The replacement keeps JSON documents valid, so Dagster still reads every event; only the
quoted values are gone. (The engine never imports dagster: this works on the files.)
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.governance.erase_files import write_atomic

ERASED = "[erased]"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_RETRIES = 20


@dataclass
class InstanceErasure:
    cells: int = 0
    databases: int = 0
    log_files: int = 0


def _forms(strings: Iterable[str]) -> list[str]:
    """Each string as written and as JSON with ASCII escapes writes it, longest first."""
    forms: set[str] = set()
    for s in strings:
        if s:
            forms.add(s)
            forms.add(json.dumps(s, ensure_ascii=True)[1:-1])
    return sorted(forms, key=len, reverse=True)


def erase_instance(roots: Sequence[Path], strings: Iterable[str]) -> InstanceErasure:
    """Replace ``strings`` in every SQLite database and text file under ``roots``."""
    forms = _forms(strings)
    out = InstanceErasure()
    if not forms:
        return out
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            try:
                with open(path, "rb") as fh:
                    head = fh.read(len(_SQLITE_MAGIC))
            except FileNotFoundError:  # a SQLite -wal/-shm file closed meanwhile
                continue
            if head == _SQLITE_MAGIC:
                changed = _scrub_database(path, forms)
                out.cells += changed
                out.databases += 1 if changed else 0
            elif path.suffix not in (".db-wal", ".db-shm", ".db-journal"):
                out.log_files += _scrub_text_file(path, forms)
    return out


def _scrub_database(path: Path, forms: Sequence[str]) -> int:
    for attempt in range(_BUSY_RETRIES):
        try:
            return _scrub_database_once(path, forms)
        except sqlite3.OperationalError as exc:  # a running daemon or UI holds a lock
            if "locked" not in str(exc) or attempt == _BUSY_RETRIES - 1:
                raise
            time.sleep(0.25 * (attempt + 1))
    return 0


def _scrub_database_once(path: Path, forms: Sequence[str]) -> int:
    con = sqlite3.connect(path, timeout=30)
    changed = 0
    try:
        listing = "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        tables = [r[0] for r in con.execute(listing)]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            columns = [r[1] for r in con.execute(f"pragma table_info({quoted})")]
            for column in columns:
                col = '"' + column.replace('"', '""') + '"'
                for form in forms:
                    # Only text cells are rewritten; blobs (compressed snapshots) hold no data.
                    cur = con.execute(
                        f"update {quoted} set {col} = replace({col}, ?, ?) "
                        f"where typeof({col}) = 'text' and instr({col}, ?) > 0",
                        (form, ERASED, form),
                    )
                    changed += cur.rowcount
        con.commit()
        if changed:
            con.execute("vacuum")  # deleted bytes would otherwise linger in free pages
            con.execute("pragma wal_checkpoint(truncate)")
    finally:
        con.close()
    return changed


def _scrub_text_file(path: Path, forms: Sequence[str]) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    if b"\x00" in data[:4096]:  # not a text file
        return 0
    text = data.decode("utf-8", "replace")
    new = text
    for form in forms:
        if form in new:
            new = new.replace(form, ERASED)
    if new == text:
        return 0
    write_atomic(path, new.encode("utf-8"))
    return 1
