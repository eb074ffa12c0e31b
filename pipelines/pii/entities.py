"""The entity record every PII component exchanges, and the rule that makes spans disjoint.

Recognizers may overlap (a postcode inside an address, a name inside an e-mail, a phone
number that also passes the personnummer checksum). Masking needs one decision per
character, so overlapping candidates are merged into one span: a validated identifier or
else the widest candidate names the type, and the span grows to the union so no
fragment of any candidate leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The contract's types, in the order that breaks ties (earlier = more specific).
ENTITY_TYPES: tuple[str, ...] = (
    "PERSONNUMMER",
    "CARD",
    "IBAN",
    "ORGNR",
    "PHONE",
    "EMAIL",
    "IP",
    "ADDRESS",
    "POSTCODE",
    "PLATE",
    "PERSON",
)
_PRIORITY = {name: rank for rank, name in enumerate(ENTITY_TYPES)}


@dataclass(frozen=True)
class Entity:
    """One detected span; offsets are Python ``str`` indices, ``end`` exclusive."""

    start: int
    end: int
    type: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "type": self.type, "score": self.score}


VALIDATED_SCORE = 0.99  # recognizers give 1.0 only to checksum/structure-validated matches


def _rank(entity: Entity) -> tuple[bool, int, float, int, int]:
    """Sort key for the winner of an overlap cluster.

    A validated identifier first (a name guess spanning "IBAN SE45..." must not relabel
    the IBAN), then the widest candidate (an e-mail containing a name is an e-mail), then
    the surest, then the more specific type.
    """
    return (
        entity.score < VALIDATED_SCORE,
        -(entity.end - entity.start),
        -entity.score,
        _PRIORITY.get(entity.type, len(_PRIORITY)),
        entity.start,
    )


def resolve_overlaps(candidates: Iterable[Entity]) -> list[Entity]:
    """Merge overlapping candidates into disjoint entities sorted by start.

    The result does not depend on the order of ``candidates``, which is what lets the
    fast path and a plain presidio run be compared for identical output.
    """
    ordered = sorted(candidates, key=lambda e: (e.start, e.end, _rank(e)))
    merged: list[Entity] = []
    cluster: list[Entity] = []
    cluster_end = -1
    for entity in ordered:
        if entity.end <= entity.start:
            continue
        if cluster and entity.start < cluster_end:
            cluster.append(entity)
            cluster_end = max(cluster_end, entity.end)
            continue
        if cluster:
            merged.append(_merge(cluster, cluster_end))
        cluster = [entity]
        cluster_end = entity.end
    if cluster:
        merged.append(_merge(cluster, cluster_end))
    return merged


def _merge(cluster: list[Entity], end: int) -> Entity:
    best = min(cluster, key=_rank)
    start = min(e.start for e in cluster)
    return Entity(start=start, end=end, type=best.type, score=best.score)
