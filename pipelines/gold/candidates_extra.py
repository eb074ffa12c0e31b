"""What the extra candidate rules see beyond one hour of turns.

Feedback and test results are read for the hour and the next one (a thumbs down usually arrives
seconds after the turn, sometimes across the hour boundary); intent frequencies over a trailing
window tell a rare or new intent from a common one; the test history (failure patterns, flaky
tests, regressions) comes from 30 days of test results. Loading lives here so that scoring itself
stays a pure function of frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.failure_patterns import FlywheelSettings, build_patterns, history_by_test
from pipelines.io import delta

_HOUR_FMT = "%Y-%m-%dT%H"
TEST_HISTORY_DAYS = 30
INTENT_STATS_SCHEMA = {
    "intent": pl.Utf8,
    "intent_count": pl.Int64,
    "window_turns": pl.Int64,
    "intent_share": pl.Float64,
    "prior_count": pl.Int64,
    "prior_turns": pl.Int64,
}


@dataclass(frozen=True)
class CandidateContext:
    """Frames the non-turn rules join against; None means the signal is unavailable."""

    feedback: pl.DataFrame | None = None
    test_results: pl.DataFrame | None = None
    intent_stats: pl.DataFrame | None = None
    test_history: pl.DataFrame | None = None


def shift_hour(hour: str, hours: int) -> str:
    return (datetime.strptime(hour, _HOUR_FMT) + timedelta(hours=hours)).strftime(_HOUR_FMT)


def intent_stats(window: pl.DataFrame, hour: str) -> pl.DataFrame:
    """Per intent: turns in the window (``hour`` and earlier) and in the earlier hours only."""
    if window.height == 0:
        return pl.DataFrame(schema=INTENT_STATS_SCHEMA)
    prior = window.filter(pl.col("hour") < hour)
    counts = window.group_by("intent").agg(pl.len().cast(pl.Int64).alias("intent_count"))
    prior_counts = prior.group_by("intent").agg(pl.len().cast(pl.Int64).alias("prior_count"))
    return (
        counts.join(prior_counts, on="intent", how="left")
        .filter(pl.col("intent").is_not_null())
        .with_columns(
            pl.col("prior_count").fill_null(0),
            pl.lit(window.height, pl.Int64).alias("window_turns"),
            (pl.col("intent_count") / window.height).alias("intent_share"),
            pl.lit(prior.height, pl.Int64).alias("prior_turns"),
        )
        .select(list(INTENT_STATS_SCHEMA))
        .sort("intent")
    )


@dataclass(frozen=True)
class ContextFrames:
    """What ``context_for`` slices per hour: read once for one hour or for many."""

    feedback: pl.DataFrame | None
    test_results: pl.DataFrame | None
    turns: pl.DataFrame | None  # hour, intent


def read_context(cfg: LakeConfig, hours: list[str], window_hours: int) -> ContextFrames:
    """Every frame the contexts of ``hours`` need, in one read per table."""
    so = cfg.storage_options
    nexts = sorted({h for hour in hours for h in (hour, shift_hour(hour, 1))})
    feedback = delta.read_table(cfg.table("silver", "feedback"), filters=[("hour", "in", nexts)],
                                storage_options=so)  # fmt: skip
    tests = delta.read_table(
        cfg.table("silver", "test_results"),
        filters=[("hour", ">=", shift_hour(min(hours), -24 * TEST_HISTORY_DAYS)),
                 ("hour", "<=", shift_hour(max(hours), 1))],
        storage_options=so,
    )  # fmt: skip
    window = sorted({shift_hour(hour, -i) for hour in hours for i in range(window_hours + 1)})
    turns = delta.read_table(cfg.table("silver", "turns"), filters=[("hour", "in", window)],
                             columns=["hour", "intent"], storage_options=so)  # fmt: skip
    return ContextFrames(feedback, tests, turns)


def context_for(
    frames: ContextFrames, hour: str, window_hours: int, flywheel: FlywheelSettings | None = None
) -> CandidateContext:
    """Feedback and test results of ``hour`` and the next hour; intent stats over the window;
    test history (failure patterns, flaky tests, regressions) from the test results up to the
    end of the next hour over ``TEST_HISTORY_DAYS`` — a bound that makes a rerun of the hour
    see the same history whatever ran since."""
    pair = [hour, shift_hour(hour, 1)]
    feedback = (
        frames.feedback.filter(pl.col("hour").is_in(pair)) if frames.feedback is not None else None
    )
    past = None
    if frames.test_results is not None:
        lo = shift_hour(hour, -24 * TEST_HISTORY_DAYS)
        past = frames.test_results.filter(pl.col("hour").is_between(pl.lit(lo), pl.lit(pair[1])))
    tests = past.filter(pl.col("hour").is_in(pair)) if past is not None else None
    history = None
    if past is not None and past.height:
        patterns, health = build_patterns(past, flywheel)
        history = history_by_test(patterns, health)
    stats = None
    if frames.turns is not None:
        hours = [shift_hour(hour, -i) for i in range(window_hours + 1)]
        stats = intent_stats(frames.turns.filter(pl.col("hour").is_in(hours)), hour)
    return CandidateContext(
        feedback=feedback, test_results=tests, intent_stats=stats, test_history=history
    )
