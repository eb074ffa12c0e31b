"""Lazy access to the committed spaCy person model (pipelines/pii/model).

The model is loaded from the package directory with ``spacy.load(path)`` once per process,
on first use, so importing kvarn or building the analyzer stays cheap and nothing is ever
downloaded. spaCy is imported only here, only then.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent / "model"
PERSON_LABELS = frozenset({"PER", "PERSON"})

_lock = threading.Lock()
_model: Any = None


class PersonModelMissingError(RuntimeError):
    """The committed model directory is absent (run benchmarks/train_ner.py to rebuild it)."""


def load_model() -> Any:
    """The spaCy pipeline, loaded once per process from MODEL_DIR."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                if not (MODEL_DIR / "config.cfg").exists():
                    raise PersonModelMissingError(
                        f"person model not found in {MODEL_DIR}; "
                        "rebuild it with: python benchmarks/train_ner.py"
                    )
                import spacy

                _model = spacy.load(MODEL_DIR)
    return _model


def model_person_spans(texts: Sequence[str], batch_size: int = 64) -> list[list[tuple[int, int]]]:
    """Character spans the model labels as persons, one list per text (batched with nlp.pipe)."""
    if not texts:
        return []
    nlp = load_model()
    return [
        [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ in PERSON_LABELS]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]
