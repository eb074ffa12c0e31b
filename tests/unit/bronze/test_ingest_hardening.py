"""Hostile landing lines: each ends in exactly one table, and none can crash an hour."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from pipelines.bronze.ingest import (
    MAX_JSON_DEPTH,
    MAX_LINE_BYTES,
    RAW_TEXT_PREFIX_CHARS,
    IngestResult,
    file_owners,
    ingest_hour,
    too_deep,
)
from tests.factories import line, turn, write_landing

HOUR = "2025-09-01T10"
BOM = b"\xef\xbb\xbf"


def _ingest(tmp_path: Path, lines: list[bytes], terminated: bool = True) -> IngestResult:
    write_landing(tmp_path, "2025-09-01", "p.jsonl", lines, terminated=terminated)
    return ingest_hour(str(tmp_path / "telemetry"), HOUR)


def _turn_ids(res: IngestResult) -> list[str]:
    return [json.loads(raw)["turn_id"] for raw in res.events["raw"]]


def _reasons(res: IngestResult) -> dict[int, str]:
    return dict(zip(res.quarantine["line_no"], res.quarantine["reason"], strict=True))


# --- nesting -------------------------------------------------------------------------------------


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize(
    "deep",
    [_nested(5000), b"[" * 100_000, b"[" * (MAX_JSON_DEPTH + 1), _nested(MAX_JSON_DEPTH + 1)],
    ids=["objects-5000", "open-arrays-100000", "arrays-limit+1", "objects-limit+1"],
)
def test_deeply_nested_line_is_quarantined_not_crashing(tmp_path: Path, deep: bytes) -> None:
    path = write_landing(
        tmp_path, "2025-09-01", "p.jsonl", [line(turn(turn_id="a")), deep, line(turn(turn_id="b"))]
    )
    # The index reads the deep line as unreadable: it belongs to the previous line's hour.
    assert file_owners(path, str(tmp_path / "telemetry"), 1) == [HOUR] * 3
    res = ingest_hour(str(tmp_path / "telemetry"), HOUR)
    assert _turn_ids(res) == ["a", "b"]
    assert _reasons(res) == {2: "nesting too deep"}
    assert res.quarantine["detail"][0] == f"JSON nesting deeper than {MAX_JSON_DEPTH} levels"
    assert res.quarantine["raw"][0] == deep


def test_nesting_at_the_limit_is_parsed(tmp_path: Path) -> None:
    ev = turn(turn_id="deep-ok")
    ev["extra"] = json.loads(b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1))
    res = _ingest(tmp_path, [line(ev), b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH])
    # Whatever the schema says of the extra field, the line is judged, not cut off as too deep.
    assert "nesting too deep" not in _reasons(res).values()
    assert _reasons(res)[2] == "not a JSON object"


@pytest.mark.parametrize(
    ("raw", "deep"),
    [
        (b'{"a": "' + b"[" * 1000 + b'"}', False),  # brackets inside a string do not nest
        (b'{"a": "\\"' + b"[" * 1000 + b'"}', False),  # after an escaped quote, still a string
        (b'{"a": "\\\\"' + b"[" * 1000 + b"1" + b"]" * 1000 + b"}", True),  # escaped backslash
        (b"[" * 70 + b"]" * 70, True),
        (b"[]" * 1000, False),  # many brackets, shallow
        (b'["' + b"{" * 100, False),  # unterminated string swallows the rest
        (b"", False),
    ],
)
def test_too_deep_ignores_brackets_in_strings(raw: bytes, deep: bool) -> None:
    assert too_deep(raw) is deep


def test_deep_line_never_reaches_json_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.bronze.ingest as ingest

    seen: list[int] = []

    def spy(text: str | bytes) -> object:
        seen.append(len(text))
        return json.loads(text)

    monkeypatch.setattr(ingest.json, "loads", spy)
    assert ingest._readable_ts(_nested(MAX_JSON_DEPTH + 1)) == (None, None)
    assert seen == []


# --- byte order mark -----------------------------------------------------------------------------


def test_bom_before_a_valid_event_is_accepted(tmp_path: Path) -> None:
    first, second = line(turn(turn_id="bom")), line(turn(turn_id="plain"))
    path = write_landing(tmp_path, "2025-09-01", "p.jsonl", [BOM + first, second])
    assert file_owners(path, str(tmp_path / "telemetry"), 1) == [HOUR, HOUR]
    res = ingest_hour(str(tmp_path / "telemetry"), HOUR)
    assert res.quarantine.height == 0
    assert _turn_ids(res) == ["bom", "plain"]
    assert res.events["line_no"].to_list() == [1, 2]
    assert res.events["raw"][0] == first.decode("utf-8")  # without the BOM


def test_bom_gives_the_line_its_own_hour_in_the_index(tmp_path: Path) -> None:
    # First line of the file: without BOM handling it would fall to the day's first hour.
    res = _ingest(tmp_path, [BOM + line(turn("2025-09-01T10:15:00Z", turn_id="x"))])
    assert _turn_ids(res) == ["x"]


def test_bom_on_a_bad_line_keeps_every_byte_in_quarantine(tmp_path: Path) -> None:
    res = _ingest(tmp_path, [line(turn(turn_id="a")), BOM + b"{not json", BOM])
    assert _reasons(res) == {2: "invalid JSON", 3: "empty line"}
    assert res.quarantine["raw"].to_list() == [BOM + b"{not json", BOM]


# --- CR-only line separators ---------------------------------------------------------------------


def test_cr_only_file_gives_one_row_per_event(tmp_path: Path) -> None:
    lines = [line(turn(turn_id=f"t{i}")) for i in range(3)] + [b"{bad"]
    folder = tmp_path / "telemetry" / "2025-09-01"
    folder.mkdir(parents=True)
    (folder / "mac.jsonl").write_bytes(b"\r".join(lines) + b"\r")
    (folder / "mixed.jsonl").write_bytes(lines[0] + b"\r\n" + lines[1] + b"\r" + lines[2] + b"\n")
    res = ingest_hour(str(tmp_path / "telemetry"), HOUR)
    assert res.lines_read == 7
    assert _turn_ids(res) == ["t0", "t1", "t2", "t0", "t1", "t2"]
    assert res.quarantine["line_no"].to_list() == [4]
    assert res.quarantine["reason"].to_list() == ["invalid JSON"]  # terminated by its CR


# --- very long lines -----------------------------------------------------------------------------


def test_long_line_is_quarantined_unparsed_within_bounded_memory(tmp_path: Path) -> None:
    size = 10 * 1024 * 1024
    long = b'{"v": 1, "text": "' + "å".encode() * ((size - 20) // 2) + b'"}'
    lines = [line(turn(turn_id="before")), long, line(turn(turn_id="after"))]
    write_landing(tmp_path, "2025-09-01", "p.jsonl", lines)
    del lines
    tracemalloc.start()
    try:
        res = ingest_hour(str(tmp_path / "telemetry"), HOUR)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"peak traced memory for a {len(long)} byte line: {peak / 1e6:.1f} MB")
    assert peak < 5 * size
    assert _turn_ids(res) == ["before", "after"]
    assert _reasons(res) == {2: "line too long"}
    row = res.quarantine.row(0, named=True)
    assert row["detail"] == f"{len(long)} bytes; limit {MAX_LINE_BYTES}"
    assert row["raw"] == long  # nothing lost
    assert row["raw_text"] == long.decode("utf-8")[:RAW_TEXT_PREFIX_CHARS]


def test_line_at_the_byte_limit_is_still_parsed(tmp_path: Path) -> None:
    ev = turn(turn_id="big")
    ev["padding"] = ""
    ev["padding"] = "x" * (MAX_LINE_BYTES - len(line(ev)))
    exact = line(ev)
    assert len(exact) == MAX_LINE_BYTES
    res = _ingest(tmp_path, [exact, exact + b" "])
    assert _reasons(res).get(1) != "line too long"
    assert _reasons(res)[2] == "line too long"


def test_long_first_line_is_owned_by_the_days_first_hour(tmp_path: Path) -> None:
    write_landing(tmp_path, "2025-09-01", "p.jsonl", [b"[" * (MAX_LINE_BYTES + 1)])
    telemetry = str(tmp_path / "telemetry")
    path = tmp_path / "telemetry" / "2025-09-01" / "p.jsonl"
    assert file_owners(path, telemetry, 1) == ["2025-09-01T00"]
    res = ingest_hour(telemetry, "2025-09-01T00")
    assert _reasons(res) == {1: "line too long"}


# --- other index crashers ------------------------------------------------------------------------


def test_epoch_too_big_for_a_float_does_not_crash_the_index(tmp_path: Path) -> None:
    path = write_landing(
        tmp_path,
        "2025-09-01",
        "p.jsonl",
        [line(turn(turn_id="a")), b'{"ts": 1' + b"0" * 400 + b"}"],
    )
    assert file_owners(path, str(tmp_path / "telemetry"), 1) == [HOUR, HOUR]


def test_unpaired_surrogate_escape_is_quarantined_not_crashing(tmp_path: Path) -> None:
    lone = json.dumps(turn(turn_id="\ud800")).encode()  # ensure_ascii: written as "\ud800"
    paired = json.dumps(turn(turn_id="pair", text="tänd 💡")).encode()  # "\ud83d\udca1"
    assert b"\\ud800" in lone and b"\\ud83d\\udca1" in paired
    res = _ingest(tmp_path, [lone, paired])
    assert _turn_ids(res) == ["pair"]
    assert _reasons(res) == {1: "invalid JSON"}
    assert "surrogate" in res.quarantine["detail"][0]
