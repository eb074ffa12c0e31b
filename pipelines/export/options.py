"""What a user can ask of an export, validated in one place so the CLI and Dagster agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

KINDS = ("sft", "dpo", "rag", "nlu")
FORMATS = ("jsonl", "parquet")
FLAVORS = ("trl", "openai")
MIN_TRUST = ("reviewed", "auto", "silver")
MASKS = ("placeholder", "surrogate")
ENVS = ("prod", "test", "all")
WEIGHTS = ("none", "inverse-size")
DEFAULT_SPLIT = "train=0.9,validation=0.05,test=0.05"

# How much a row of each trust level is worth; `mean_trust` in metadata averages these.
TRUST_SCORE = {"reviewed": 1.0, "auto": 0.7, "silver": 0.4}


class ExportError(Exception):
    """A problem the user can fix (bad option, failed gate, blocked audit): one readable line."""


GATES_FILE = Path(__file__).with_name("gates.yaml")


@dataclass(frozen=True)
class KindGates:
    """The seed's gates for one export kind (``gates.yaml``)."""

    min_quality: float = 70.0
    difficulty: dict[str, float] = field(
        default_factory=lambda: {"easy": 0.3, "medium": 0.5, "hard": 0.2}
    )
    difficulty_tolerance: float = 0.1
    min_categories: int = 3
    max_source_share: float = 0.8

    def describe(self) -> dict[str, Any]:
        return {
            "min_quality": self.min_quality,
            "difficulty": dict(self.difficulty),
            "difficulty_tolerance": self.difficulty_tolerance,
            "min_categories": self.min_categories,
            "max_source_share": self.max_source_share,
        }


def load_kind_gates(path: str | Path | None = None) -> dict[str, KindGates]:
    """Per-kind gates from ``path`` (default: the shipped ``gates.yaml``), validated."""
    file = Path(path) if path else GATES_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ExportError(f"cannot read gates file {file}: {exc}") from None
    defaults = data.get("defaults") or {}
    out: dict[str, KindGates] = {}
    for kind in KINDS:
        merged = {**defaults, **((data.get("kinds") or {}).get(kind) or {})}
        try:
            gates = KindGates(**merged)
        except TypeError as exc:
            raise ExportError(f"{file}: {kind}: {exc}") from None
        levels = set(gates.difficulty)
        if levels != {"easy", "medium", "hard"} or abs(sum(gates.difficulty.values()) - 1) > 1e-6:
            raise ExportError(f"{file}: {kind}: difficulty needs easy, medium, hard summing to 1")
        if not 0 <= gates.min_quality <= 100:
            raise ExportError(f"{file}: {kind}: min_quality must be within 0..100")
        out[kind] = gates
    return out


@dataclass(frozen=True)
class GateConfig:
    """Quality gates. A gate that fails warns, or stops the export with ``--strict``."""

    min_rows: int = 10
    min_labels: int = 2
    max_label_share: float = 0.6
    min_chars: int = 2
    max_chars: int = 8000
    max_length_drop_share: float = 0.05
    kinds: dict[str, KindGates] = field(default_factory=load_kind_gates)

    def describe(self) -> dict[str, Any]:
        return {
            "kinds": {kind: g.describe() for kind, g in sorted(self.kinds.items())},
            "min_rows": self.min_rows,
            "min_labels": self.min_labels,
            "max_label_share": self.max_label_share,
            "min_chars": self.min_chars,
            "max_chars": self.max_chars,
            "max_length_drop_share": self.max_length_drop_share,
        }


@dataclass(frozen=True)
class ExportOptions:
    """Every knob of ``kvarn export``; the same options on the same lake give the same bytes."""

    fmt: str = "jsonl"
    flavor: str = "trl"
    split: str = DEFAULT_SPLIT
    seed: int = 42
    min_trust: str = "auto"
    keep_duplicates: bool = False  # the same as per_cluster=0
    per_cluster: int = 1  # examples kept per near-duplicate cluster; 0 keeps all
    weights: str = "none"  # "inverse-size": each row weighs 1 / its cluster's size
    mask: str = "placeholder"
    env: str = "prod"
    since: datetime | None = None
    until: datetime | None = None
    strict: bool = False
    min_confidence: float = 0.85
    license: str = "other"
    gates: GateConfig = field(default_factory=GateConfig)

    def validate(self) -> None:
        for name, value, allowed in (
            ("--format", self.fmt, FORMATS),
            ("--flavor", self.flavor, FLAVORS),
            ("--min-trust", self.min_trust, MIN_TRUST),
            ("--mask", self.mask, MASKS),
            ("--env", self.env, ENVS),
            ("--weights", self.weights, WEIGHTS),
        ):
            if value not in allowed:
                raise ExportError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
        if self.per_cluster < 0:
            raise ExportError("--per-cluster must be 0 (keep all) or more")
        if self.since and self.until and self.until <= self.since:
            raise ExportError("--until must be after --since")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ExportError("min_confidence must be within [0, 1]")

    @property
    def cluster_cap(self) -> int:
        """Examples kept per near-duplicate cluster (0: every one)."""
        return 0 if self.keep_duplicates else self.per_cluster

    @classmethod
    def from_description(cls, described: dict[str, Any]) -> ExportOptions:
        """The options a version's metadata.json describes (``describe``'s inverse), to write
        that version again; gate thresholds are the defaults (``gates.yaml``)."""
        defaults = cls()

        def moment(key: str) -> datetime | None:
            value = described.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            fmt=described.get("format", defaults.fmt),
            flavor=described.get("flavor", defaults.flavor),
            split=described.get("split", defaults.split),
            seed=int(described.get("seed", defaults.seed)),
            min_trust=described.get("min_trust", defaults.min_trust),
            per_cluster=int(described.get("per_cluster", defaults.per_cluster)),
            weights=described.get("weights", defaults.weights),
            mask=described.get("mask", defaults.mask),
            env=described.get("env", defaults.env),
            since=moment("since"),
            until=moment("until"),
            min_confidence=float(described.get("min_confidence", defaults.min_confidence)),
            license=described.get("license", defaults.license),
        )

    def describe(self) -> dict[str, Any]:
        """The options as they go into metadata.json (no wall-clock values)."""
        return {
            "format": self.fmt,
            "flavor": self.flavor,
            "split": self.split,
            "seed": self.seed,
            "min_trust": self.min_trust,
            "keep_duplicates": self.keep_duplicates,
            "per_cluster": self.cluster_cap,
            "weights": self.weights,
            "mask": self.mask,
            "env": self.env,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "strict": self.strict,
            "min_confidence": self.min_confidence,
            "license": self.license,
            "gates": self.gates.describe(),
        }
