"""Silver record masking: every field that can carry PII, both renderings, coherent surrogates."""

from __future__ import annotations

import json

from pipelines.pii import get_masker
from pipelines.silver.privacy import RecordMasker

KEY = b"k" * 32
RAW = ["Erik Johansson", "070-123 45 67", "anna.svensson@example.se", "19121212-1212"]


def _turn(session: str) -> dict[str, object]:
    return {
        "session_id": session,
        "user_id": "u-42",
        "text": "ring Erik Johansson på 070-123 45 67",
        "output_text": "Ringer Erik Johansson nu.",
        "rag_query": None,
        "slots": {"contact": "Erik Johansson", "number": 46701234567},
        "alternatives": [],
    }


def test_no_raw_value_survives_in_any_field() -> None:
    masker = RecordMasker(get_masker(), KEY)
    records = [_turn("s1")]
    args = {"to": ["anna.svensson@example.se"], "pnr": "19121212-1212"}
    calls = [{"session_id": "s1", "args": args, "result": "skickat till 070-123 45 67",
              "error": None}]  # fmt: skip
    counts = masker.mask_records("turns", records)
    masker.mask_records("tool_calls", calls)
    blob = json.dumps(records + calls, ensure_ascii=False)
    for raw in [*RAW, "46701234567", "u-42"]:
        assert raw not in blob
    assert records[0]["text"] == "ring <PERSON> på <PHONE>"
    assert counts[0]["PERSON"] == 2 and counts[0]["PHONE"] == 1
    assert json.loads(str(calls[0]["args"])) == {"pnr": "<PERSONNUMMER>", "to": ["<EMAIL>"]}
    assert records[0]["user_pseudo"] and "user_id" not in records[0]


def test_surrogates_are_coherent_within_a_session() -> None:
    masker = RecordMasker(get_masker(), KEY)
    a, b = _turn("s1"), _turn("s2")
    masker.mask_records("turns", [a, b])
    fake_a = str(a["text_surrogate"]).removeprefix("ring ").split(" på ")[0]
    assert fake_a in str(a["output_text_surrogate"])  # same person, same fake name
    assert json.loads(str(a["slots_surrogate"]))["contact"] == fake_a
    assert fake_a != "Erik Johansson" and len(fake_a.split()) == 2
    phone_a = str(a["text_surrogate"]).split(" på ")[1]
    assert (
        json.loads(str(a["slots_surrogate"]))["number"]
        .replace(" ", "")
        .endswith(phone_a.replace("-", "").replace(" ", "")[1:])
    )  # the same number, written as a JSON integer, gets the same fake number
    assert a["user_pseudo"] == b["user_pseudo"]  # pseudonyms are per user, not per session


def test_kept_slots_dated_equal_slots_sent_as_json_text() -> None:
    """``prepare`` keeps the turns' slots as rendered dicts for the date step (``KEEP_OBJECTS``):
    what it writes equals the JSON-text path, surrogates included."""
    from datetime import UTC, datetime

    from pipelines.silver.prepare import normalize_turn_dates
    from pipelines.silver.privacy import KEEP_OBJECTS

    ts = datetime(2025, 9, 1, 10, tzinfo=UTC)
    out = []
    for keep in (frozenset(), KEEP_OBJECTS["turns"]):
        masker = RecordMasker(get_masker(), KEY)
        turns = [
            {**_turn("s1"), "ts": ts, "slots": {"contact": "Erik Johansson", "date": "imorgon"}},
            {**_turn("s1"), "ts": ts, "slots": {}},
            {**_turn("s2"), "ts": ts, "slots": None},
        ]
        masker.mask_records("turns", turns, keep)
        assert all(isinstance(t["slots"], dict) for t in turns[:2]) == bool(keep)
        for turn in turns:
            normalize_turn_dates(turn, "Europe/Stockholm", "surrogate")
        out.append([(t["slots"], t["slots_surrogate"]) for t in turns])
    assert out[0] == out[1]
    assert json.loads(out[0][0][0]) == {"contact": "<PERSON>", "date": "2025-09-02"}
    assert out[0][1] == ("{}", "{}") and out[0][2] == ("{}", "{}")
