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
