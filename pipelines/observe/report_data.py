"""What the HTML report shows, read from the lake and the export directory for one window.

Every source may be missing (a lake built before the SLO tables existed, no export yet): its
field is then None and the page says so in the chart's place. Tables are read through their
declared schemas only, so a column nobody declared never reaches the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.options import ExportError
from pipelines.export.writer import list_versions
from pipelines.gold.candidates import count_reasons
from pipelines.io import delta
from pipelines.io.timestamps import hour_key, hour_start
from pipelines.observe.schemas import DQ_HOURLY, SLO_HOURLY


@dataclass(frozen=True)
class Window:
    """The hours shown: ``days`` × 24 hours ending with ``end`` (both keys inclusive)."""

    start: str
    end: str
    days: int

    @classmethod
    def ending(cls, end: str, days: int) -> Window:
        first = hour_start(end) - timedelta(hours=days * 24 - 1)
        return cls(hour_key(first), end, days)


@dataclass(frozen=True)
class ExportVersion:
    kind: str
    name: str
    created: datetime
    rows: int
    latest: bool


@dataclass(frozen=True)
class ReportData:
    window: Window
    slo: pl.DataFrame | None  # gold/slo_hourly rows in the window (SLO_HOURLY columns)
    dq: pl.DataFrame | None  # gold/dq_hourly rows in the window (DQ_HOURLY columns)
    candidates: dict[str, int] | None  # rule → gold candidates of the window's hours
    exports: list[ExportVersion] | None  # versions made since the window started


def _read(cfg: LakeConfig, name: str, schema: Mapping[str, Any]) -> pl.DataFrame | None:
    """The gold table in its declared columns and types; None when absent or not of that shape."""
    frame = delta.read_table(cfg.table("gold", name), storage_options=cfg.storage_options)
    if frame is None or not set(schema) <= set(frame.columns):
        return None
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def _newest_hour(*frames: pl.DataFrame | None) -> str | None:
    hours = [str(f["hour"].max()) for f in frames if f is not None and f.height]
    return max(hours) if hours else None


def _in_window(frame: pl.DataFrame | None, window: Window) -> pl.DataFrame | None:
    if frame is None:
        return None
    return frame.filter(pl.col("hour").is_between(pl.lit(window.start), pl.lit(window.end))).sort(
        "hour"
    )


def _candidates(cfg: LakeConfig, window: Window) -> dict[str, int] | None:
    frame = delta.read_table(
        cfg.table("gold", "candidates"),
        columns=["hour", "reasons"],
        storage_options=cfg.storage_options,
    )
    if frame is None:
        return None
    return count_reasons(
        frame.filter(pl.col("hour").is_between(pl.lit(window.start), pl.lit(window.end)))
    )


def _exports(cfg: LakeConfig, window: Window) -> list[ExportVersion] | None:
    root = Path(cfg.exports)
    if "://" in cfg.exports or not root.is_dir():
        return None
    since = hour_start(window.start)
    out = []
    for entry in list_versions(root):
        created = datetime.strptime(entry.name, "v%Y%m%d_%H%M%S").replace(tzinfo=UTC)
        total = (entry.metadata.get("counts") or {}).get("total")
        if created >= since and isinstance(total, int):
            out.append(ExportVersion(entry.kind, entry.name, created, total, entry.latest))
    return sorted(out, key=lambda v: (v.kind, v.created))


def load_report_data(cfg: LakeConfig, days: int, end: str | None = None) -> ReportData:
    """The last ``days`` days up to ``end`` (default: the newest hour the SLO/DQ tables hold,
    or the current hour when they hold none), so an older lake still shows its last days."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    slo = _read(cfg, "slo_hourly", SLO_HOURLY)
    dq = _read(cfg, "dq_hourly", DQ_HOURLY)
    window = Window.ending(end or _newest_hour(slo, dq) or hour_key(datetime.now(UTC)), days)
    try:
        exports = _exports(cfg, window)
    except ExportError:
        exports = None
    return ReportData(
        window=window,
        slo=_in_window(slo, window),
        dq=_in_window(dq, window),
        candidates=_candidates(cfg, window),
        exports=exports,
    )
