"""A memory-capped LRU for results that depend only on a text, kept for one process.

Silver sees the same utterances, slot values and answers again and again across an hour and
across hours (about one text in six is new over a two-day run). Analysing or parsing each
distinct text once per process instead of once per call is the saving; the cap keeps a long
backfill's memory flat. Entries live in memory only and are never written anywhere (the keys
are raw text). ``KVARN_RUN_CACHES=0`` in the environment of a process turns every such cache
off; ``run_caches(False)`` does so for a block (tests and benchmarks compare both ways).
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

V = TypeVar("V")

DISABLE_ENV = "KVARN_RUN_CACHES"
# Per entry beyond the key's own size: the OrderedDict node and hash slot, roughly.
_ENTRY_OVERHEAD = 120


_OFF = ("0", "off", "false", "no")
# Read once: a lookup in os.environ on every cache call cost more than some cache hits save.
_enabled = os.environ.get(DISABLE_ENV, "1").strip().lower() not in _OFF


def run_caches_enabled() -> bool:
    """False when the process started with ``$KVARN_RUN_CACHES=0`` or inside ``run_caches``."""
    return _enabled


@contextmanager
def run_caches(enabled: bool) -> Iterator[None]:
    """Turn every text cache on or off for the block (entries already cached are kept)."""
    global _enabled
    previous, _enabled = _enabled, enabled
    try:
        yield
    finally:
        _enabled = previous


class TextCache(Generic[V]):
    """Least-recently-used map from text to a value, capped by an estimate of its bytes.

    ``value_bytes`` estimates one value's size; the key is counted with ``sys.getsizeof``.
    Values must be immutable (tuples of frozen records): every caller shares them."""

    def __init__(self, max_bytes: int, value_bytes: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._value_bytes = value_bytes
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> V | None:
        """The cached value (marked recently used), or None when absent or caches are off."""
        if not _enabled:
            return None
        entry = self._entries.get(text)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(text)
        self.hits += 1
        return entry[0]

    def put(self, text: str, value: V) -> None:
        """Store ``value``, evicting the least recently used entries beyond the cap."""
        if not _enabled:
            return
        size = sys.getsizeof(text) + self._value_bytes(value) + _ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        old = self._entries.pop(text, None)
        if old is not None:
            self.bytes -= old[1]
        self._entries[text] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self.bytes -= evicted

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
