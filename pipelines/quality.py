"""Data-quality checks shared by the Dagster asset checks and the CLI.

Great Expectations is imported inside the function: it costs seconds and hundreds of MB, and
only checks need it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.io import delta
from pipelines.pii.audit import scan_text, walk_strings

_NON_TEXT = {"event_id", "hour", "session_id", "turn_id", "user_pseudo", "env", "cluster_id"}


@dataclass
class PartitionAudit:
    blocking: int = 0
    warnings: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def _holds_strings(dtype: Any) -> bool:
    """Whether a polars type is a string or holds strings (in lists, arrays or structs)."""
    if dtype == pl.Utf8:
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _holds_strings(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return any(_holds_strings(f.dtype) for f in dtype.fields)
    return False


def _strings(frame: pl.DataFrame) -> list[tuple[str, str]]:
    """(column, value) for every non-empty string in the frame's text columns, nested ones
    (lists, structs) included."""
    out: list[tuple[str, str]] = []
    for name, dtype in frame.schema.items():
        if name in _NON_TEXT or not _holds_strings(dtype):
            continue
        if dtype == pl.Utf8:
            out.extend((name, v) for v in frame[name].to_list() if v)
            continue
        for value in frame[name].to_list():
            out.extend((name, v) for _path, v in walk_strings(value, "") if v)
    return out


def audit_frames(frames: Sequence[pl.DataFrame]) -> PartitionAudit:
    """Strict residual-PII scan over every text column of the frames.

    ``*_surrogate`` columns hold fake names on purpose, so name-like residues are not counted
    there; every blocking type (personnummer, phone, e-mail, IBAN, card) still is."""
    report = PartitionAudit()
    types: Counter[str] = Counter()
    for frame in frames:
        for column, text in _strings(frame):
            surrogate = column.endswith("_surrogate")
            for finding in scan_text(text):
                if finding.blocking:
                    report.blocking += 1
                elif surrogate:
                    continue
                else:
                    report.warnings += 1
                types[finding.type] += 1
    report.by_type = dict(types)
    return report


def audit_partition(
    paths: Sequence[str], hour: str, storage_options: dict[str, str] | None = None
) -> PartitionAudit:
    frames = []
    for path in paths:
        df = delta.read_partition(path, "hour", hour, storage_options=storage_options)
        if df is not None:
            frames.append(df)
    return audit_frames(frames)


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
