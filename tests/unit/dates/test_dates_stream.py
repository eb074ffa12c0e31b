"""The `kvarn dates` JSONL contract (DESIGN.md), driven through `dates_stream`."""

from __future__ import annotations

import json

from pipelines.dates.stream import dates_stream

CONTRACT_GRAINS = {"minute", "hour", "day", "week", "month", "year"}


def run(*records: object) -> list[dict]:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    out = list(dates_stream(lines))
    assert len(out) == len(lines)  # one output line per input line
    return [json.loads(line) for line in out]


def test_contract_record() -> None:
    text = "boka med Anders imorgon 10 och ring Anna på fredag"
    (rec,) = run({"id": "e1", "text": text, "ref": "2025-08-31T09:00:00+02:00"})
    assert set(rec) == {"id", "normalized", "dates"}
    assert rec["id"] == "e1"
    assert rec["normalized"] == "boka med Anders 2025-09-01T10:00 och ring Anna 2025-09-05"
    first, second = rec["dates"]
    assert set(first) == {"start", "end", "text", "value", "grain"}
    assert first == {"start": 16, "end": 26, "text": "imorgon 10",
                     "value": "2025-09-01T10:00:00+02:00", "grain": "hour"}  # fmt: skip
    assert text[second["start"] : second["end"]] == "på fredag"
    assert second["value"] == "2025-09-05T00:00:00+02:00" and second["grain"] == "day"


def test_tz_is_honoured_and_grains_stay_in_the_contract() -> None:
    recs = run(
        {"id": 1, "text": "om två minuter", "ref": "2013-02-12T04:30:00-02:00", "tz": "-02:00"},
        {"id": 2, "text": "tredje kvartalet", "ref": "2013-02-12T04:30:00-02:00", "tz": "UTC"},
        {"id": 3, "text": "nu", "ref": "2025-08-31T12:00:00Z"},
    )
    assert recs[0]["dates"][0]["value"] == "2013-02-12T04:32:00-02:00"
    assert recs[1]["dates"][0]["value"] == "2013-07-01T00:00:00+00:00"
    assert recs[2]["dates"][0]["value"] == "2025-08-31T14:00:00+02:00"  # Stockholm default
    for rec in recs:
        assert {d["grain"] for d in rec["dates"]} <= CONTRACT_GRAINS


def test_no_dates_gives_empty_list_and_unchanged_text() -> None:
    (rec,) = run({"id": "x", "text": "tänd lampan", "ref": "2025-08-31T09:00:00+02:00"})
    assert rec == {"id": "x", "normalized": "tänd lampan", "dates": []}


def test_errors_are_reported_per_line_and_processing_continues() -> None:
    recs = run(
        "{not json",
        {"id": "a", "text": "imorgon"},
        {"id": "b", "text": "imorgon", "ref": "igår vid lunch"},
        {"id": "c", "text": "imorgon", "ref": "2025-08-31T09:00:00+02:00", "tz": "Mars/Base"},
        {"id": "d", "text": 42, "ref": "2025-08-31T09:00:00+02:00"},
        "[1, 2]",
        "   ",
        {"id": "ok", "text": "imorgon", "ref": "2025-08-31T09:00:00+02:00"},
    )
    assert recs[0] == {"id": None, "error": "invalid JSON"}
    assert recs[1]["id"] == "a" and "ref" in recs[1]["error"]
    assert recs[2]["id"] == "b" and "ref" in recs[2]["error"]
    assert recs[3]["id"] == "c" and "tz" in recs[3]["error"]
    assert recs[4]["id"] == "d" and "text" in recs[4]["error"]
    assert recs[5]["id"] is None and "object" in recs[5]["error"]
    assert recs[6]["id"] is None and "empty" in recs[6]["error"]
    assert recs[7]["dates"][0]["value"] == "2025-09-01T00:00:00+02:00"


def test_error_messages_do_not_echo_the_text() -> None:
    secret = "Anna Svensson 19121212-1212"
    (rec,) = run({"id": "p", "text": secret, "ref": secret})
    assert "error" in rec and "Anna" not in rec["error"] and "1212" not in rec["error"]


def test_unicode_offsets_are_python_string_indices() -> None:
    text = "👋 möte på fredag"
    (rec,) = run({"id": "u", "text": text, "ref": "2025-08-31T09:00:00+02:00"})
    d = rec["dates"][0]
    assert text[d["start"] : d["end"]] == d["text"] == "på fredag"
