"""The assistant's retrievable documents (``landing/docs/*.md``): id → plain text."""

from __future__ import annotations

from pathlib import Path


def load_docs(docs_dir: str) -> dict[str, str]:
    """Document id (file stem) → plain text, headings without their ``#``; {} without docs."""
    root = Path(docs_dir)
    if not root.is_dir():
        return {}
    docs = {}
    for path in sorted(root.glob("*.md")):
        lines = path.read_text(encoding="utf-8").strip().splitlines()
        docs[path.stem] = "\n".join(
            line.lstrip("#").strip() if line.startswith("#") else line for line in lines
        ).strip()
    return docs
