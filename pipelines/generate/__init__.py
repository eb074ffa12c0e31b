"""`kvarn generate`: realistic, deterministic Swedish assistant telemetry for the lake.

`generate()` writes `telemetry/YYYY-MM-DD/<producer>-<n>.jsonl` and the RAG documents
`docs/*.md` that the events' retrieval hits refer to; `sample_events()` gives valid events in
memory for tests of other modules. Lines are what the assistant's own `log_event` writes
(`producer.py`), except a `legacy_share` of them in kvarn's earlier dialect.
"""

from pipelines.generate.breakage import BROKEN_KINDS
from pipelines.generate.writer import GenerateStats, generate, sample_events

__all__ = ["BROKEN_KINDS", "GenerateStats", "generate", "sample_events"]
