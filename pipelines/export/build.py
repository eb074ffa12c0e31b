"""One export end to end: read → format → filter lengths → split → gates → write → audit → publish.

``prepare_export`` is pure (reads the lake, writes nothing), so ``--strict`` can refuse before any
file exists; ``export_kinds`` writes every prepared kind and moves each ``latest`` only after the
leakage audit passed on the staged files.
"""

from __future__ import annotations

import hashlib
import shutil
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.config import LakeConfig
from pipelines.export.card import MASKING, render_card
from pipelines.export.diff import MetricChange, compare_metadata
from pipelines.export.formats import (
    SCHEMA_FILES,
    FormattedRow,
    canonical_json,
    for_parquet,
    format_examples,
    uses_flavor,
    with_weight,
)
from pipelines.export.gates import (
    LABEL_FIELD,
    GateResult,
    evaluate_gates,
    evaluate_seed_gates,
    gate_report,
    label_stats,
    text_length,
    within_length,
)
from pipelines.export.options import TRUST_SCORE, ExportError, ExportOptions
from pipelines.export.quality import assess
from pipelines.export.sources import load_examples
from pipelines.export.splits import assign_split, parse_split_spec
from pipelines.export.writer import (
    encode_json,
    encode_jsonl,
    encode_parquet,
    free_version_name,
    latest_name,
    parquet_schema,
    publish,
    read_metadata,
    sha256sums,
    stage,
)
from pipelines.io.docs import load_docs

AuditFn = Callable[[Path], dict[str, Any]]


class GateFailure(ExportError):
    """``--strict`` and at least one quality gate failed; ``report`` says which and why."""

    def __init__(self, message: str, report: list[str]) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class PreparedExport:
    kind: str
    options: ExportOptions
    splits: dict[str, list[FormattedRow]]
    metadata: dict[str, Any]
    gates: list[GateResult]

    @property
    def rows(self) -> int:
        return sum(len(r) for r in self.splits.values())

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def gate_lines(self) -> list[str]:
        return gate_report(self.kind, self.gates)


@dataclass
class ExportResult:
    kind: str
    rows: int
    splits: dict[str, int]
    path: Path | None = None
    gate_lines: list[str] = field(default_factory=list)
    gates_passed: bool = True
    warnings: list[str] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    quality_drops: list[MetricChange] = field(default_factory=list)  # >10% against `previous`
    previous: str | None = None  # the version that was latest before this one
    promoted: bool = True  # False: --strict kept `latest` at `previous` after a quality drop


def _label(kind: str, row: FormattedRow) -> str | None:
    if kind == "rag":
        return row.extra.get("positive_doc_id")
    return row.example.intent or row.row.get("intent")


def _length_stats(lengths: Sequence[int]) -> dict[str, Any]:
    if not lengths:
        return {"min": 0, "max": 0, "mean": 0.0, "p50": 0, "p95": 0}
    ordered = sorted(lengths)
    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": round(statistics.fmean(ordered), 3),
        "p50": ordered[(len(ordered) - 1) // 2],
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return {k: counter[k] for k in sorted(counter)}


def prepare_export(
    cfg: LakeConfig, kind: str, opts: ExportOptions, cache: dict[str, Any] | None = None
) -> PreparedExport:
    """Every row of one kind, split and gated, with its metadata: nothing is written."""
    opts.validate()
    spec = parse_split_spec(opts.split)
    examples, report = load_examples(cfg, kind, opts, cache)
    docs = load_docs(cfg.docs) if kind == "rag" else {}
    skipped: dict[str, int] = {}
    formatted = format_examples(kind, examples, opts.flavor, docs, skipped)
    if opts.weights == "inverse-size":
        formatted = [with_weight(row, opts.flavor) for row in formatted]
    kept: list[FormattedRow] = []
    lengths: list[int] = []
    for row in formatted:
        length = text_length(row.row)
        if within_length(length, opts.gates):
            kept.append(row)
            lengths.append(length)
    dropped = len(formatted) - len(kept)
    labels = [_label(kind, r) for r in kept]
    assessed = [assess(kind, r) for r in kept]
    kept = [
        FormattedRow(r.example_id, r.row, r.example, {**r.extra, **a.as_provenance()})
        for r, a in zip(kept, assessed, strict=True)
    ]
    scores = [a.score for a in assessed]
    difficulties = [a.difficulty for a in assessed]
    categories = [a.category for a in assessed]
    gates = evaluate_gates(kind, labels, dropped, opts.gates) + evaluate_seed_gates(
        scores, difficulties, categories, [r.example.source for r in kept], opts.gates.kinds[kind]
    )
    splits: dict[str, list[FormattedRow]] = {name: [] for name, _ in spec}
    for row in kept:
        splits[assign_split(opts.seed, row.example.session_key, spec)].append(row)
    ext = "parquet" if opts.fmt == "parquet" else "jsonl"
    excluded = Counter(report.excluded)
    excluded.update({"length": dropped, **skipped})
    trust = Counter(r.example.trust for r in kept)
    meta: dict[str, Any] = {
        "kind": kind,
        "schema": SCHEMA_FILES[(kind, opts.flavor)],
        "flavor_applies": uses_flavor(kind),
        "options": opts.describe(),
        "counts": {"total": len(kept), "splits": {n: len(rows) for n, rows in splits.items()}},
        "sessions": {n: len({r.example.session_key for r in rows}) for n, rows in splits.items()},
        "files": {n: f"{n}.{ext}" for n, rows in splits.items() if rows},
        "labels": {"field": LABEL_FIELD[kind], **label_stats(labels)},
        "intents": _sorted_counts(Counter(r.example.intent or "<none>" for r in kept)),
        "length": _length_stats(lengths),
        "sources": _sorted_counts(Counter(r.example.source for r in kept)),
        "trust": _sorted_counts(trust),
        "mean_trust": round(
            sum(TRUST_SCORE.get(t, 0.0) * n for t, n in trust.items()) / len(kept), 6
        )
        if kept
        else 0.0,
        "duplicates_removed": report.duplicates_removed,
        "excluded": _sorted_counts(+excluded),
        "excluded_by_consent": report.excluded.get("consent", 0),
        "read": _sorted_counts(report.read),
        "surrogate_fallbacks": report.surrogate_fallbacks,
        "masking": {"mode": opts.mask, "statement": MASKING[opts.mask]},
        "quality": {
            "min_quality": opts.gates.kinds[kind].min_quality,
            "mean": round(statistics.fmean(scores), 3) if scores else 0.0,
            "min": min(scores) if scores else 0.0,
            "below_min": sum(s < opts.gates.kinds[kind].min_quality for s in scores),
            "components_mean": {
                c: round(statistics.fmean(a.components[c] for a in assessed), 4)
                for c in (assessed[0].components if assessed else {})
            },
        },
        "difficulty": _sorted_counts(Counter(difficulties)),
        "categories": _sorted_counts(Counter(categories)),
        "quality_gates": [g.as_dict() for g in gates],
        "quality_gates_passed": all(g.passed for g in gates),
        "delta_versions": dict(sorted(report.delta_versions.items())),
    }
    return PreparedExport(kind, opts, splits, meta, gates)


def _provenance(kind: str, split: str, line: int, row: FormattedRow) -> dict[str, Any]:
    ex = row.example
    return {
        "example_id": row.example_id,
        "split": split,
        "line": line,
        "row_sha256": _sha256(canonical_json(row.row)),
        "kind": kind,
        "event_ids": ex.event_ids,
        "session_id": ex.session_id,
        "ts": ex.ts.isoformat() if ex.ts else None,
        "intent": ex.intent,
        "trust": ex.trust,
        "source": ex.source,
        "candidate_id": ex.candidate_id,
        "cluster_id": ex.cluster_id,
        "cluster_size": ex.cluster_size,
        **row.extra,
    }


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_audit(folder: Path) -> dict[str, Any]:
    """The lake's leakage audit over the staged files (imported lazily: it is a heavy scan)."""
    try:
        from pipelines.pii.audit import audit_files
    except ImportError:
        return {"status": "unavailable", "blocking": 0, "warnings": 0, "by_type": {}}
    rep: Any = audit_files(str(folder))
    blocking = rep.blocking if isinstance(rep.blocking, int) else len(rep.blocking)
    by_type = rep.counts() if hasattr(rep, "counts") else dict(rep.by_type)
    total = sum(int(v) for v in by_type.values())
    return {
        "status": "failed" if blocking else "passed",
        "blocking": blocking,
        "warnings": total - blocking,
        "by_type": {str(k): int(by_type[k]) for k in sorted(by_type)},
    }


def write_prepared(
    out_root: Path,
    prepared: PreparedExport,
    name: str,
    audit: AuditFn = default_audit,
    *,
    hold_on_drop: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """Stage, audit, checksum and publish one version; returns its path and final metadata.

    With ``hold_on_drop`` a version whose quality fell more than 10% against ``latest`` is
    published but not promoted (``metadata.promoted`` is false, ``latest`` stays)."""
    kind = prepared.kind
    kind_dir = out_root / kind
    kind_dir.mkdir(parents=True, exist_ok=True)
    staging = stage(kind_dir, name)
    meta = dict(prepared.metadata)
    try:
        provenance: list[dict[str, Any]] = []
        parquet = prepared.options.fmt == "parquet"
        splits = prepared.splits if parquet else {}
        flat = {s: [for_parquet(kind, r.row) for r in rows] for s, rows in splits.items()}
        schema = parquet_schema([r for rows in flat.values() for r in rows]) if parquet else None
        for split, rows in prepared.splits.items():
            if not rows:
                continue
            if parquet:
                data = encode_parquet(flat[split], schema)
            else:
                data = encode_jsonl([r.row for r in rows])
            (staging / meta["files"][split]).write_bytes(data)
            provenance.extend(_provenance(kind, split, i, r) for i, r in enumerate(rows))
        digest = hashlib.sha256()
        for split in sorted(meta["files"]):
            if (staging / meta["files"][split]).exists():
                digest.update((staging / meta["files"][split]).read_bytes())
        meta["data_digest"] = digest.hexdigest()
        lines = [canonical_json(p) for p in provenance]
        (staging / "provenance.jsonl").write_bytes("".join(f"{x}\n" for x in lines).encode())
        (staging / "README.md").write_bytes(render_card(meta).encode("utf-8"))
        # The audit reads the options (a surrogate export holds fake names on purpose); the
        # metadata is written again, complete, once the audit's outcome is in it.
        (staging / "metadata.json").write_bytes(encode_json(meta))
        outcome = audit(staging)
        if outcome.get("blocking"):
            types = ", ".join(f"{k}={v}" for k, v in outcome.get("by_type", {}).items())
            raise ExportError(
                f"leakage audit blocked the {kind} export: {outcome['blocking']} finding(s)"
                + (f" ({types})" if types else "")
                + "; nothing was published"
            )
        previous = latest_name(kind_dir)
        before = read_metadata(kind_dir / previous) if previous else None
        drops = [c for c in compare_metadata(before, meta) if c.dropped] if before else []
        meta["quality_warnings"] = [c.line() for c in drops]
        meta["promoted"] = not (hold_on_drop and drops)
        meta["leakage_audit"] = outcome
        (staging / "metadata.json").write_bytes(encode_json(meta))
        (staging / "SHA256SUMS").write_bytes(sha256sums(staging))
        return publish(staging, kind_dir, name, promote=meta["promoted"]), meta
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def export_kinds(
    cfg: LakeConfig,
    kinds: Sequence[str],
    opts: ExportOptions,
    out_root: str | Path,
    *,
    now: datetime | None = None,
    audit: AuditFn = default_audit,
) -> list[ExportResult]:
    """Export each kind as a new version under ``out_root/<kind>/``.

    With ``strict``, every kind is prepared first and nothing is written if any gate fails, and
    a version whose quality dropped more than 10% is written but ``latest`` stays where it was.
    A kind with no rows at all is reported and not written.
    """
    root = Path(out_root)
    moment = now or datetime.now(UTC)  # one version name for every kind of this run
    cache: dict[str, Any] = {}  # silver is read once for all kinds, at one version
    prepared = [prepare_export(cfg, kind, opts, cache) for kind in kinds]
    if opts.strict:
        failed = [p for p in prepared if not p.gates_passed]
        if failed:
            report = [line for p in failed for line in p.gate_lines()]
            names = ", ".join(
                f"{p.kind} ({', '.join(g.gate for g in p.gates if not g.passed)})" for p in failed
            )
            raise GateFailure(f"--strict: quality gates failed for {names}", report)
    results = []
    for p in prepared:
        result = ExportResult(
            p.kind,
            p.rows,
            dict(p.metadata["counts"]["splits"]),
            gate_lines=p.gate_lines(),
            gates_passed=p.gates_passed,
        )
        if p.rows == 0:
            result.skipped = "no rows to export"
        else:
            name = free_version_name(root / p.kind, moment)
            result.previous = latest_name(root / p.kind) if (root / p.kind).is_dir() else None
            result.path, meta = write_prepared(root, p, name, audit, hold_on_drop=opts.strict)
            result.warnings = list(meta["quality_warnings"])
            result.audit = meta["leakage_audit"]
            result.promoted = meta["promoted"]
            if result.previous is not None:
                before = read_metadata(root / p.kind / result.previous)
                result.quality_drops = [c for c in compare_metadata(before, meta) if c.dropped]
        results.append(result)
    return results
