"""Deterministic splits by session: a conversation never spans two splits.

The split of a session is a pure function of (seed, session id), so adding data never moves an
existing session to another split and the same inputs always give the same files.
"""

from __future__ import annotations

import hashlib
import re

from pipelines.export.options import ExportError

SplitSpec = tuple[tuple[str, float], ...]
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_split_spec(text: str) -> SplitSpec:
    """``train=0.9,validation=0.05,test=0.05`` → ordered (name, fraction) pairs summing to 1."""
    parts: list[tuple[str, float]] = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ExportError(f"--split: expected name=fraction, got {item!r}")
        try:
            frac = float(value)
        except ValueError:
            raise ExportError(f"--split: {value.strip()!r} is not a number") from None
        if not 0.0 <= frac <= 1.0:
            raise ExportError(f"--split: fraction of {name} must be within [0, 1]")
        if any(n == name for n, _ in parts):
            raise ExportError(f"--split: {name} given twice")
        parts.append((name, frac))
    if not parts:
        raise ExportError("--split: no splits given")
    total = sum(f for _, f in parts)
    if abs(total - 1.0) > 1e-6:
        raise ExportError(f"--split: fractions sum to {total:g}, not 1")
    return tuple(parts)


def session_point(seed: int, session_key: str) -> float:
    """A uniform number in [0, 1) fixed by seed and session."""
    digest = hashlib.sha256(f"{seed}\x1f{session_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(seed: int, session_key: str, spec: SplitSpec) -> str:
    point = session_point(seed, session_key)
    edge = 0.0
    for name, frac in spec:
        edge += frac
        if point < edge:
            return name
    return next(name for name, frac in reversed(spec) if frac > 0)
