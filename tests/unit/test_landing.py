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
    ],
)
def test_line_spans(data: bytes, lines: list[bytes], terminated: bool) -> None:
    spans, done = line_spans(data)
    assert [data[s:e] for s, e in spans] == lines
    assert done is terminated


def test_reading_some_lines_matches_reading_all(tmp_path: Path) -> None:
    folder = tmp_path / "2025-09-01"
    folder.mkdir()
    path = folder / "p.jsonl"
    path.write_bytes(b"zero\none\r\n\ntwo\nthree\n{four")
    every = list(read_lines(path, str(tmp_path)))
    spans, terminated = line_spans(path.read_bytes())
    for wanted in ([0], [1, 3], [2, 4, 5], [5], list(range(6))):
        some = read_some_lines(path, str(tmp_path), spans, wanted, terminated)
        assert some == [every[i] for i in wanted]
    assert every[5].last_unterminated and not every[4].last_unterminated
