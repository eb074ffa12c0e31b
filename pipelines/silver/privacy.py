"""Masking every field of a silver record that can carry personal data.

Each text is analyzed once and rendered twice: with ``<TYPE>`` placeholders (the plain column)
and with consistent surrogates (``<field>_surrogate``: the same raw value maps to the same fake
Swedish value within a session, so dialogues stay coherent). Exports pick either rendering
without ever needing the raw value again. Structured values (slots, tool arguments, system
state) are masked value by value; ``user_id`` becomes a keyed pseudonym.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pipelines.pii import PiiMasker, SurrogateMap, pseudonymize_user_id
from pipelines.pii.masking import render
from pipelines.pii.person_fields import machine_text_entities
from pipelines.silver.schemas import SURROGATE_FIELDS

TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "turns": ("text", "output_text", "output_text_en", "rag_query", "test_scenario",
              "input_audio_ref", "tts_audio_ref"),
    "tool_calls": ("result", "error"),
    "rag_pairs": ("query",),
    "test_results": ("root_cause", "message", "stack_trace", "test_scenario", "test_name",
                     "user_impact", "system_stability", "input_text"),
    "feedback": ("comment", "preferred_answer"),
}  # fmt: skip
# Columns a program wrote (tool errors and results, test failures' causes and traces): the
# machine-text rule of ``person_fields`` applies on top of the recognizers.
# Test scenario ids ("asr_cafe_noise") are program-written too: the recognizers took whole ids
# for names, which erased the noise condition the WER SLOs are split by.
MACHINE_TEXT_FIELDS: dict[str, frozenset[str]] = {
    "turns": frozenset({"test_scenario"}),
    "tool_calls": frozenset({"result", "error"}),
    "test_results": frozenset({"root_cause", "message", "stack_trace", "test_scenario"}),
}
JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "turns": ("slots", "alternatives"),
    "tool_calls": ("args",),
    "rag_pairs": (),
    "test_results": ("system_state", "environment", "reproduction_steps", "response_content",
                     "metrics"),
    "feedback": (),
}  # fmt: skip


# JSON fields ``prepare`` keeps as rendered values after masking: the date step reads the turns'
# slots next and serialises them itself, saving a round trip through JSON text.
KEEP_OBJECTS: dict[str, frozenset[str]] = {"turns": frozenset({"slots"})}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class RecordMasker:
    """Masks records table by table, keeping one surrogate map per session."""

    def __init__(self, masker: PiiMasker, key: bytes) -> None:
        self.masker = masker
        self.key = key
        self._maps: dict[str, SurrogateMap] = {}

    def surrogates(self, session: str | None) -> SurrogateMap:
        sid = session or ""
        if sid not in self._maps:
            self._maps[sid] = SurrogateMap(scope=sid, key=self.key)
        return self._maps[sid]

    def mask_records(
        self, table: str, records: list[dict[str, Any]], keep_objects: frozenset[str] = frozenset()
    ) -> list[Counter[str]]:
        """Mask ``records`` in place; returns entity counts by type per record.

        JSON fields named in ``keep_objects`` holding a dict are left as rendered dicts instead
        of JSON text (``KEEP_OBJECTS``: for a caller that serialises them itself).

        Free-text fields are analyzed column by column in one batch, so the person model runs
        once over every text that needs it instead of once per text."""
        counts: list[Counter[str]] = [Counter() for _ in records]
        wants_surrogate = SURROGATE_FIELDS[table]
        machine = MACHINE_TEXT_FIELDS.get(table, frozenset())
        for name in TEXT_FIELDS[table]:
            texts = [r.get(name) for r in records]
            for i, (record, text, entities) in enumerate(
                zip(records, texts, self.masker.analyze_many(texts), strict=True)
            ):
                if text is None:
                    if name in wants_surrogate:
                        record[f"{name}_surrogate"] = None
                    continue
                if name in machine:
                    entities = machine_text_entities(text, entities)
                if entities:
                    counts[i].update(e.type for e in entities)
                record[name] = render(text, entities, "placeholder", None)
                if name in wants_surrogate:
                    smap = self.surrogates(record.get("session_id"))
                    record[f"{name}_surrogate"] = render(text, entities, "surrogate", smap)
        self._mask_structured(table, records, keep_objects)
        for record in records:
            if "user_id" in record:
                uid = record.pop("user_id")
                record["user_pseudo"] = pseudonymize_user_id(uid, self.key) if uid else None
        return counts

    def _mask_structured(
        self, table: str, records: list[dict[str, Any]], keep: frozenset[str]
    ) -> None:
        """Mask JSON-valued fields: every string leaf of every record in one batch (slot
        values repeat a lot, and each distinct one is analyzed once), rendered both ways in
        one walk; a value with nothing to mask is serialised once for both columns. Fields in
        ``keep`` stay rendered values."""
        wants_surrogate = SURROGATE_FIELDS[table]
        names = list(JSON_FIELDS[table])
        found = self.masker.analyze_json(r.get(name) for r in records for name in names)
        for record in records:
            smap = self.surrogates(record.get("session_id"))
            for name in names:
                if name not in record:
                    continue
                raw = record[name]
                if raw is None:  # absent stays absent, not the JSON text "null"
                    if name in wants_surrogate:
                        record[f"{name}_surrogate"] = None
                    continue
                kept = name in keep and isinstance(raw, dict)  # a dict renders as a dict
                if name not in wants_surrogate:
                    plain = self.masker.render_json(raw, found, "placeholder")
                    record[name] = plain if kept else _dumps(plain)
                    continue
                plain, fake = self.masker.render_json_both(raw, found, smap)
                if kept:
                    record[name], record[f"{name}_surrogate"] = plain, fake
                else:
                    record[name] = text = _dumps(plain)
                    record[f"{name}_surrogate"] = text if fake is plain else _dumps(fake)
