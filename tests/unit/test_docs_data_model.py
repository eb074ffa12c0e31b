"""docs/data-model.md must name every column the code writes."""

from __future__ import annotations

from pathlib import Path

from pipelines.bronze.ingest import EVENTS_SCHEMA, QUARANTINE_SCHEMA
from pipelines.gold.candidates import CANDIDATE_SCHEMA
from pipelines.gold.schemas import GOLD_SCHEMAS
from pipelines.governance.forget import REQUEST_SCHEMA
from pipelines.governance.retention import LEDGER_SCHEMA
from pipelines.observe.schemas import DQ_HOURLY, SLO_HOURLY
from pipelines.silver.schemas import SILVER_SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_every_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    schemas = [EVENTS_SCHEMA, QUARANTINE_SCHEMA, CANDIDATE_SCHEMA, *SILVER_SCHEMAS.values(),
               *GOLD_SCHEMAS.values(), LEDGER_SCHEMA, REQUEST_SCHEMA, DQ_HOURLY,
               SLO_HOURLY]  # fmt: skip
    missing = sorted({c for s in schemas for c in s if f"`{c}`" not in text})
    assert missing == []
