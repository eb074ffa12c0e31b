"""The retention policy: how many days each kind of data is kept.

Defaults come from ``retention.yaml`` next to this module (the seed's checklist); a user's
own file with the same keys replaces them (``kvarn retention --policy FILE``, resource setting
``retention_policy``). Unknown keys and non-positive days are errors, so a typo never turns
into "keep forever" or "delete everything".
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

DEFAULT_POLICY = Path(__file__).with_name("retention.yaml")


class PolicyError(ValueError):
    """A retention policy file that cannot be applied as written."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Days to keep per kind of data; ``None`` keeps it forever."""

    landing_days: int | None = 7
    bronze_days: int | None = 7
    silver_days: int | None = 30
    seen_hashes_days: int | None = 7
    neardup_days: int | None = 30
    changes_days: int | None = 30

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def load_policy(path: str | Path | None = None) -> RetentionPolicy:
    """The policy in ``path`` (default: the shipped one), validated."""
    source = Path(path) if path else DEFAULT_POLICY
    try:
        raw: Any = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PolicyError(f"cannot read retention policy {source}: {exc.strerror}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping of settings to days")
    known = {f.name for f in fields(RetentionPolicy)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise PolicyError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: "
                          f"{', '.join(sorted(known))}")  # fmt: skip
    values: dict[str, int | None] = {}
    for key, value in raw.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise PolicyError(f"{source}: {key} must be a whole number of days or null")
        if value is not None and value < 1:
            raise PolicyError(f"{source}: {key} must be at least 1 day (null keeps forever)")
        values[key] = value
    return RetentionPolicy(**values)
