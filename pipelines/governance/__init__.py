"""Governance: consent scopes and (later) retention and erasure policies in; the decisions
that gate what may be kept and what may train a model out."""
