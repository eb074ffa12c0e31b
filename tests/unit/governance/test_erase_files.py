"""Erasure in files: tombstones keep line numbers and hours; SQLite keeps no freed bytes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from pipelines.bronze.ingest import ERASED, all_owner_hours, file_owners, owned_lines
from pipelines.config import LakeConfig
from pipelines.governance.erase_files import erase_landing
from pipelines.governance.erase_instance import ERASED as SCRUBBED
from pipelines.governance.erase_instance import erase_instance
from pipelines.io.landing import tombstone
from pipelines.pii.pseudonym import erasure_digest, pseudonymize_user_id


def _line(ts: str, user: str) -> bytes:
    return json.dumps({"v": "1", "event": "feedback", "ts": ts, "user_id": user}).encode()


def test_erased_lines_become_tombstones_owned_by_no_hour(tmp_path: Path) -> None:
    telemetry = tmp_path / "landing" / "telemetry"
    day = telemetry / "2025-09-01"
    day.mkdir(parents=True)
    path = day / "orchestrator-0.jsonl"
    lines = [_line("2025-09-01T10:05:00Z", "anon_a"), _line("2025-09-01T11:00:00Z", "anon_x"),
             b"{broken line without a time", _line("2025-09-01T11:30:00Z", "anon_a")]  # fmt: skip
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert file_owners(path, str(telemetry), 1)[2] == "2025-09-01T11"
    result = erase_landing(LakeConfig(data_dir=str(tmp_path)), ["anon_x"], lambda _u: False)
    assert (result.lines, result.files) == (1, 1)
    new = path.read_bytes().split(b"\n")
    assert new[1] == tombstone("2025-09-01T11") and new[0] == lines[0] and new[3] == lines[3]
    assert b"anon_x" not in path.read_bytes()
    # the broken line after it still belongs to 11:00, the tombstone to no hour
    assert file_owners(path, str(telemetry), 1) == [
        "2025-09-01T10", ERASED, "2025-09-01T11", "2025-09-01T11"]  # fmt: skip
    assert len(owned_lines(str(telemetry), "2025-09-01T11")) == 2
    assert all_owner_hours(str(telemetry), [date(2025, 9, 1)]) == [
        "2025-09-01T10", "2025-09-01T11"]  # fmt: skip
    # a user found only by their id's digest is erased too; a second pass changes nothing
    key = b"k" * 32
    digest = erasure_digest("user", pseudonymize_user_id("anon_a", key), key)

    def mine(uid: str) -> bool:
        return erasure_digest("user", pseudonymize_user_id(uid, key), key) == digest

    assert erase_landing(LakeConfig(data_dir=str(tmp_path)), [], mine).lines == 2
    assert erase_landing(LakeConfig(data_dir=str(tmp_path)), [], mine).lines == 0


def test_instance_databases_and_logs_are_scrubbed_and_vacuumed(tmp_path: Path) -> None:
    db = tmp_path / "storage" / "run.db"
    db.parent.mkdir()
    con = sqlite3.connect(db)
    con.execute("create table event_logs (id integer primary key, event text)")
    body = json.dumps({"preview": "| t-9 | ring Sigvard Hjelmqvist m\u00f6te |"}, ensure_ascii=True)
    con.executemany("insert into event_logs (event) values (?)", [(body,), ('{"x": 1}',)])
    con.commit()
    con.close()
    log = tmp_path / "logs" / "step.err"
    log.parent.mkdir()
    log.write_text("hour 10: session s-canary-p1 done\n")
    result = erase_instance([tmp_path], ["ring Sigvard Hjelmqvist möte", "s-canary-p1"])
    assert (result.cells, result.databases, result.log_files) == (1, 1, 1)
    raw = db.read_bytes()
    assert b"Sigvard" not in raw and b"Hjelmqvist" not in raw  # no freed page keeps it
    rows = [json.loads(r[0]) for r in sqlite3.connect(db).execute("select event from event_logs")]
    assert rows[0]["preview"] == f"| t-9 | {SCRUBBED} |" and rows[1] == {"x": 1}
    assert "s-canary-p1" not in log.read_text()
