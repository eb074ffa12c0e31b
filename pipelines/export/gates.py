"""Quality gates on an export: enough rows, enough diversity, sane lengths.

Gates report rather than decide: the export writes anyway and records the results unless the user
asked for ``--strict``, in which case a failed gate stops it with a readable report.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.export.options import GateConfig, KindGates

# What "diversity" counts per kind: retrieval rows all share a few intents, so their documents
# are the label that must not collapse onto one value.
LABEL_FIELD = {"sft": "intent", "dpo": "intent", "rag": "positive_doc_id", "nlu": "intent"}


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    value: float
    limit: float
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "passed": self.passed,
            "value": round(self.value, 6),
            "limit": self.limit,
            "message": self.message,
        }


def text_length(row: Any, skip: frozenset[str] = frozenset({"tools"})) -> int:
    """Characters of every string in a record (tool schemas are not training text)."""
    if isinstance(row, str):
        return len(row)
    if isinstance(row, dict):
        return sum(text_length(v) for k, v in row.items() if k not in skip)
    if isinstance(row, list):
        return sum(text_length(v) for v in row)
    return 0


def within_length(length: int, cfg: GateConfig) -> bool:
    return cfg.min_chars <= length <= cfg.max_chars


def label_stats(labels: Sequence[str | None]) -> dict[str, Any]:
    """Distribution of labels: distinct count, top share and Shannon entropy in bits."""
    counts = Counter(label or "<none>" for label in labels)
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top_label, top = ranked[0] if ranked else ("", 0)
    entropy = -sum((n / total) * math.log2(n / total) for n in counts.values()) if total else 0.0
    return {
        "distinct": len(counts),
        "top": top_label,
        "top_share": round(top / total, 6) if total else 0.0,
        "entropy_bits": round(entropy, 6),
        "counts": dict(sorted(counts.items())),
    }


def evaluate_gates(
    kind: str, labels: Sequence[str | None], length_dropped: int, cfg: GateConfig
) -> list[GateResult]:
    """Every gate for ``kind`` over the rows that survived the length filter."""
    rows = len(labels)
    stats = label_stats(labels)
    field = LABEL_FIELD[kind]
    seen = rows + length_dropped
    drop_share = length_dropped / seen if seen else 0.0
    top_share = float(stats["top_share"])
    return [
        GateResult("min_rows", rows >= cfg.min_rows, rows, cfg.min_rows,
                   f"{rows} row(s), at least {cfg.min_rows} required"),
        GateResult("min_labels", stats["distinct"] >= cfg.min_labels, stats["distinct"],
                   cfg.min_labels,
                   f"{stats['distinct']} distinct {field} value(s), at least {cfg.min_labels} "
                   "required"),
        GateResult("max_label_share", rows == 0 or top_share <= cfg.max_label_share, top_share,
                   cfg.max_label_share,
                   f"most common {field} {stats['top']!r} is {top_share:.0%} of rows, at most "
                   f"{cfg.max_label_share:.0%} allowed"),
        GateResult("length_bounds", drop_share <= cfg.max_length_drop_share, drop_share,
                   cfg.max_length_drop_share,
                   f"{length_dropped} row(s) outside {cfg.min_chars}..{cfg.max_chars} characters "
                   f"({drop_share:.1%}), at most {cfg.max_length_drop_share:.0%} allowed"),
    ]  # fmt: skip


def gate_report(kind: str, results: Sequence[GateResult]) -> list[str]:
    """Human-readable lines, failures first."""
    ordered = sorted(results, key=lambda r: r.passed)
    lines = [f"{kind}: {'PASS' if r.passed else 'FAIL'} {r.gate}: {r.message}" for r in ordered]
    return lines


def evaluate_seed_gates(
    scores: Sequence[float],
    difficulties: Sequence[str],
    categories: Sequence[str],
    sources: Sequence[str],
    cfg: KindGates,
) -> list[GateResult]:
    """Seed 003's gates: quality per example, difficulty mix, category and source diversity."""
    rows = len(scores)
    below = [s for s in scores if s < cfg.min_quality]
    shares = {lvl: (difficulties.count(lvl) / rows if rows else 0.0) for lvl in cfg.difficulty}
    deviation = max((abs(shares[k] - t) for k, t in cfg.difficulty.items()), default=0.0)
    mix = " / ".join(f"{k} {shares[k]:.0%}" for k in cfg.difficulty)
    target = "/".join(f"{t:.0%}".rstrip("%") for t in cfg.difficulty.values())
    n_categories = len(set(categories))
    source_counts = Counter(sources)
    top_source, top_n = max(source_counts.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
    source_share = top_n / rows if rows else 0.0
    lowest = f" (lowest {min(scores):.1f})" if scores else ""
    return [
        GateResult("min_quality", not below, len(below), cfg.min_quality,
                   f"{len(below)} of {rows} example(s) score below {cfg.min_quality:g}{lowest}"),
        GateResult("difficulty_distribution", rows == 0 or deviation <= cfg.difficulty_tolerance,
                   deviation, cfg.difficulty_tolerance,
                   f"{mix}; target {target} ± {cfg.difficulty_tolerance:.0%}"),
        GateResult("min_categories", n_categories >= cfg.min_categories, n_categories,
                   cfg.min_categories,
                   f"{n_categories} categor{'y' if n_categories == 1 else 'ies'}, at least "
                   f"{cfg.min_categories} required"),
        GateResult("max_source_share", rows == 0 or source_share <= cfg.max_source_share,
                   source_share, cfg.max_source_share,
                   f"most common source {top_source!r} is {source_share:.0%} of rows, at most "
                   f"{cfg.max_source_share:.0%} allowed"),
    ]  # fmt: skip
