"""The script a user would write instead of kvarn: JSONL → presidio masking → dedupe → Parquet.

The fair peer of issue #18: read every landing JSONL file, skip lines that are not JSON
objects, drop exact duplicates by the event's own hash, mask every text value of every event
with a presidio ``AnalyzerEngine`` holding kvarn's Swedish recognizers (the engine kvarn's
``analyze_plain`` uses: kvarn's registry and person rules/model, no spaCy model) plus presidio's
``AnonymizerEngine`` (``<TYPE>`` placeholders), and write one Parquet file. Single process,
presidio used the documented way: ``BatchAnalyzerEngine.analyze_iterator`` over the texts of a
batch of events, the anonymizer only where something was found. It does not do what kvarn
adds on top: no validation, quarantine, late events, dates, near-duplicates, Delta tables.

    .venv/bin/python benchmarks/naive_peer.py --landing data/landing --out /tmp/peer.parquet
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl
from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
from presidio_anonymizer import AnonymizerEngine

from pipelines.pii.engine import LANGUAGE, PiiAnalyzer

# Keys skipped the way presidio's ``analyze_dict(keys_to_skip=...)`` is meant to be used:
# identifiers, enumerations and machine values the producers' format defines, never free text
# a person typed or heard. Everything else that is a string is masked.
SKIP_KEYS = frozenset(
    {"v", "event", "ts", "user_id", "session_id", "turn_id", "target_turn_id", "lang", "hash",
     "event_hash", "pii_masked", "delivery", "env", "consent_scopes", "intent",
     "expected_intent", "route", "state", "guardian_state", "brownout", "name", "voice", "cache",
     "model", "doc_id", "component"}
)  # fmt: skip
ALLOW_LIST = ["Alice"]
BATCH_EVENTS = 500


def build_engine() -> AnalyzerEngine:
    """presidio's engine with kvarn's registry (pattern recognizers, person rules and model)."""
    return PiiAnalyzer(allow_list=ALLOW_LIST).presidio


def read_events(landing: Path) -> Iterator[dict[str, Any]]:
    """Every JSON object of every ``*.jsonl`` under ``landing``, file by file."""
    for path in sorted(landing.rglob("*.jsonl")):
        with path.open("rb") as fh:
            for line in fh:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    if "hash" not in event and "event_hash" not in event:
                        event["_line_hash"] = hashlib.sha256(line.strip()).hexdigest()
                    yield event


def event_key(event: dict[str, Any]) -> str:
    return str(event.get("hash") or event.get("event_hash") or event.get("_line_hash"))


def _text_slots(value: Any, out: list[tuple[Any, Any]], container: Any, key: Any) -> None:
    """Collect (container, key) of every string leaf, to write masked text back in place."""
    if isinstance(value, str):
        if value:
            out.append((container, key))
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in SKIP_KEYS:
                _text_slots(v, out, value, k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _text_slots(v, out, value, i)


def mask_batch(
    events: list[dict[str, Any]], batch: BatchAnalyzerEngine, anonymizer: AnonymizerEngine
) -> int:
    """Mask every text value of ``events`` in place; returns how many texts were analysed."""
    slots: list[tuple[Any, Any]] = []
    for event in events:
        for key, value in event.items():
            if key not in SKIP_KEYS and not key.startswith("_"):
                _text_slots(value, slots, event, key)
    texts = [container[key] for container, key in slots]
    found = batch.analyze_iterator(texts, language=LANGUAGE, allow_list=ALLOW_LIST)
    for (container, key), text, results in zip(slots, texts, found, strict=True):
        if results:  # analyzer results go to the anonymizer as presidio documents it
            masked = anonymizer.anonymize(text=text, analyzer_results=results)  # type: ignore[arg-type]
            container[key] = masked.text
    return len(texts)


def run(landing: Path, out: Path) -> dict[str, float]:
    """Read, dedupe, mask and write; returns counts and seconds."""
    t0 = time.perf_counter()
    batch = BatchAnalyzerEngine(analyzer_engine=build_engine())
    anonymizer = AnonymizerEngine()
    t_setup = time.perf_counter() - t0
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    read = texts = 0
    for event in read_events(landing):
        read += 1
        key = event_key(event)
        if key in seen:
            continue
        seen.add(key)
        pending.append(event)
        if len(pending) >= BATCH_EVENTS:
            texts += mask_batch(pending, batch, anonymizer)
            rows.extend(_row(e) for e in pending)
            pending = []
    if pending:
        texts += mask_batch(pending, batch, anonymizer)
        rows.extend(_row(e) for e in pending)
    out.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=ROW_SCHEMA).write_parquet(out)
    return {"events_read": read, "events_written": len(rows), "texts": texts,
            "setup_s": t_setup, "total_s": time.perf_counter() - t0}  # fmt: skip


ROW_SCHEMA = {"hash": pl.Utf8, "event": pl.Utf8, "ts": pl.Utf8, "session_id": pl.Utf8,
              "user_id": pl.Utf8, "payload": pl.Utf8}  # fmt: skip


def _row(event: dict[str, Any]) -> dict[str, Any]:
    event.pop("_line_hash", None)
    return {
        "hash": event_key(event),
        "event": event.get("event"),
        "ts": None if event.get("ts") is None else str(event.get("ts")),
        "session_id": event.get("session_id"),
        "user_id": event.get("user_id"),
        "payload": json.dumps(event, ensure_ascii=False),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--landing", type=Path, required=True, help="landing dir (or its telemetry/)")
    ap.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    args = ap.parse_args()
    if not args.landing.is_dir():
        ap.error(f"--landing {args.landing} is not a directory (hint: kvarn generate --out DIR)")
    telemetry = args.landing / "telemetry"
    stats = run(telemetry if telemetry.is_dir() else args.landing, args.out)
    print(
        f"peer: {stats['events_read']:,} events read, {stats['events_written']:,} written, "
        f"{stats['texts']:,} texts masked in {stats['total_s']:.1f} s "
        f"(setup {stats['setup_s']:.1f} s)"
    )


if __name__ == "__main__":
    main()
