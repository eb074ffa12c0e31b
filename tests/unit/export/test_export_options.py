"""Export options survive a trip through metadata.json (an erasure rewrites a version)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.export.options import ExportOptions


def test_options_are_rebuilt_from_their_description() -> None:
    opts = ExportOptions(fmt="parquet", flavor="openai", mask="surrogate", per_cluster=0,
                         weights="inverse-size", min_trust="silver", seed=7,
                         since=datetime(2025, 9, 1, tzinfo=UTC),
                         until=datetime(2025, 9, 3, tzinfo=UTC))  # fmt: skip
    assert ExportOptions.from_description(opts.describe()).describe() == opts.describe()
    assert ExportOptions.from_description({}).describe() == ExportOptions().describe()
