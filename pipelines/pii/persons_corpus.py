"""Deterministic held-out / training split of the shared Swedish person corpus.

The split is a pure function of each row's ``id`` (SHA-256, no seed, no row order), so the
training script, the benchmarks and the tests always agree on which sentences were never
seen in training, whatever order the file is read in.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

HELDOUT_PERCENT = 15
DEV_PERCENT = 10  # of the training part, used by spaCy to pick the best checkpoint


def _bucket(row_id: str, salt: str = "") -> int:
    digest = hashlib.sha256(f"{salt}{row_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_heldout(row_id: str) -> bool:
    """True for the fixed ~15% of corpus ids reserved for evaluation only."""
    return _bucket(row_id) < HELDOUT_PERCENT


def is_dev(row_id: str, fold: str = "") -> bool:
    """True for the ~10% of training ids that spaCy uses as its dev set. ``fold`` picks
    another 10% (for checking a training choice on more sentences than one dev set has;
    the held-out part is never touched)."""
    return _bucket(row_id, salt=f"dev{fold}:") < DEV_PERCENT


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read the corpus JSONL (one sentence per line)."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def heldout_rows(path: str | Path) -> list[dict[str, Any]]:
    """The held-out part of ``sv_ner_persons_train.jsonl``: never used to train or harvest."""
    return [row for row in read_rows(path) if is_heldout(str(row["id"]))]


def training_rows(path: str | Path) -> list[dict[str, Any]]:
    """The complement of :func:`heldout_rows`: the only rows training may look at."""
    return [row for row in read_rows(path) if not is_heldout(str(row["id"]))]
