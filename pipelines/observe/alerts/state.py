"""Delivery state that outlives a process: what each channel last sent, and what failed.

SQLite under ``<data>/state/alerts/``: every decision is one ``BEGIN IMMEDIATE`` transaction, so
two processes firing the same alert at once deliver it once. A delivery is claimed before it is
sent; a failure leaves a pending row that the next firing retries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pipelines.observe.alerts.model import Alert

# A claimed retry whose sender died is free again after this long.
CLAIM_TIMEOUT = timedelta(minutes=5)
_SCHEMA = """
create table if not exists deliveries (
    channel text not null, key text not null, severity integer not null, sent_at real not null,
    primary key (channel, key));
create table if not exists pending (
    channel text not null, key text not null, alert text not null, attempts integer not null,
    last_error text not null, claimed_at real, primary key (channel, key));
"""


def state_path(data_dir: Path) -> Path:
    return data_dir / "state" / "alerts" / "alerts.sqlite"


@dataclass(frozen=True)
class Pending:
    channel: str
    key: str
    alert: Alert
    attempts: int
    last_error: str


class DeliveryState:
    """Claims, outcomes and pending retries per (channel, alert key)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as db:
            for statement in _SCHEMA.split(";"):
                db.execute(statement)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("begin immediate")
            try:
                yield db
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")

    def claim(self, channel: str, alert: Alert, now: datetime, cooldown: timedelta) -> bool:
        """True when this caller should send ``alert`` on ``channel`` now: a pending retry of
        the key, an escalation, a key not sent within the cool-down, or a first firing."""
        t = now.timestamp()
        with self._tx() as db:
            pending = db.execute(
                "select claimed_at from pending where channel = ? and key = ?",
                (channel, alert.key),
            ).fetchone()
            if pending is not None:
                if pending[0] is not None and t - pending[0] < CLAIM_TIMEOUT.total_seconds():
                    return False  # another process is retrying it right now
                db.execute(
                    "update pending set claimed_at = ? where channel = ? and key = ?",
                    (t, channel, alert.key),
                )
                return True
            last = db.execute(
                "select severity, sent_at from deliveries where channel = ? and key = ?",
                (channel, alert.key),
            ).fetchone()
            if last is not None:
                within = t - last[1] < cooldown.total_seconds()
                if within and int(alert.severity) <= last[0]:
                    return False
            db.execute(
                "insert into deliveries values (?, ?, ?, ?) on conflict (channel, key) do update"
                " set severity = excluded.severity, sent_at = excluded.sent_at",
                (channel, alert.key, int(alert.severity), t),
            )
            return True

    def claim_pending(self, channel: str, now: datetime, exclude: str = "") -> list[Pending]:
        """The failed deliveries of ``channel`` nobody is retrying (but ``exclude``, which the
        caller is about to fire anyway), now claimed by this caller."""
        t = now.timestamp()
        free_before = t - CLAIM_TIMEOUT.total_seconds()
        with self._tx() as db:
            rows = db.execute(
                "select key, alert, attempts, last_error from pending where channel = ?"
                " and key != ? and (claimed_at is null or claimed_at < ?) order by key",
                (channel, exclude, free_before),
            ).fetchall()
            db.execute(
                "update pending set claimed_at = ? where channel = ? and key != ?"
                " and (claimed_at is null or claimed_at < ?)",
                (t, channel, exclude, free_before),
            )
        return [
            Pending(channel, key, Alert.from_dict(json.loads(raw)), attempts, error)
            for key, raw, attempts, error in rows
        ]

    def sent(self, channel: str, alert: Alert, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "insert into deliveries values (?, ?, ?, ?) on conflict (channel, key) do update"
                " set severity = excluded.severity, sent_at = excluded.sent_at",
                (channel, alert.key, int(alert.severity), now.timestamp()),
            )
            db.execute("delete from pending where channel = ? and key = ?", (channel, alert.key))

    def failed(self, channel: str, alert: Alert, error: str) -> None:
        payload = json.dumps(alert.as_dict(), ensure_ascii=False)
        with self._tx() as db:
            db.execute(
                "insert into pending values (?, ?, ?, 1, ?, null) on conflict (channel, key)"
                " do update set alert = excluded.alert, attempts = attempts + 1,"
                " last_error = excluded.last_error, claimed_at = null",
                (channel, alert.key, payload, error),
            )

    def pending(self) -> list[Pending]:
        with self._tx() as db:
            rows = db.execute(
                "select channel, key, alert, attempts, last_error from pending order by 1, 2"
            ).fetchall()
        return [Pending(c, k, Alert.from_dict(json.loads(a)), n, e) for c, k, a, n, e in rows]
