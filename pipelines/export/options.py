"""What a user can ask of an export, validated in one place so the CLI and Dagster agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class GateConfig:
    """Quality gates. A gate that fails warns, or stops the export with ``--strict``."""

    min_rows: int = 10
    min_labels: int = 2
    max_label_share: float = 0.6
    min_chars: int = 2
    max_chars: int = 8000
    max_length_drop_share: float = 0.05

    def describe(self) -> dict[str, Any]:
        return {
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
