"""The data-quality thresholds users edit, and how a value is judged against them.

The shipped ``thresholds.yaml`` is the default; ``<data>/config/thresholds.yaml`` or the file
named by ``KVARN_DQ_THRESHOLDS`` replaces it. Every mistake (unknown metric, missing bound,
bounds in the wrong order) is one :class:`ThresholdsError`, so a typo never silences a check.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from pipelines.observe.metric import Status

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
ENV_VAR = "KVARN_DQ_THRESHOLDS"
# The figures a threshold may be set for (the others in gold/dq_hourly are informational).
THRESHOLDED = (
    "quarantine_rate", "schema_compliance", "duplicate_rate_exact", "duplicate_rate_near",
    "masking_residuals", "consent_coverage", "retention_compliance", "freshness_hours",
)  # fmt: skip
Comparison = Literal[">", "<"]


class ThresholdsError(ValueError):
    """A thresholds file that cannot be applied as written."""


@dataclass(frozen=True)
class Threshold:
    """Bounds of one figure: ``value <comparison> bound`` is a breach."""

    comparison: Comparison
    warn: float
    error: float

    def judge(self, value: float | None) -> Status:
        """ok, warn or error; a missing value (nothing measured) is an error to look at."""
        if value is None or math.isnan(value):
            return "error"
        if self._breaches(value, self.error):
            return "error"
        return "warn" if self._breaches(value, self.warn) else "ok"

    def _breaches(self, value: float, bound: float) -> bool:
        return value > bound if self.comparison == ">" else value < bound


@dataclass(frozen=True)
class Thresholds:
    by_metric: dict[str, Threshold]
    retention_grace_hours: float
    source: str


def thresholds_path(data_dir: str | None = None) -> Path:
    """Which file applies: the env variable, else ``<data>/config/thresholds.yaml`` when it
    exists, else the shipped default."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    if data_dir and "://" not in data_dir:
        own = Path(data_dir) / "config" / "thresholds.yaml"
        if own.is_file():
            return own
    return DEFAULT_THRESHOLDS


def _number(source: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ThresholdsError(f"{source}: {where} must be a number, not {value!r}")
    return float(value)


def _threshold(source: Path, name: str, raw: Any) -> Threshold:
    if not isinstance(raw, dict) or set(raw) != {"comparison", "warn", "error"}:
        raise ThresholdsError(f"{source}: {name} needs exactly comparison, warn and error")
    comparison = raw["comparison"]
    if comparison not in (">", "<"):
        raise ThresholdsError(f"{source}: {name}.comparison must be '>' or '<', not "
                              f"{comparison!r}")  # fmt: skip
    warn = _number(source, f"{name}.warn", raw["warn"])
    error = _number(source, f"{name}.error", raw["error"])
    if (comparison == ">" and warn > error) or (comparison == "<" and warn < error):
        raise ThresholdsError(f"{source}: {name}: warn ({warn:g}) must come before error "
                              f"({error:g}) for comparison {comparison!r}")  # fmt: skip
    return Threshold(comparison, warn, error)


def load_thresholds(path: str | Path | None = None, data_dir: str | None = None) -> Thresholds:
    """The thresholds in ``path`` (default: see :func:`thresholds_path`), validated."""
    source = Path(path) if path else thresholds_path(data_dir)
    try:
        raw: Any = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ThresholdsError(f"cannot read thresholds file {source}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ThresholdsError(f"{source}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("thresholds"), dict):
        raise ThresholdsError(f"{source}: expected a mapping with a 'thresholds' section")
    unknown = sorted(set(raw) - {"thresholds", "retention_grace_hours"})
    if unknown:
        raise ThresholdsError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    table: dict[str, Any] = raw["thresholds"]
    bad = sorted(set(table) - set(THRESHOLDED))
    if bad:
        raise ThresholdsError(f"{source}: unknown metric(s) {', '.join(map(str, bad))}; known: "
                              f"{', '.join(THRESHOLDED)}")  # fmt: skip
    missing = [m for m in THRESHOLDED if m not in table]
    if missing:
        raise ThresholdsError(f"{source}: missing threshold(s) for {', '.join(missing)}")
    grace = _number(source, "retention_grace_hours", raw.get("retention_grace_hours", 0))
    if grace < 0:
        raise ThresholdsError(f"{source}: retention_grace_hours must not be negative")
    by_metric = {name: _threshold(source, name, table[name]) for name in THRESHOLDED}
    return Thresholds(by_metric, grace, str(source))
