"""Metadata helpers: what a user wants to see on a materialization in the UI."""

from __future__ import annotations

from typing import Any

from dagster import MetadataValue


def markdown_table(rows: list[dict[str, Any]], max_len: int = 80) -> MetadataValue:
    """A small markdown table; rows must already be masked."""
    if not rows:
        return MetadataValue.md("_no rows_")
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        cells = []
        for c in cols:
            text = "" if row.get(c) is None else str(row[c])
            text = text.replace("|", "\\|").replace("\n", " ")
            cells.append(text[:max_len] + ("…" if len(text) > max_len else ""))
        lines.append("| " + " | ".join(cells) + " |")
    return MetadataValue.md("\n".join(lines))
