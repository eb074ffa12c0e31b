"""Landing files are read line by line as bytes, and an hour reads only its own lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.io.landing import line_spans, read_lines, read_some_lines


@pytest.mark.parametrize(
    ("data", "lines", "terminated"),
    [
        (b"", [], True),
        (b"a\n", [b"a"], True),
        (b"a\nb", [b"a", b"b"], False),
        (b"a\r\nb\r\n", [b"a", b"b"], True),
        (b"\n\n", [b"", b""], True),
        (b"a\n\xff\xfe\n{trunc", [b"a", b"\xff\xfe", b"{trunc"], False),
        (b"a\rb\r", [b"a", b"b"], True),  # old Mac: CR alone ends a line
        (b"a\r", [b"a"], True),
        (b"\r", [b""], True),
        (b"a\r\nb\rc\nd", [b"a", b"b", b"c", b"d"], False),
        (b"a\r\r\n\n", [b"a", b"", b""], True),  # CRLF is one terminator, LF CR is two
        (b"a\n\rb", [b"a", b"", b"b"], False),
    ],
)
def test_line_spans(data: bytes, lines: list[bytes], terminated: bool) -> None:
    spans, done = line_spans(data)
    assert [data[s:e] for s, e in spans] == lines
    assert done is terminated


def _landing_file(root: Path, name: str, data: bytes) -> Path:
    folder = root / "2025-09-01"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_reading_some_lines_matches_reading_all(tmp_path: Path) -> None:
    path = _landing_file(tmp_path, "p.jsonl", b"zero\none\r\n\ntwo\nthree\n{four")
    every = list(read_lines(path, str(tmp_path)))
    spans, terminated = line_spans(path.read_bytes())
    for wanted in ([0], [1, 3], [2, 4, 5], [5], list(range(6))):
        some = read_some_lines(path, str(tmp_path), spans, wanted, terminated)
        assert some == [every[i] for i in wanted]
    assert every[5].last_unterminated and not every[4].last_unterminated


def test_reading_some_lines_of_a_cr_file(tmp_path: Path) -> None:
    path = _landing_file(tmp_path, "mac.jsonl", b"zero\rone\r\n\rthree\r")
    every = list(read_lines(path, str(tmp_path)))
    assert [ln.raw for ln in every] == [b"zero", b"one", b"", b"three"]
    assert not any(ln.last_unterminated for ln in every)
    spans, terminated = line_spans(path.read_bytes())
    for wanted in ([0], [1, 3], [2], [0, 1, 2, 3]):
        assert read_some_lines(path, str(tmp_path), spans, wanted, terminated) == [
            every[i] for i in wanted
        ]
