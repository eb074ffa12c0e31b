"""One measured value, the unit every observability output is built from.

A run's figures are a flat list of :class:`Metric`; the run report (``metrics.csv``), the
Prometheus exposition, the HTML report and the alert rules all read that list, so a number is
computed once and shown the same everywhere. Names are the catalogue's (``catalogue.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# ok / warn / error: judged against a target or threshold; info: nothing to judge against.
Status = Literal["ok", "warn", "error", "info"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "error", "info")


@dataclass(frozen=True)
class Metric:
    """A value of a catalogue metric for one label set.

    ``scope`` says what the value covers: ``run`` (this run's work), ``hour:YYYY-MM-DDTHH``
    (one partition), ``window`` (the reporting window), ``lake`` (the tables as they stand).
    """

    name: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()
    status: Status = "info"
    scope: str = "run"
    timestamp: datetime | None = None
    target: float | None = None
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label(self, key: str, default: str = "") -> str:
        """The value of one label, or ``default``."""
        return dict(self.labels).get(key, default)

    @staticmethod
    def labelled(**labels: str) -> tuple[tuple[str, str], ...]:
        """Labels in a stable (sorted) order, so equal label sets compare equal."""
        return tuple(sorted(labels.items()))
