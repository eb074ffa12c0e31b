"""Great Expectations suite over an hour of silver turns (a Dagster asset check).

Great Expectations is imported inside the function: it costs seconds and hundreds of MB, and
only checks need it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass
class ExpectationOutcome:
    success: bool
    results: list[dict[str, Any]]


def expectations_for_turns(turns: pl.DataFrame | None, hour: str) -> ExpectationOutcome:
    """Validate one hour of silver turns with a Great Expectations suite."""
    if turns is None or turns.height == 0:
        return ExpectationOutcome(True, [])
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    pdf = turns.select("event_id", "confidence", "ts", "hour").to_pandas()
    batch = (
        ctx.data_sources.add_pandas("silver")
        .add_dataframe_asset("turns")
        .add_batch_definition_whole_dataframe("hour")
        .get_batch(batch_parameters={"dataframe": pdf})
    )
    suite = gx.ExpectationSuite(name="silver_turns")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="event_id"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="event_id"))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="confidence", min_value=0.0, max_value=1.0, mostly=1.0
        )
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeInSet(column="hour", value_set=[hour])
    )
    result = batch.validate(suite)
    rows = []
    for r in result.results:
        conf = r.expectation_config
        rows.append(
            {
                "expectation": conf.type if conf else None,
                "column": conf.kwargs.get("column") if conf else None,
                "success": bool(r.success),
            }
        )
    return ExpectationOutcome(bool(result.success), json.loads(json.dumps(rows)))
