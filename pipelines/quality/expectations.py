"""Great Expectations suite over hours of silver turns (a Dagster asset check).

Great Expectations is imported inside the function: it costs seconds and hundreds of MB, and
only checks need it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass
class ExpectationOutcome:
    success: bool
    results: list[dict[str, Any]]


COLUMNS = ("event_id", "confidence", "ts", "hour")


def expectations_for_hours(
    turns_by_hour: Mapping[str, pl.DataFrame | None],
) -> dict[str, ExpectationOutcome]:
    """Validate hours of silver turns (hour → its partition) with one suite run over them all.

    Every row carries the hour whose partition it was read from, so one validation checks each
    hour as strictly as a run per hour would (ids unique within their hour, rows inside their
    own hour) at one run's fixed cost. When it fails, each hour is validated again on its own,
    so the outcome names the hours that failed."""
    frames = {
        hour: turns.select(COLUMNS).with_columns(partition=pl.lit(hour))
        for hour, turns in turns_by_hour.items()
        if turns is not None and turns.height
    }
    out = {hour: ExpectationOutcome(True, []) for hour in turns_by_hour if hour not in frames}
    if not frames:
        return out
    together = _validate(pl.concat(list(frames.values()), how="vertical_relaxed"))
    if together.success or len(frames) == 1:
        return out | {hour: together for hour in frames}
    return out | {hour: _validate(frame) for hour, frame in frames.items()}


def expectations_for_turns(turns: pl.DataFrame | None, hour: str) -> ExpectationOutcome:
    """Validate one hour of silver turns with the Great Expectations suite."""
    return expectations_for_hours({hour: turns})[hour]


def _validate(turns: pl.DataFrame) -> ExpectationOutcome:
    """The suite over turns with a ``partition`` column (the hour each row was read from)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        ctx.data_sources.add_pandas("silver")
        .add_dataframe_asset("turns")
        .add_batch_definition_whole_dataframe("hours")
        .get_batch(batch_parameters={"dataframe": turns.to_pandas()})
    )
    suite = gx.ExpectationSuite(name="silver_turns")
    suite.add_expectation(
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["partition", "event_id"])
    )
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="event_id"))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="confidence", min_value=0.0, max_value=1.0, mostly=1.0
        )
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnPairValuesToBeEqual(column_A="hour", column_B="partition")
    )
    result = batch.validate(suite)
    rows = []
    for r in result.results:
        conf = r.expectation_config
        kwargs = conf.kwargs if conf else {}
        rows.append(
            {
                "expectation": conf.type if conf else None,
                "column": kwargs.get("column")
                or ",".join(kwargs.get("column_list") or [])
                or ",".join(c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c)
                or None,
                "success": bool(r.success),
            }
        )
    return ExpectationOutcome(bool(result.success), json.loads(json.dumps(rows)))
