"""What the producer's envelope says about an event beyond its schema: test or production.

The assistant's producers do not write an ``env`` field (kvarn's earlier dialect did), yet the
privacy checklist asks for clear test/prod tagging. ``derive_env`` decides it from the
markers the producers do write, in this order, and says which one decided:

1. ``env`` itself, when present (``field``);
2. an event of the ``test.*`` family, or a top-level ``test_name`` (``event``);
3. ``test_metadata`` that names a test: ``test_scenario``, ``scenario``, ``expected_intent``
   or ``test_name`` (``test_metadata``). SLO settings alone (``slo_target_ms``,
   ``slo_compliance``, ``regression_flag``) are not a marker: production turns carry them;
4. a session id written by a test harness: ``test_…``, ``test-…``, ``ci-…``, ``ci_…``
   (``session``);
5. otherwise production (``default``).
"""

from __future__ import annotations

from typing import Any

TEST_SESSION_PREFIXES = ("test_", "test-", "ci-", "ci_")
TEST_METADATA_MARKERS = ("test_scenario", "scenario", "expected_intent", "test_name")


def derive_env(event: dict[str, Any]) -> tuple[str, str]:
    """(env, source): env is ``test``/``prod`` (or the event's own ``env``, lower-cased)."""
    own = event.get("env")
    if isinstance(own, str) and own:
        return own.lower(), "field"
    name = event.get("event")
    if (isinstance(name, str) and name.startswith("test.")) or event.get("test_name"):
        return "test", "event"
    meta = event.get("test_metadata")
    if isinstance(meta, dict) and any(meta.get(k) for k in TEST_METADATA_MARKERS):
        return "test", "test_metadata"
    session = event.get("session_id")
    if isinstance(session, str) and session.lower().startswith(TEST_SESSION_PREFIXES):
        return "test", "session"
    return "prod", "default"
