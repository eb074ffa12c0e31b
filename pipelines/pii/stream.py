"""The ``kvarn pii`` contract: JSONL in, JSONL out, one line out per line in.

In: ``{"id", "text"}``. Out: ``{"id", "masked", "entities": [{"start", "end", "type",
"score"}]}`` with offsets into the input text, or ``{"id", "error"}`` for a line that
cannot be processed; processing always continues. Error messages describe the problem,
never the line's content (it may be PII).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pipelines.io.jsonl import echo_id, read_object, write_line
from pipelines.pii.entities import Entity
from pipelines.pii.masking import PiiMasker, get_masker


def _error(line_id: Any, message: str) -> str:
    return write_line({"id": line_id, "error": message})


def _parse(line: str) -> tuple[Any, str | None, str | None]:
    """(id, text, error) for one input line; exactly one of text and error is set."""
    record, problem = read_object(line)
    if record is None:
        return None, None, problem
    if "id" not in record:
        return None, None, "missing field 'id'"
    line_id, problem = echo_id(record)
    if problem is not None:
        return None, None, problem
    text = record.get("text")
    if not isinstance(text, str):
        kind = "missing" if "text" not in record else f"not a string ({type(text).__name__})"
        return line_id, None, f"field 'text' {kind}"
    return line_id, text, None


def _output(line_id: Any, masked: str, entities: list[Entity]) -> str:
    return write_line(
        {"id": line_id, "masked": masked, "entities": [e.to_dict() for e in entities]}
    )


def process_line(line: str, masker: PiiMasker, mode: str = "placeholder") -> str:
    """One input line -> one output line (never raises for bad input)."""
    line_id, text, error = _parse(line)
    if text is None:
        return _error(line_id, error or "unreadable line")
    try:
        masked, entities = masker.mask(text, mode=mode)
    except Exception as exc:  # one bad text must not stop the stream
        return _error(line_id, f"masking failed: {type(exc).__name__}")
    return _output(line_id, masked, entities)


def _process_chunk(lines: list[str], masker: PiiMasker, mode: str) -> list[str]:
    parsed = [_parse(line.rstrip("\r\n")) for line in lines]
    texts = [text for _, text, _ in parsed]
    try:
        results = masker.mask_many(texts, mode=mode)
    except Exception:  # fall back to one by one, so only the bad line fails
        return [process_line(line.rstrip("\r\n"), masker, mode) for line in lines]
    out = []
    for (line_id, text, error), (masked, entities) in zip(parsed, results, strict=True):
        if text is None or masked is None:
            out.append(_error(line_id, error or "unreadable line"))
        else:
            out.append(_output(line_id, masked, entities))
    return out


def pii_stream(
    lines: Iterable[str],
    masker: PiiMasker | None = None,
    mode: str = "placeholder",
    batch_size: int = 1,
) -> Iterator[str]:
    """Yield one output JSON line (no newline) per input line, in order.

    ``batch_size`` > 1 reads that many lines before answering (faster: the person model
    sees them as one batch); keep 1 when a caller waits for each answer interactively.
    """
    active = masker or get_masker()
    if batch_size <= 1:
        for line in lines:
            yield process_line(line.rstrip("\r\n"), active, mode)
        return
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= batch_size:
            yield from _process_chunk(chunk, active, mode)
            chunk = []
    if chunk:
        yield from _process_chunk(chunk, active, mode)
