"""The ``kvarn dedupe`` JSONL contract."""

from __future__ import annotations

import json

import pytest

from pipelines.dedupe.stream import dedupe_stream


def _run(lines: list[str], **kwargs: float) -> list[dict[str, object]]:
    return [json.loads(line) for line in dedupe_stream(lines, **kwargs)]


def test_one_line_out_per_line_in_with_ids_echoed() -> None:
    out = _run(
        [
            json.dumps({"id": "a", "text": "Boka möte med <PERSON> på <DATE>"}),
            json.dumps({"id": 2, "text": "boka möte med <PERSON> på <DATE>!"}),
            json.dumps({"id": "c", "text": "Vad blir vädret i morgon?"}),
            json.dumps({"id": "d", "text": "vad blir vädret i morgon"}),
        ]
    )
    assert out == [
        {"id": "a", "cluster": "a", "duplicate_of": None},
        {"id": 2, "cluster": "a", "duplicate_of": "a"},
        {"id": "c", "cluster": "c", "duplicate_of": None},
        {"id": "d", "cluster": "c", "duplicate_of": "c"},
    ]


def test_bad_lines_yield_errors_without_the_text_and_processing_continues() -> None:
    secret = "ring 070-123 45 67"
    out = _run(
        [
            "{not json " + secret,
            "",
            json.dumps({"id": 1}),
            json.dumps({"id": 2, "text": 7}),
            json.dumps(["list"]),
            json.dumps({"text": secret}),
            json.dumps({"id": 3, "text": secret}),
        ]
    )
    assert [o.get("error") is not None for o in out] == [True, True, True, True, True, True, False]
    assert out[2]["id"] == 1 and out[3]["id"] == 2
    assert all(secret not in json.dumps(o) for o in out[:-1])
    assert out[-1] == {"id": 3, "cluster": 3, "duplicate_of": None}


def test_threshold_changes_what_counts_as_duplicate() -> None:
    lines = [
        json.dumps({"id": "a", "text": "det var mycket folk på stationen när tåget äntligen kom"}),
        json.dumps({"id": "b", "text": "det var mycket folk på stationen när tåget kom"}),
    ]
    assert _run(lines)[1]["duplicate_of"] == "a"
    assert _run(lines, threshold=1.0)[1]["duplicate_of"] is None
    with pytest.raises(ValueError):
        list(dedupe_stream(lines, threshold=1.5))
