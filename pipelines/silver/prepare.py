"""The part of an hour's silver build that needs nothing but the hour's kept events.

Extraction, PII masking and date normalization read no table and write none: their result
depends only on the events, the options and the pseudonym key. That makes this step the one
that can run in another process (``pipelines.silver.workers``) while the calling process takes
the next hour's exact-dedupe claims and assigns near-duplicate clusters in order.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from pipelines.dates import normalize_slots, normalize_text
from pipelines.io import json_exact
from pipelines.pii import get_masker
from pipelines.silver.extract import Extracted, extract_event
from pipelines.silver.options import SilverOptions
from pipelines.silver.privacy import KEEP_OBJECTS, RecordMasker
from pipelines.silver.schemas import SILVER_SCHEMAS, frame

CHUNK_EVENTS = 4096
"""Events extracted, masked and dated together: an hour of 20,000 events held as Python
records at once cost hundreds of MB; a chunk's records become compact frames before the next."""


@dataclass
class Prepared:
    """An hour's silver tables before near-duplicate clustering, and what was found on the way."""

    frames: dict[str, pl.DataFrame]
    pii_entities: Counter[str] = field(default_factory=Counter)
    dates_found: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)


def _dedupe_text(masked: str, spans: list[tuple[int, int]]) -> str:
    """Masked text with each date expression replaced by ``<DATE>``, for clustering."""
    out, last = [], 0
    for start, end in spans:
        out.append(masked[last:start])
        out.append("<DATE>")
        last = end
    out.append(masked[last:])
    return "".join(out)


def normalize_turn_dates(turn: dict[str, Any], tz: str, mask_mode: str = "placeholder") -> int:
    """Resolve relative dates in a masked turn against its own event time.

    ``text_normalized`` uses the run's mask mode (placeholders or surrogates); the dedupe key
    always uses placeholders, so utterances differing only in names and dates collapse."""
    ref = turn["ts"].astimezone(ZoneInfo(tz))
    text = turn.get("text") or ""
    normalized, matches = normalize_text(text, ref, tz)
    if mask_mode == "surrogate":
        normalized, _ = normalize_text(turn.get("text_surrogate") or "", ref, tz)
    turn["text_normalized"] = normalized
    turn["dedupe_text"] = _dedupe_text(text, [(m.start, m.end) for m in matches])
    turn["dates"] = json.dumps(
        [
            {**m.to_contract(), "kind": m.kind,
             "end_value": m.end_value.isoformat() if m.end_value else None}
            for m in matches
        ],
        ensure_ascii=False,
    )  # fmt: skip
    for column in ("slots", "slots_surrogate"):
        # JSON text, or the rendered dict masking left for this step (``KEEP_OBJECTS``)
        value = turn.get(column)
        slots = value if isinstance(value, dict) else json.loads(value) if value else {}
        if isinstance(slots, dict):
            normalized_slots = normalize_slots(slots, ref, tz)
            turn[column] = json.dumps(normalized_slots, ensure_ascii=False, sort_keys=True)
    return len(matches)


def prepare_hour(kept: pl.DataFrame, hour: str, opts: SilverOptions, key: bytes) -> Prepared:
    """Extract, mask and date one hour's kept events (``event_id``, ``ts``, ``raw``), a chunk
    at a time, with one surrogate map per session for the whole hour."""
    masker = RecordMasker(get_masker(), key)
    out = Prepared(frames={})
    parts: dict[str, list[pl.DataFrame]] = {table: [] for table in SILVER_SCHEMAS}
    for chunk in kept.select("event_id", "ts", "raw").iter_slices(CHUNK_EVENTS):
        extracted = Extracted()
        for event_id, ts, raw in chunk.iter_rows():
            extract_event(extracted, json_exact.loads(raw), event_id, hour, ts)
        for table in SILVER_SCHEMAS:
            records = getattr(extracted, table)
            keep = KEEP_OBJECTS.get(table, frozenset())
            counts_of = masker.mask_records(table, records, keep)
            for record, counts in zip(records, counts_of, strict=True):
                if counts:  # most records hold nothing to mask: skip the two calls
                    out.pii_entities.update(counts)
                if table == "turns":
                    found = json.dumps(dict(sorted(counts.items()))) if counts else "{}"
                    record["pii_entities"] = found
                    record["mask_mode"] = opts.mask_mode
        turns = extracted.turns
        out.dates_found += sum(normalize_turn_dates(t, opts.tz, opts.mask_mode) for t in turns)
        out.preview.extend(
            {"turn_id": t["turn_id"], "intent": t["intent"], "text": t["text_normalized"]}
            for t in turns[: 5 - len(out.preview)]
        )
        for table in SILVER_SCHEMAS:
            parts[table].append(frame(table, getattr(extracted, table)))
    out.frames = {
        table: pl.concat(parts[table], how="vertical_relaxed") if parts[table] else frame(table, [])
        for table in SILVER_SCHEMAS
    }
    return out
