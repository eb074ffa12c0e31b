"""A run's metrics as Prometheus text exposition, and the textfile node_exporter picks up.

Prometheus reads kvarn two ways: node_exporter's textfile collector reads ``*.prom`` files from a
directory, and ``kvarn metrics serve`` answers ``/metrics`` from the same file. Both want one
complete file at all times, so it is written to a temporary name in the same directory and
renamed over the old one. Samples carry no timestamps: the textfile collector rejects them, and
the scrape time is the time the value holds for.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pipelines.config import LakeConfig
from pipelines.observe.catalogue import CATALOGUE, MetricSpec, spec
from pipelines.observe.metric import Metric

TEXTFILE_ENV = "KVARN_METRICS_TEXTFILE"
TEXTFILE_NAME = "kvarn.prom"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Families in catalogue order, so the exposition reads in the order the catalogue groups them.
_ORDER = {name: i for i, name in enumerate(CATALOGUE)}


class ExpositionError(ValueError):
    """A metric list that cannot be exposed as it stands (unknown name, wrong labels, …)."""


def escape_label_value(value: str) -> str:
    """Backslash, double quote and newline escaped, as the text format requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """Backslash and newline escaped (HELP text keeps its double quotes)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """Integers without a fraction, the special values as Prometheus spells them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _checked_spec(metric: Metric) -> MetricSpec:
    try:
        entry = spec(metric.name)
    except KeyError as exc:
        raise ExpositionError(str(exc.args[0])) from None
    if entry.kind == "counter" and not entry.name.endswith("_total"):
        raise ExpositionError(f"counter {entry.name!r} must end in _total")
    keys = [key for key, _ in metric.labels]
    if sorted(keys) != sorted(entry.labels) or len(set(keys)) != len(keys):
        raise ExpositionError(
            f"metric {metric.name!r} has labels {sorted(keys)}, "
            f"the catalogue declares {sorted(entry.labels)}"
        )
    for key in keys:
        if not _LABEL_NAME.match(key) or key.startswith("__"):
            raise ExpositionError(f"metric {metric.name!r}: {key!r} is not a label name")
    if entry.kind == "counter" and not metric.value >= 0:
        raise ExpositionError(f"counter {metric.name!r} is {metric.value}, counters are ≥ 0")
    return entry


def _sample_line(entry: MetricSpec, metric: Metric) -> str:
    values = dict(metric.labels)
    labels = ",".join(f'{key}="{escape_label_value(values[key])}"' for key in entry.labels)
    series = f"{entry.exposed_name}{{{labels}}}" if labels else entry.exposed_name
    return f"{series} {format_value(metric.value)}"


def render(metrics: Iterable[Metric]) -> str:
    """The text exposition of ``metrics``: each family once with HELP and TYPE, sorted.

    A name the catalogue lacks, labels other than the catalogue's, a negative counter or two
    values for one series raise :class:`ExpositionError` rather than a file Prometheus rejects.
    """
    families: dict[str, dict[tuple[str, ...], Metric]] = {}
    for metric in metrics:
        entry = _checked_spec(metric)
        series = families.setdefault(entry.name, {})
        key = tuple(dict(metric.labels)[label] for label in entry.labels)
        if key in series:
            raise ExpositionError(
                f"metric {metric.name!r} has two values for labels {dict(metric.labels)} "
                f"(scopes {series[key].scope!r} and {metric.scope!r})"
            )
        series[key] = metric
    lines: list[str] = []
    for name in sorted(families, key=_ORDER.__getitem__):
        entry = CATALOGUE[name]
        lines.append(f"# HELP {entry.exposed_name} {escape_help(entry.help)}")
        lines.append(f"# TYPE {entry.exposed_name} {entry.kind}")
        lines.extend(_sample_line(entry, families[name][key]) for key in sorted(families[name]))
    return "".join(line + "\n" for line in lines)


def write_textfile(metrics: Iterable[Metric], path: str | Path) -> Path:
    """Write the exposition to ``path`` atomically: a reader sees the old file or the new one.

    The temporary file lives in the same directory (a rename is atomic only within one file
    system) under a dot-name ending ``.tmp``, which the collector's ``*.prom`` glob skips.
    """
    target = Path(path)
    text = render(metrics)  # before any file is touched: a bad list leaves the old file alone
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # node_exporter usually runs as another user
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def textfile_path(cfg: LakeConfig) -> Path:
    """``$KVARN_METRICS_TEXTFILE``, else ``<data>/metrics/kvarn.prom``."""
    override = os.environ.get(TEXTFILE_ENV)
    if override:
        return Path(override)
    if "://" in cfg.data_dir:
        raise ExpositionError(
            f"the data directory {cfg.data_dir} is not on local disk: "
            f"set {TEXTFILE_ENV} to a local path for the metrics textfile"
        )
    return Path(cfg.data_dir) / "metrics" / TEXTFILE_NAME


def publish(cfg: LakeConfig, metrics: Iterable[Metric]) -> Path:
    """Write the run's metrics to the textfile Prometheus reads; returns its path."""
    return write_textfile(metrics, textfile_path(cfg))
