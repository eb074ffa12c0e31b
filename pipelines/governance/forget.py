"""The right to be forgotten: a person erased from every layer, with a receipt.

``submit`` records a request in ``state/erasure_requests`` with nothing but a keyed digest of
the user's pseudonym or of the session id; from then on silver drops the subject's events
whenever they arrive (``pipelines/silver/erased.py``). ``process`` finds the subject from the
digest (``footprint.py``) and erases, in an order where every step is idempotent, so a killed
erasure is finished by running it again:

1. landing lines → content-free tombstones (files rewritten atomically);
2. bronze events and the quarantined lines that mention the subject;
3. silver rows of every table, the near-duplicate store (clusters re-derived, other hours'
   labels kept true), the seen-hash claims, a change record per touched hour for gold;
4. gold candidates, review decisions, training rows; Label Studio task files kvarn wrote;
5. every export version that held the subject (removed; a new version replaces it);
6. the history of every Delta table of the lake (``purge.py``);
7. the Dagster instance's run storage and compute logs (``erase_instance.py``);
8. a verification scan for the subject's ids in the data directory and instance, then the
   receipt: what went from where, in counts, and when — no id, no pseudonym, no text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.dedupe.store import NearDupStore
from pipelines.export import KINDS, ExportOptions, export_kinds
from pipelines.governance.erase_files import (
    erase_landing,
    erase_task_files,
    held_export_versions,
    remove_export_versions,
)
from pipelines.governance.erase_instance import erase_instance
from pipelines.governance.footprint import Footprint, find_footprint, user_matches
from pipelines.governance.purge import delete_where, in_list, purge_history
from pipelines.io import delta
from pipelines.pii.pseudonym import erasure_digest, pseudonymize_user_id
from pipelines.quality.canary_scan import Canary, scan_data_dir
from pipelines.silver.changes import record_changes
from pipelines.silver.clusters import refresh_cluster_labels
from pipelines.silver.erased import REQUESTS

REQUEST_SCHEMA: dict[str, Any] = {
    "request_id": pl.Utf8,
    "kind": pl.Utf8,
    "digest": pl.Utf8,
    "requested_at": pl.Datetime("us", "UTC"),
    "status": pl.Utf8,
    "completed_at": pl.Datetime("us", "UTC"),
    "receipt": pl.Utf8,
}
RECEIPTS = ("governance", "receipts")
KINDS_OF_SUBJECT = ("user", "session")


class ErasureError(RuntimeError):
    """An erasure that could not be finished (the message names no person)."""


@dataclass(frozen=True)
class Request:
    request_id: str
    kind: str
    digest: str
    requested_at: datetime


@dataclass
class Receipt:
    """What an erasure removed, in counts only."""

    request_id: str
    kind: str
    requested_at: str
    completed_at: str = ""
    found: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # "<layer>.<table>" -> rows deleted
    landing_lines: int = 0
    landing_files: int = 0
    landing_lines_by_day: dict[str, int] = field(default_factory=dict)
    export_versions_removed: list[str] = field(default_factory=list)
    export_versions_written: list[str] = field(default_factory=list)
    review_tasks: int = 0
    history_files_purged: int = 0
    instance_cells: int = 0
    instance_log_files: int = 0
    verified_files: int = 0
    verification_hits: int = 0

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def subject_digest(kind: str, raw_id: str, key: bytes) -> str:
    """The digest a request keeps for a user id or a session id as the assistant knows it."""
    if kind not in KINDS_OF_SUBJECT:
        raise ValueError(f"subject must be one of {', '.join(KINDS_OF_SUBJECT)}")
    if not raw_id.strip():
        raise ValueError("the id to forget is empty")
    if kind == "user":
        return erasure_digest("user", pseudonymize_user_id(raw_id, key), key)
    return erasure_digest("session", raw_id, key)


def read_requests(cfg: LakeConfig) -> pl.DataFrame:
    frame = delta.read_table(cfg.table(*REQUESTS), storage_options=cfg.storage_options)
    return frame if frame is not None else pl.DataFrame(schema=REQUEST_SCHEMA)


def submit(cfg: LakeConfig, kind: str, digest: str, now: datetime | None = None) -> Request:
    """Record a request (or return the open one for the same subject)."""
    existing = read_requests(cfg).filter(
        (pl.col("kind") == kind) & (pl.col("digest") == digest) & (pl.col("status") == "pending")
    )
    if existing.height:
        row = existing.row(0, named=True)
        return Request(row["request_id"], kind, digest, row["requested_at"])
    request = Request(uuid.uuid4().hex, kind, digest, now or datetime.now(UTC))
    row = {**asdict(request), "status": "pending", "completed_at": None, "receipt": None}
    delta.append_rows(cfg.table(*REQUESTS), pl.DataFrame([row], schema=REQUEST_SCHEMA),
                      storage_options=cfg.storage_options)  # fmt: skip
    return request


def pending(cfg: LakeConfig) -> list[Request]:
    frame = read_requests(cfg).filter(pl.col("status") == "pending").sort("requested_at")
    return [Request(r["request_id"], r["kind"], r["digest"], r["requested_at"])
            for r in frame.iter_rows(named=True)]  # fmt: skip


def _complete(cfg: LakeConfig, request: Request, receipt_path: Path) -> None:
    path = cfg.table(*REQUESTS)
    dt = delta.open_table(path, cfg.storage_options)
    assert dt is not None
    now = datetime.now(UTC).isoformat()
    delta.retry_commit(
        lambda: dt.update(
            updates={"status": "'done'", "completed_at": f"CAST('{now}' AS TIMESTAMP)",
                     "receipt": f"'{receipt_path.name}'"},
            predicate=f"request_id = '{request.request_id}'",
        )
    )  # fmt: skip


def _delete(cfg: LakeConfig, layer: str, table: str, predicate: str, receipt: Receipt) -> None:
    n = delete_where(cfg.table(layer, table), predicate, cfg.storage_options)
    if n:
        receipt.rows[f"{layer}.{table}"] = receipt.rows.get(f"{layer}.{table}", 0) + n


def _contains_any(column: str, needles: Sequence[str]) -> str:
    return " OR ".join(f"strpos({column}, '{n.replace(chr(39), chr(39) * 2)}') > 0"
                       for n in needles)  # fmt: skip


def _erase_lake(cfg: LakeConfig, fp: Footprint, receipt: Receipt) -> None:
    so = cfg.storage_options
    sessions = sorted(fp.sessions)
    users = sorted(fp.user_ids)
    # bronze
    who = [in_list("session_id", sessions)] if sessions else []
    if users:
        who.append(in_list("user_id", users))
    if who:
        _delete(cfg, "bronze", "events", " OR ".join(who), receipt)
    mention = users + sessions
    if mention:
        _delete(cfg, "bronze", "quarantine", _contains_any("raw_text", mention), receipt)
    # silver, and what silver's state remembers of it
    hours: set[str] = set()
    turns = delta.read_table(cfg.table("silver", "turns"), columns=["hour", "event_id",
                             "session_id"], storage_options=so)  # fmt: skip
    turn_events: list[str] = []
    if turns is not None and sessions:
        mine = turns.filter(pl.col("session_id").is_in(sessions))
        hours |= set(mine["hour"].to_list())
        turn_events = mine["event_id"].to_list()
    for table in SILVER_TABLES:
        conditions = [in_list("session_id", sessions)] if sessions else []
        if table in ("turns", "feedback") and fp.pseudonyms:
            conditions.append(in_list("user_pseudo", sorted(fp.pseudonyms)))
        if conditions:
            _delete(cfg, "silver", table, " OR ".join(conditions), receipt)
    if fp.events:
        _delete(cfg, "state", "seen_hashes", in_list("event_id", sorted(fp.events)), receipt)
    bands = cfg.table("state", "neardup_bands")
    if turn_events and delta.open_table(bands, so) is not None:
        before = delta.count_rows(bands, so)
        changed = NearDupStore(bands, storage_options=so).remove(turn_events)
        gone = before - delta.count_rows(bands, so)
        if gone:
            receipt.rows["state.neardup_bands"] = gone
        refresh_cluster_labels(cfg, "", changed)
    if hours:
        record_changes(cfg, [(h, "written") for h in sorted(hours)])
    # gold
    if fp.candidates:
        ids = sorted(fp.candidates)
        _delete(cfg, "gold", "candidates", in_list("candidate_id", ids), receipt)
        _delete(cfg, "gold", "reviews", in_list("candidate_id", ids), receipt)
    if sessions:
        for kind in KINDS:
            _delete(cfg, "gold", kind, in_list("session_id", sessions), receipt)


def _export_again(cfg: LakeConfig, options: dict[str, dict[str, Any]]) -> list[str]:
    """A new version of every kind that lost one, with that version's options."""
    written: list[str] = []
    for kind, opts in sorted(options.items()):
        if kind not in KINDS:
            continue
        export_opts = ExportOptions.from_description(opts)
        for result in export_kinds(cfg, [kind], export_opts, cfg.exports):
            if result.path is not None:
                written.append(f"{kind}/{result.path.name}")
    return written


WORK = ("governance", "in-progress")


def _work_file(cfg: LakeConfig, request: Request) -> Path:
    """Where an erasure keeps what it found while it runs: the ids it must erase stop being
    findable as the erasure proceeds, so a rerun after a crash reads them from here. The file
    is removed when the request is done."""
    return Path(cfg.data_dir).joinpath(*WORK, f"{request.request_id}.json")


def _resume(work: Path, found: Footprint) -> tuple[Footprint, dict[str, dict[str, Any]]]:
    """``found`` plus what an interrupted run of the same request had found, saved again."""
    reexport: dict[str, dict[str, Any]] = {}
    if work.exists():
        saved = json.loads(work.read_text(encoding="utf-8"))
        for name, values in saved["footprint"].items():
            getattr(found, name).update(values)
        reexport = saved.get("reexport", {})
    _save(work, found, reexport)
    return found, reexport


def _save(work: Path, fp: Footprint, reexport: dict[str, dict[str, Any]]) -> None:
    work.parent.mkdir(parents=True, exist_ok=True)
    work.parent.chmod(0o700)
    doc = {"footprint": {k: sorted(v) for k, v in asdict(fp).items()}, "reexport": reexport}
    tmp = work.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tmp.replace(work)


def process(
    cfg: LakeConfig,
    request: Request,
    key: bytes,
    instance_dirs: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
) -> Receipt:
    """Erase the request's subject everywhere; returns (and writes) its receipt."""
    say = progress or (lambda _step: None)
    receipt = Receipt(request.request_id, request.kind, request.requested_at.isoformat())
    say("finding the subject")
    work = _work_file(cfg, request)
    fp, reexport = _resume(work, find_footprint(cfg, request.kind, request.digest, key))
    receipt.found = not fp.empty
    needles = fp.needles()
    say("landing files")
    landing = erase_landing(
        cfg,
        needles,
        (lambda uid: bool(user_matches([uid], request.digest, key)))
        if request.kind == "user"
        else (lambda _uid: False),
    )
    receipt.landing_lines, receipt.landing_files = landing.lines, landing.files
    receipt.landing_lines_by_day = landing.by_day
    say("lake tables")
    _erase_lake(cfg, fp, receipt)
    say("review task files")
    receipt.review_tasks = erase_task_files(cfg, fp.candidates)
    say("export versions")
    held = held_export_versions(cfg, needles)
    reexport.update(held.options)
    _save(work, fp, reexport)  # a rerun after a crash still writes the replacements
    remove_export_versions(cfg, held)
    receipt.export_versions_removed = held.removed
    receipt.export_versions_written = _export_again(cfg, reexport)
    _save(work, fp, {})
    say("table history")
    # Every table, not only those this run deleted from: a killed earlier run may have
    # deleted rows whose old versions it never got to purge.
    for path in sorted(cfg.all_tables().values()):
        receipt.history_files_purged += purge_history(path, cfg.storage_options).files
    say("dagster instance")
    instance = erase_instance(list(instance_dirs), [*needles, *fp.texts])
    receipt.instance_cells, receipt.instance_log_files = instance.cells, instance.log_files
    say("verifying")
    if "://" not in cfg.data_dir:
        probes = [Canary(f"id{i}", n) for i, n in enumerate(needles)]
        scan = scan_data_dir(Path(cfg.data_dir), probes, extra_roots=instance_dirs,
                             include_raw=True, exclude=[work])  # fmt: skip
        receipt.verified_files, receipt.verification_hits = scan.files, len(scan.hits)
    receipt.completed_at = datetime.now(UTC).isoformat()
    folder = Path(cfg.data_dir).joinpath(*RECEIPTS)
    folder.mkdir(parents=True, exist_ok=True)
    receipt_file = folder / f"{request.request_id}.json"
    receipt_file.write_text(receipt.as_json(), encoding="utf-8")
    if receipt.verification_hits:
        raise ErasureError(
            f"request {request.request_id}: {receipt.verification_hits} file(s) still hold the "
            f"subject after erasure; receipt {receipt_file}"
        )
    _complete(cfg, request, receipt_file)
    work.unlink(missing_ok=True)
    return receipt


def forget(
    cfg: LakeConfig,
    kind: str,
    raw_id: str,
    key: bytes,
    instance_dirs: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
) -> Receipt:
    """Submit and process a request at once, under the lake's write lock."""
    from pipelines.io.lock import lake_write_lock

    digest = subject_digest(kind, raw_id, key)
    with lake_write_lock(cfg.data_dir):
        request = submit(cfg, kind, digest)
        return process(cfg, request, key, instance_dirs, progress)


def process_pending(
    cfg: LakeConfig, key: bytes, instance_dirs: Sequence[Path] = ()
) -> list[Receipt]:
    """Every open request, oldest first (the scheduled job's work)."""
    from pipelines.io.lock import lake_write_lock

    with lake_write_lock(cfg.data_dir):
        return [process(cfg, r, key, instance_dirs) for r in pending(cfg)]
