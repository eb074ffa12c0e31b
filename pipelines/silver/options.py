"""How silver is built: masking, dates, near-duplicate settings and worker processes."""

from __future__ import annotations

from dataclasses import dataclass

HOME_TZ = "Europe/Stockholm"


@dataclass(frozen=True)
class SilverOptions:
    mask_mode: str = "placeholder"
    demo: bool = False
    tz: str = HOME_TZ
    neardup_threshold: float | None = None
    neardup_window_days: int = 30
    # Processes that extract, mask and date hours while the calling process keeps the steps
    # that touch shared state (claims, near-duplicate assignment, writes). 0: decided per call
    # from its volume and the CPUs (see ``pipelines.silver.workers``); 1: all in this process.
    workers: int = 0
