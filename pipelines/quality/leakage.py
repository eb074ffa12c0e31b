"""The leakage audit: a strict residual-PII scan over silver, gold and export files.

``audit_partition`` is the blocking asset check on each silver hour; ``audit_lake`` is
``kvarn audit`` over every table and export file. Both scan the same way (``audit_frames``).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import GOLD_TABLES, SILVER_TABLES, LakeConfig
from pipelines.io import delta
from pipelines.io.processes import Task, WorkerPool, in_order, running_workers
from pipelines.io.text_cache import TextCache
from pipelines.pii.audit import CANDIDATE_PATTERN, scan_person_fields, scan_text, walk_strings

_NON_TEXT = {"event_id", "hour", "session_id", "turn_id", "user_pseudo", "env", "cluster_id"}


@dataclass
class PartitionAudit:
    blocking: int = 0
    warnings: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def _holds_strings(dtype: Any) -> bool:
    """Whether a polars type is a string or holds strings (in lists, arrays or structs)."""
    if dtype == pl.Utf8:
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _holds_strings(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return any(_holds_strings(f.dtype) for f in dtype.fields)
    return False


def text_columns(frame: pl.DataFrame) -> list[str]:
    """The columns the audit reads: strings, or lists and structs holding strings; no ids."""
    return [n for n, t in frame.schema.items() if n not in _NON_TEXT and _holds_strings(t)]


def text_values(frame: pl.DataFrame, column: str) -> list[str]:
    """Every non-empty string of one audited column, nested ones included."""
    if frame.schema[column] == pl.Utf8:
        return [v for v in frame[column].to_list() if v]
    return [v for value in frame[column].to_list() for _path, v in walk_strings(value, "") if v]


def _strings(frame: pl.DataFrame) -> Counter[tuple[str, bool]]:
    """How often each non-empty string of the audited columns occurs, keyed with whether its
    column holds surrogates (plain string columns counted in one pass per kind, without the
    strings ``_verdict`` could find nothing in)."""
    out: Counter[tuple[str, bool]] = Counter()
    flat: dict[bool, list[pl.Series]] = {False: [], True: []}
    for name in text_columns(frame):
        surrogate = name.endswith("_surrogate")
        if frame.schema[name] == pl.Utf8:
            flat[surrogate].append(frame.get_column(name).rename("text"))
        else:
            out.update((v, surrogate) for v in text_values(frame, name))
    text = pl.col("text")
    judged = (
        text.str.contains(CANDIDATE_PATTERN) | text.str.starts_with("{") | text.str.starts_with("[")
    )
    for surrogate, columns in flat.items():
        if columns:
            values = pl.concat(columns)
            counted = values.filter(values.is_not_null() & (values != "")).value_counts()
            counted = counted.filter(judged)  # the others have nothing to find (``_verdict``)
            out.update({(text, surrogate): n for text, n in counted.iter_rows()})
    return out


_Verdict = tuple[int, int, tuple[tuple[str, int], ...]]
_VERDICTS: TextCache[_Verdict] = TextCache(32 * 1024 * 1024, lambda v: 64 + 48 * len(v[2]))


def _verdict(text: str, surrogate: bool) -> _Verdict:
    """Blocking findings, name-like warnings and findings by type of one string.

    ``*_surrogate`` columns hold fake names on purpose, so name-like residues are not counted
    there; every blocking type (personnummer, phone, e-mail, IBAN, card) still is. Kept per
    text for the process: silver repeats its texts across rows, columns and hours."""
    key = ("S" if surrogate else "T") + text
    kept = _VERDICTS.get(key)
    if kept is not None:
        return kept
    findings = scan_text(text)
    if text[:1] in ("{", "["):  # a JSON column: slots, tool arguments, alternatives
        findings.extend(scan_person_fields(text, "", surrogate))
    blocking = warnings = 0
    types: Counter[str] = Counter()
    for finding in findings:
        if finding.blocking:
            blocking += 1
        elif surrogate:
            continue
        else:
            warnings += 1
        types[finding.type] += 1
    verdict = (blocking, warnings, tuple(sorted(types.items())))
    _VERDICTS.put(key, verdict)
    return verdict


def audit_frames(frames: Sequence[pl.DataFrame]) -> PartitionAudit:
    """Strict residual-PII scan over every text column of the frames (each distinct string
    judged once)."""
    report = PartitionAudit()
    types: Counter[str] = Counter()
    for frame in frames:
        for (text, surrogate), n in _strings(frame).items():
            blocking, warnings, found = _verdict(text, surrogate)
            report.blocking += n * blocking
            report.warnings += n * warnings
            for kind, count in found:
                types[kind] += n * count
    report.by_type = dict(types)
    return report


_AuditKey = tuple[str, tuple[tuple[str, str, int] | None, ...]]
_AUDITS: OrderedDict[_AuditKey, PartitionAudit] = OrderedDict()
_AUDITS_KEPT = 512


def _table_state(path: str, storage_options: dict[str, str] | None) -> tuple[str, str, int] | None:
    """What identifies a table's contents: its path, its id (new when a table is created again
    at the same path) and its version; None when there is no table."""
    dt = delta.open_table(path, storage_options)
    return None if dt is None else (path, str(dt.metadata().id), dt.version())


def audit_partition(
    paths: Sequence[str], hour: str, storage_options: dict[str, str] | None = None
) -> PartitionAudit:
    """``audit_frames`` over the ``hour`` partition of every table in ``paths``.

    The blocking check and the hour's data-quality row audit the same partitions in one run;
    a result is kept for the exact table versions it read, so the second asks for it again only
    when a table has changed since."""
    return audit_partitions(paths, [hour], storage_options)[0]


def audit_partitions(
    paths: Sequence[str], hours: Sequence[str], storage_options: dict[str, str] | None = None
) -> list[PartitionAudit]:
    """``audit_partition`` for each of ``hours``, in order. Hours not audited yet at these table
    versions are audited by the worker pool when one is running already (a batch's bronze or
    silver started it), else here."""
    keys: list[_AuditKey] = []
    for hour in hours:
        keys.append((hour, tuple(_table_state(p, storage_options) for p in paths)))
    missing = [key for key in dict.fromkeys(keys) if key not in _AUDITS]
    workers = min(running_workers(), len(missing))
    pool = WorkerPool(workers) if workers > 1 else None
    tasks: list[Task[_AuditKey, PartitionAudit]] = [
        (key, _read_and_audit, (paths, key[0], storage_options)) for key in missing
    ]
    for key, audit in in_order(tasks, pool):
        assert audit is not None
        _AUDITS[key] = audit
        if len(_AUDITS) > _AUDITS_KEPT:
            _AUDITS.popitem(last=False)
    found = {key: _AUDITS.get(key) for key in keys}
    return [_copy(found[key] or _read_and_audit(paths, key[0], storage_options)) for key in keys]


def _copy(audit: PartitionAudit) -> PartitionAudit:
    return PartitionAudit(audit.blocking, audit.warnings, dict(audit.by_type))


def _read_and_audit(
    paths: Sequence[str], hour: str, storage_options: dict[str, str] | None
) -> PartitionAudit:
    """``audit_frames`` over the hour's partitions as they are now (in a worker, or here)."""
    frames = []
    for path in paths:
        df = delta.read_partition(path, "hour", hour, storage_options=storage_options)
        if df is not None:
            frames.append(df)
    return audit_frames(frames)


@dataclass
class LakeAudit:
    blocking: int = 0
    warnings: int = 0
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = []
        for source, types in self.per_source.items():
            detail = ", ".join(f"{k}={v}" for k, v in sorted(types.items())) or "clean"
            out.append(f"{source}: {detail}")
        verdict = "FAIL" if self.blocking else "PASS"
        out.append(
            f"{verdict}: {self.blocking} blocking finding(s), {self.warnings} name-like residue(s)"
        )
        return out


def audit_lake(cfg: LakeConfig, include_exports: bool = True) -> LakeAudit:
    result = LakeAudit()
    for layer, names in (("silver", SILVER_TABLES), ("gold", GOLD_TABLES)):
        for name in names:
            frame = delta.read_table(cfg.table(layer, name), storage_options=cfg.storage_options)
            if frame is None:
                continue
            rep = audit_frames([frame])
            result.blocking += rep.blocking
            result.warnings += rep.warnings
            result.per_source[f"{layer}_{name}"] = rep.by_type
    if include_exports and Path(cfg.exports).is_dir():
        from pipelines.pii.audit import audit_files

        files = audit_files(cfg.exports)
        blocking = len(files.blocking)
        result.blocking += blocking
        result.warnings += len(files.findings) - blocking
        result.per_source["exports"] = files.counts()
    return result
