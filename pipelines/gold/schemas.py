"""Column contracts of the gold training tables, shared by the gold builders and the exporter.

Conversation columns hold JSON text in a neutral chat form:
``[{"role": "user"|"assistant"|"tool", "content": str, "name"?: str,
   "tool_calls"?: [{"name": str, "arguments": {…}}]}]``; the exporter turns it into TRL or
OpenAI flavour. Every text exists twice: ``<TYPE>`` placeholders (the plain column) and
consistent surrogates (``*_surrogate``), so an export can choose its masking without raw data.
Every row carries provenance: the silver event ids it came from and the Delta versions read.
"""

from __future__ import annotations

from typing import Any

import polars as pl

_TS = pl.Datetime("us", "UTC")

# Trust levels, highest first: a reviewer decided; a rule inferred it (semi-automatic gold).
TRUST_LEVELS = ("reviewed", "auto")

_PROVENANCE: dict[str, Any] = {
    "example_id": pl.Utf8,  # stable: sha256 of kind + sorted source event ids (+ variant)
    "kind": pl.Utf8,  # sft | dpo | rag | nlu
    "event_ids": pl.List(pl.Utf8),  # silver event ids (= canonical event hashes)
    "session_id": pl.Utf8,
    "ts": _TS,  # event time of the newest source event
    "hour": pl.Utf8,  # its partition value
    "env": pl.Utf8,
    "intent": pl.Utf8,
    "trust": pl.Utf8,  # reviewed | auto
    # review | labelstudio | feedback_positive | feedback_preferred | retry_pair | rag_feedback
    # | rag_answer
    "source": pl.Utf8,
    "candidate_id": pl.Utf8,  # null for automatic rows
    "cluster_id": pl.Utf8,
    "cluster_size": pl.Int64,
    "delta_versions": pl.Utf8,  # JSON {"silver/turns": 12, ...}
    "built_at": _TS,
}

SFT: dict[str, Any] = {
    **_PROVENANCE,
    "messages": pl.Utf8,
    "messages_surrogate": pl.Utf8,
    "tools": pl.Utf8,  # JSON list of {"name", "parameters": JSON-schema} seen in the messages
}
DPO: dict[str, Any] = {
    **_PROVENANCE,
    "prompt": pl.Utf8,  # JSON messages up to and including the last user turn
    "prompt_surrogate": pl.Utf8,
    "chosen": pl.Utf8,  # assistant answer text
    "chosen_surrogate": pl.Utf8,
    "rejected": pl.Utf8,
    "rejected_surrogate": pl.Utf8,
}
RAG: dict[str, Any] = {
    **_PROVENANCE,
    "anchor": pl.Utf8,  # the (masked) query
    "anchor_surrogate": pl.Utf8,
    "positive_doc_id": pl.Utf8,
    "negative_doc_ids": pl.List(pl.Utf8),
}
NLU: dict[str, Any] = {
    **_PROVENANCE,
    "text": pl.Utf8,
    "text_surrogate": pl.Utf8,
    "slots": pl.Utf8,  # JSON object
}

GOLD_SCHEMAS: dict[str, dict[str, Any]] = {"sft": SFT, "dpo": DPO, "rag": RAG, "nlu": NLU}
