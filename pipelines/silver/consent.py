"""Consent scopes → what an event may be used for.

Silver keeps every event with its scopes (SLO analytics may use them all); only events whose
scopes include ``analytics:training`` reach gold training tables and exports.
"""

from __future__ import annotations

from collections.abc import Iterable

TRAINING_SCOPE = "analytics:training"


def consent_scopes(value: object) -> list[str]:
    """The event's scopes as a sorted list without repeats (non-strings dropped)."""
    if not isinstance(value, list):
        return []
    return sorted({s for s in value if isinstance(s, str)})


def training_allowed(scopes: Iterable[str]) -> bool:
    return TRAINING_SCOPE in scopes
