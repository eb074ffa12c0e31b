"""SLO targets: the shipped defaults (``slo_targets.yaml``) and a user's file over them.

What a component measures, its unit and which way it is judged are fixed here (they follow from
the data); only the numbers are the user's. A user's file names the components it changes and
is found at ``KVARN_SLO_TARGETS`` or ``<data>/config/slo_targets.yaml``. Anything it cannot mean
(an unknown component or route, a value that is not a positive number, a ratio above 1) is one
:class:`SloTargetsError`, so a typo never silently turns into "always compliant".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from pipelines.config import join

DEFAULT_TARGETS = Path(__file__).with_name("slo_targets.yaml")
ENV_VAR = "KVARN_SLO_TARGETS"
Comparison = Literal["<", "<=", ">="]
ROUTES = ("micro", "planner", "deep")


Statistic = Literal["p95", "rate", "mean", "max"]


@dataclass(frozen=True)
class ComponentSpec:
    """How a component is judged: ``actual <comparison> target`` is compliant, where actual is
    the P95 (latencies), the share of successes (rates), the mean (WER) or the maximum (RAM)."""

    unit: str  # ms | ratio | mb
    comparison: Comparison
    statistic: Statistic
    routed: bool = False


COMPONENTS: dict[str, ComponentSpec] = {
    "voice_e2e": ComponentSpec("ms", "<", "p95"),
    "asr_partial": ComponentSpec("ms", "<", "p95"),
    "asr_final": ComponentSpec("ms", "<", "p95"),
    "guardian_response": ComponentSpec("ms", "<", "p95"),
    "llm_first_token": ComponentSpec("ms", "<", "p95", routed=True),
    "llm_completion": ComponentSpec("ms", "<", "p95", routed=True),
    "tts_cached": ComponentSpec("ms", "<", "p95"),
    "tts_uncached": ComponentSpec("ms", "<", "p95"),
    "tool_success": ComponentSpec("ratio", ">=", "rate"),
    "wer_clean": ComponentSpec("ratio", "<=", "mean"),
    "wer_noisy": ComponentSpec("ratio", "<=", "mean"),
    "intent_accuracy": ComponentSpec("ratio", ">=", "rate"),
    "ram_peak": ComponentSpec("mb", "<", "max"),
}


class SloTargetsError(ValueError):
    """An SLO targets file that cannot be applied as written."""


@dataclass(frozen=True)
class SloTarget:
    component: str
    route: str  # "" for components without routes
    target: float

    @property
    def spec(self) -> ComponentSpec:
        return COMPONENTS[self.component]


def targets_path(data_dir: str | None = None) -> Path | None:
    """The user's targets file: ``KVARN_SLO_TARGETS``, else ``<data>/config/slo_targets.yaml``
    when it exists; None means the shipped defaults alone."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    if data_dir and "://" not in data_dir:
        candidate = Path(join(data_dir, "config", "slo_targets.yaml"))
        if candidate.is_file():
            return candidate
    return None


def load_targets(data_dir: str | None = None, path: str | Path | None = None) -> list[SloTarget]:
    """Every target, the defaults overlaid with the user's file (``path`` or found); a routed
    component in that file changes or adds only the routes it names."""
    values = _parse(DEFAULT_TARGETS)
    source = Path(path) if path else targets_path(data_dir)
    if source is not None:
        for component, by_route in _parse(source).items():
            values.setdefault(component, {}).update(by_route)
    return [
        SloTarget(component, route, target)
        for component, by_route in values.items()
        for route, target in by_route.items()
    ]


def _read(source: Path) -> Any:
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise SloTargetsError(
            f"cannot read SLO targets {source}: {exc.strerror} (check {ENV_VAR})"
        ) from exc
    except yaml.YAMLError as exc:
        raise SloTargetsError(f"{source}: not valid YAML ({exc.__class__.__name__})") from exc


def _parse(source: Path) -> dict[str, dict[str, float]]:
    """Component → route ("" when unrouted) → target, validated."""
    raw = _read(source)
    if not isinstance(raw, dict):
        raise SloTargetsError(f"{source}: expected a mapping of component to target")
    unknown = sorted(str(k) for k in set(raw) - set(COMPONENTS))
    if unknown:
        raise SloTargetsError(
            f"{source}: unknown component(s) {', '.join(unknown)}; known: {', '.join(COMPONENTS)}"
        )
    out: dict[str, dict[str, float]] = {}
    for component, value in raw.items():
        spec = COMPONENTS[component]
        if spec.routed:
            if not isinstance(value, dict) or not value:
                raise SloTargetsError(
                    f"{source}: {component} needs a target per route ({', '.join(ROUTES)})"
                )
            bad = sorted(str(r) for r in set(value) - set(ROUTES))
            if bad:
                raise SloTargetsError(
                    f"{source}: {component}: unknown route(s) {', '.join(bad)}; "
                    f"known: {', '.join(ROUTES)}"
                )
            out[component] = {
                r: _number(source, f"{component}.{r}", v, spec) for r, v in value.items()
            }
        else:
            out[component] = {"": _number(source, component, value, spec)}
    return out


def _number(source: Path, name: str, value: Any, spec: ComponentSpec) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SloTargetsError(f"{source}: {name} must be a positive number, got {value!r}")
    if spec.unit == "ratio" and value > 1:
        raise SloTargetsError(f"{source}: {name} is a ratio between 0 and 1, got {value!r}")
    return float(value)
