"""Masking every field of a silver record that can carry personal data.

Free text is masked by the Swedish PII masker; structured values (slots, tool arguments, system
state) are masked recursively, value by value; ``user_id`` becomes a keyed pseudonym. In
surrogate mode one ``SurrogateMap`` per session keeps a dialogue coherent (the same name maps to
the same fake name throughout a conversation).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pipelines.pii import PiiMasker, SurrogateMap, pseudonymize_user_id

TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "turns": ("text", "output_text", "rag_query"),
    "tool_calls": ("result", "error"),
    "rag_pairs": ("query",),
    "test_results": ("root_cause", "message", "stack_trace", "test_scenario", "test_name"),
    "feedback": ("comment", "preferred_answer"),
}
JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "turns": ("slots", "alternatives"),
    "tool_calls": ("args",),
    "rag_pairs": (),
    "test_results": ("system_state",),
    "feedback": (),
}
MASK_MODES = ("placeholder", "surrogate")


class RecordMasker:
    """Masks records table by table, keeping one surrogate map per session."""

    def __init__(self, masker: PiiMasker, key: bytes, mode: str = "placeholder") -> None:
        if mode not in MASK_MODES:
            raise ValueError(f"mask mode must be one of {', '.join(MASK_MODES)}")
        self.masker = masker
        self.key = key
        self.mode = mode
        self._maps: dict[str, SurrogateMap] = {}

    def _map(self, session: str | None) -> SurrogateMap | None:
        if self.mode != "surrogate":
            return None
        sid = session or ""
        if sid not in self._maps:
            self._maps[sid] = SurrogateMap(seed=sid)
        return self._maps[sid]

    def mask_text(self, text: str | None, session: str | None, counts: Counter[str]) -> str | None:
        if text is None:
            return None
        masked, entities = self.masker.mask(text, mode=self.mode, surrogates=self._map(session))
        counts.update(e.type for e in entities)
        return masked

    def mask_record(self, table: str, record: dict[str, Any]) -> Counter[str]:
        """Mask ``record`` in place; returns entity counts by type."""
        counts: Counter[str] = Counter()
        session = record.get("session_id")
        for name in TEXT_FIELDS[table]:
            if name in record:
                record[name] = self.mask_text(record[name], session, counts)
        for name in JSON_FIELDS[table]:
            if name in record:
                value = self.masker.mask_json(
                    record[name], mode=self.mode, surrogates=self._map(session), counts=counts
                )
                record[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if "user_id" in record:
            uid = record.pop("user_id")
            record["user_pseudo"] = pseudonymize_user_id(uid, self.key) if uid else None
        return counts
