"""Consent scopes decide what may train a model."""

from __future__ import annotations

from pipelines.silver.consent import consent_scopes, training_allowed


def test_scopes_are_sorted_unique_strings() -> None:
    raw = ["memory:write", "analytics:training", 7, "memory:write", None]
    assert consent_scopes(raw) == ["analytics:training", "memory:write"]
    assert consent_scopes("analytics:training") == [] and consent_scopes(None) == []


def test_only_the_training_scope_allows_training() -> None:
    assert training_allowed(["analytics:slo", "analytics:training"])
    assert not training_allowed(["analytics:slo", "calendar:read"])
    assert not training_allowed([])
