"""Compare two export versions; a drop of more than 10% in quality is worth a warning.

The same comparison runs automatically against the previous ``latest`` when a version is
written, and its warnings go into that version's metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DROP_WARN = 0.10


@dataclass
class MetricChange:
    name: str
    before: float
    after: float

    @property
    def change(self) -> float | None:
        if self.before == 0:
            return None
        return (self.after - self.before) / self.before

    @property
    def dropped(self) -> bool:
        change = self.change
        return change is not None and change < -DROP_WARN

    def line(self) -> str:
        change = self.change
        pct = "n/a" if change is None else f"{change:+.1%}"
        flag = "  WARNING: dropped more than 10%" if self.dropped else ""
        return f"{self.name}: {_fmt(self.before)} -> {_fmt(self.after)} ({pct}){flag}"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def quality_metrics(meta: dict[str, Any]) -> dict[str, float]:
    """The figures whose drop matters: counts, diversity and mean trust."""
    counts = meta.get("counts") or {}
    labels = meta.get("labels") or {}
    out: dict[str, float] = {"rows": float(counts.get("total", 0))}
    for split, n in sorted((counts.get("splits") or {}).items()):
        out[f"rows[{split}]"] = float(n)
    out["distinct_labels"] = float(labels.get("distinct", 0))
    out["label_entropy_bits"] = float(labels.get("entropy_bits", 0.0))
    out["mean_trust"] = float(meta.get("mean_trust", 0.0))
    return out


def compare_metadata(before: dict[str, Any], after: dict[str, Any]) -> list[MetricChange]:
    a, b = quality_metrics(before), quality_metrics(after)
    return [
        MetricChange(name, a.get(name, 0.0), b.get(name, 0.0)) for name in sorted(set(a) | set(b))
    ]


def quality_warnings(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Warning lines for every metric that fell by more than 10% (none without a predecessor)."""
    if before is None:
        return []
    return [c.line() for c in compare_metadata(before, after) if c.dropped]


def _example_ids(version_dir: Path) -> set[str]:
    path = version_dir / "provenance.jsonl"
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8") as fh:
        return {json.loads(line)["example_id"] for line in fh if line.strip()}


@dataclass
class VersionDiff:
    before: str
    after: str
    changes: list[MetricChange] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    kept: int = 0
    option_changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [c.line() for c in self.changes if c.dropped]

    def lines(self) -> list[str]:
        out = [f"{self.before} -> {self.after}"]
        out += [f"  {c.line()}" for c in self.changes]
        out.append(f"  examples: {self.kept} kept, {self.added} added, {self.removed} removed")
        for key, (a, b) in sorted(self.option_changes.items()):
            out.append(f"  option {key}: {a!r} -> {b!r}")
        out.append(
            f"  {len(self.warnings)} warning(s)" if self.warnings else "  no quality drop over 10%"
        )
        return out


def diff_versions(
    a_dir: Path, b_dir: Path, a_meta: dict[str, Any], b_meta: dict[str, Any]
) -> VersionDiff:
    """Metric changes and example-level churn (by example id) between two versions."""
    ids_a, ids_b = _example_ids(a_dir), _example_ids(b_dir)
    opts_a, opts_b = a_meta.get("options") or {}, b_meta.get("options") or {}
    option_changes = {
        k: (opts_a.get(k), opts_b.get(k))
        for k in sorted(set(opts_a) | set(opts_b))
        if opts_a.get(k) != opts_b.get(k)
    }
    return VersionDiff(
        before=f"{a_meta.get('kind', '?')}/{a_dir.name}",
        after=f"{b_meta.get('kind', '?')}/{b_dir.name}",
        changes=compare_metadata(a_meta, b_meta),
        added=len(ids_b - ids_a),
        removed=len(ids_a - ids_b),
        kept=len(ids_a & ids_b),
        option_changes=option_changes,
    )
