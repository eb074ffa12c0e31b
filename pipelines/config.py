"""Where the lake lives and how to reach it.

One place resolves every path, so the same code runs on local disk (the embedded default under
``data/``) and on object storage (``KVARN_LAKE=s3://bucket/lake`` plus deltalake storage options in
``KVARN_STORAGE_OPTIONS`` as JSON).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

# The planted canaries `kvarn generate --canaries` lists in the landing directory.
CANARY_FILE = "canaries.json"
BRONZE_TABLES = ("events", "quarantine")
SILVER_TABLES = ("turns", "tool_calls", "rag_pairs", "test_results", "feedback")
STATE_TABLES = (
    "seen_hashes", "neardup_bands", "silver_changes", "retention_ledger", "erasure_requests"
)  # fmt: skip
GOLD_TABLES = (
    "candidates", "reviews", "sft", "dpo", "rag", "nlu", "failure_patterns", "test_health",
    "slo_hourly", "dq_hourly",
)  # fmt: skip


def _is_uri(path: str) -> bool:
    return "://" in path


def join(base: str, *parts: str) -> str:
    """Join path parts with '/', for local paths and URIs alike."""
    out = base.rstrip("/")
    for part in parts:
        out = f"{out}/{part.strip('/')}"
    return out


def default_data_dir() -> str:
    """``KVARN_DATA`` if set, else ``./data`` resolved to an absolute path."""
    env = os.environ.get("KVARN_DATA")
    if env:
        return env if _is_uri(env) else str(Path(env).resolve())
    return str(Path("data").resolve())


@dataclass(frozen=True)
class LakeConfig:
    """Paths of the landing zone, the Delta lake and exports below one data directory."""

    data_dir: str = field(default_factory=default_data_dir)
    lake_override: str | None = None
    storage_options: dict[str, str] | None = None

    @classmethod
    def from_env(cls, data_dir: str | None = None) -> LakeConfig:
        opts_env = os.environ.get("KVARN_STORAGE_OPTIONS")
        opts = json.loads(opts_env) if opts_env else None
        return cls(
            data_dir=data_dir or default_data_dir(),
            lake_override=os.environ.get("KVARN_LAKE"),
            storage_options=opts,
        )

    @property
    def landing(self) -> str:
        return join(self.data_dir, "landing")

    @property
    def telemetry(self) -> str:
        return join(self.landing, "telemetry")

    @property
    def docs(self) -> str:
        return join(self.landing, "docs")

    @property
    def lake(self) -> str:
        return self.lake_override or join(self.data_dir, "lake")

    @property
    def exports(self) -> str:
        return join(self.data_dir, "exports")

    @property
    def secrets(self) -> str:
        return join(self.data_dir, ".secrets")

    def table(self, layer: str, name: str) -> str:
        """Path of a Delta table, e.g. ``table('silver', 'turns')``."""
        return join(self.lake, layer, name)

    def all_tables(self) -> dict[str, str]:
        """View name (``silver_turns``) → table path for every table kvarn writes."""
        out: dict[str, str] = {}
        for layer, names in (
            ("bronze", BRONZE_TABLES),
            ("silver", SILVER_TABLES),
            ("state", STATE_TABLES),
            ("gold", GOLD_TABLES),
        ):
            for name in names:
                out[f"{layer}_{name}"] = self.table(layer, name)
        return out
