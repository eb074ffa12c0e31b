"""Near-duplicate detection: MinHash (datasketch-compatible) + LSH in numpy, state in Delta.

``request_key`` is what a text is compared by; ``cluster_texts`` clusters one batch in memory;
``NearDupStore`` matches each new batch against the retained history in Delta;
``dedupe_stream`` is the ``kvarn dedupe`` contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipelines.dedupe.cluster import DEFAULT_THRESHOLD, ClusterResult, cluster_texts
from pipelines.dedupe.normalize import dedupe_key
from pipelines.dedupe.requests import request_key

if TYPE_CHECKING:
    from pipelines.dedupe.store import NearDupStore

__all__ = [
    "DEFAULT_THRESHOLD",
    "ClusterResult",
    "NearDupStore",
    "cluster_texts",
    "dedupe_key",
    "dedupe_stream",
    "request_key",
]


def __getattr__(name: str) -> Any:
    """Import the Delta store and the stream only when used (keeps ``kvarn dedupe`` light)."""
    if name == "NearDupStore":
        from pipelines.dedupe.store import NearDupStore

        return NearDupStore
    if name == "dedupe_stream":
        from pipelines.dedupe.stream import dedupe_stream

        return dedupe_stream
    raise AttributeError(name)
