"""The streaming JSONL contracts ``kvarn pii``, ``kvarn dates`` and ``kvarn dedupe``
(DESIGN.md): stdin → stdout, one line out per line in."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator

import typer

from kvarn.common import KvarnError


def stream_jsonl(fn: Callable[[Iterable[str]], Iterator[str]]) -> None:
    """Run a JSONL contract: stdin → stdout, flushing line by line."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    for line in fn(sys.stdin):
        sys.stdout.write(line.rstrip("\n") + "\n")
    sys.stdout.flush()


def pii() -> None:
    """Contract: JSONL {id,text} → {id,masked,entities} (see DESIGN.md)."""
    from pipelines.pii.stream import pii_stream

    stream_jsonl(pii_stream)


def dates() -> None:
    """Contract: JSONL {id,text,ref,tz?} → {id,normalized,dates} (see DESIGN.md)."""
    from pipelines.dates.stream import dates_stream

    stream_jsonl(dates_stream)


def dedupe(
    threshold: float | None = typer.Option(None, help="Jaccard threshold (default documented)."),
) -> None:
    """Contract: JSONL {id,text} → {id,cluster,duplicate_of} (see DESIGN.md)."""
    from pipelines.dedupe import DEFAULT_THRESHOLD
    from pipelines.dedupe.stream import dedupe_stream

    t = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 < t <= 1.0:
        raise KvarnError("--threshold must be in (0, 1]")
    stream_jsonl(lambda lines: dedupe_stream(lines, threshold=t))
