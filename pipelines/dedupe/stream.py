"""The ``kvarn dedupe`` contract: ``{"id","text"}`` in, ``{"id","cluster","duplicate_of"}`` out.

Clustering needs every text before it can answer, so all lines are read first; then one line is
written per input line, in input order, with ``id`` echoed as given. ``cluster`` is the id of the
cluster's representative (its first line) and ``duplicate_of`` is that id, or null for the
representative itself. A line that cannot be processed yields ``{"id": …, "error": …}``; error
messages never quote the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pipelines.dedupe.cluster import DEFAULT_THRESHOLD, ClusterParams, cluster_keys
from pipelines.dedupe.requests import request_key
from pipelines.io.jsonl import echo_id, read_object, write_line


def _parse(line: str) -> tuple[Any, str | None, str | None]:
    """``(id, text, error)`` of one input line."""
    record, problem = read_object(line)
    if record is None:
        return None, None, problem
    if "id" not in record or record["id"] is None:
        return None, None, "missing field 'id'"
    ident, problem = echo_id(record)
    if problem is not None:
        return None, None, problem
    if "text" not in record:
        return ident, None, "missing field 'text'"
    text = record["text"]
    if not isinstance(text, str):
        return ident, None, "field 'text' must be a string"
    return ident, text, None


def dedupe_stream(lines: Iterable[str], threshold: float = DEFAULT_THRESHOLD) -> Iterator[str]:
    """Yield one JSON line per input line (see module docstring)."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    parsed = [_parse(line) for line in lines]
    valid = [i for i, (_, text, err) in enumerate(parsed) if err is None and text is not None]
    keys = [request_key(parsed[i][1] or "") for i in valid]
    reps = cluster_keys(keys, ClusterParams(threshold=threshold)).tolist()
    rep_of = {line: valid[r] for line, r in zip(valid, reps, strict=True)}
    for i, (ident, _, err) in enumerate(parsed):
        if err is not None:
            out: dict[str, Any] = {"id": ident, "error": err}
        else:
            rep_id = parsed[rep_of[i]][0]
            duplicate_of = None if rep_of[i] == i else rep_id
            out = {"id": ident, "cluster": rep_id, "duplicate_of": duplicate_of}
        yield write_line(out)
