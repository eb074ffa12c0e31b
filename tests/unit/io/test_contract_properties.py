"""Property tests: no input crashes a streaming contract, and every answer is one strict line.

For ``kvarn pii``, ``kvarn dates`` and ``kvarn dedupe``: arbitrary Unicode (control
characters, line separators, unpaired surrogates), ids of every JSON type, non-finite numbers,
deep nesting and long strings all yield exactly one output line per input line, each strict
JSON (no NaN/Infinity), one line for every splitter (no raw U+0085/U+2028/U+2029), with the
id echoed whenever it is a string or a finite number.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.dates.stream import dates_stream
from pipelines.dedupe.stream import dedupe_stream
from pipelines.pii.stream import pii_stream

STREAMS = {
    "pii": lambda lines: list(pii_stream(lines)),
    "dates": lambda lines: list(dates_stream(lines)),
    "dedupe": lambda lines: list(dedupe_stream(lines)),
}
NASTY = ["\u2028", "\u2029", "\x85", "\x00", "\ud800", "²", "٣", "\ufeff", "\x1c", "\t", "\r"]

ids = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
WORDS = [*NASTY, "a", " ", "på fredag", "kl 14", "Anna", "070-123 45 67", "imorgon", "den 3"]
texts = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
    st.sampled_from(["ring Erik Johansson på 070-123 45 67", "påminn mig på fredag ²", ""]),
)
refs = st.one_of(st.sampled_from(["2025-08-31T09:00:00+02:00", "igår", ""]), st.text(max_size=30))
records = st.fixed_dictionaries(
    {"id": ids, "text": texts}, optional={"ref": refs, "tz": st.sampled_from(["UTC", "Mars/X"])}
)


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)  # NaN/Infinity written as Python does


BREAKERS = ["[" * 5_000, '{"id": 1, "text": ' + "[" * 5_000, "null", "[1,2]",
            '{"id": NaN, "text": "x"}', '{"id": 1e999, "text": "x"}']  # fmt: skip
raw_lines = st.one_of(
    records.map(_line),
    st.text(max_size=60).map(lambda t: t.replace("\n", " ")),
    st.sampled_from(BREAKERS),
)


def _strict(line: str) -> dict[str, Any]:
    def refuse(name: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {name}")

    value = json.loads(line, parse_constant=refuse)
    assert isinstance(value, dict)
    return value


def _check(name: str, lines: list[str]) -> None:
    out = STREAMS[name](lines)
    assert len(out) == len(lines)
    for line, answer in zip(lines, out, strict=True):
        assert len(answer.splitlines()) == 1 and "\n" not in answer
        record = _strict(answer)
        assert "id" in record
        try:
            sent = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(sent, dict) and "error" not in record:
            ident = sent.get("id")
            assert isinstance(ident, str | int | float | type(None))
            assert not (isinstance(ident, float) and not math.isfinite(ident))
            assert record["id"] == ident


# derandomize: CI explores the same examples every run (a failure reproduces); raise
# max_examples locally to search wider.
FAST = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@FAST
@given(st.lists(raw_lines, min_size=1, max_size=6))
def test_pii_contract_never_breaks(lines: list[str]) -> None:
    _check("pii", lines)


@FAST
@given(st.lists(raw_lines, min_size=1, max_size=6))
def test_dates_contract_never_breaks(lines: list[str]) -> None:
    _check("dates", lines)


@FAST
@given(st.lists(raw_lines, min_size=1, max_size=6))
def test_dedupe_contract_never_breaks(lines: list[str]) -> None:
    _check("dedupe", lines)


def test_known_breakers_give_error_lines() -> None:
    ref = '"ref": "2025-08-31T09:00:00+02:00"'
    lines = ["[" * 100_000, '{"id": NaN, "text": "x"}',
             '{"id": "a", "text": "kl ² på fredag", ' + ref + "}",
             '{"id": "b", "text": "rad\u2028två\x85tre", ' + ref + "}"]  # fmt: skip
    for name in STREAMS:
        out = [_strict(line) for line in STREAMS[name](lines)]
        assert out[0] == {"id": None, "error": "invalid JSON: nested too deeply"}
        assert out[1]["id"] is None and "NaN" in out[1]["error"]
        assert out[2]["id"] == "a" and "error" not in out[2]
        assert out[3]["id"] == "b" and "error" not in out[3]
