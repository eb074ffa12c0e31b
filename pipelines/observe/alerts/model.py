"""What an alert says: severity, a stable de-duplication key, a title, a body and labels.

An alert carries ids of rules, checks, jobs and datasets, never text from the data: it leaves
the lake for Slack and mailboxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered, so a channel's minimum and an escalation are plain comparisons."""

    INFO = 10
    WARNING = 20
    ERROR = 30
    CRITICAL = 40

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of {names})") from None


@dataclass(frozen=True)
class Alert:
    """One thing worth telling someone; ``key`` names the condition, not the occurrence, so the
    same breach fired again within the cool-down is recognised as a repeat."""

    key: str
    severity: Severity
    title: str
    body: str
    source: str
    labels: dict[str, str] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created.astimezone(UTC).isoformat(),
            "severity": self.severity.name,
            "key": self.key,
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "labels": dict(sorted(self.labels.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls(
            key=str(data["key"]),
            severity=Severity.parse(str(data["severity"])),
            title=str(data["title"]),
            body=str(data["body"]),
            source=str(data["source"]),
            labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
            created=datetime.fromisoformat(str(data["created"])),
        )
