"""What every ``kvarn`` command shares: consoles, the ``--data`` option, one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console

from pipelines.config import LakeConfig

err = Console(stderr=True)
out = Console()

DataOpt = typer.Option(None, "--data", help="Data directory (default: $KVARN_DATA or ./data).")


class KvarnError(Exception):
    """An error meant for the user: printed as one line."""


def lake_config(data: Path | None) -> LakeConfig:
    return LakeConfig.from_env(str(data.resolve()) if data else None)


def parse_hour(text: str) -> str:
    """Accept 2025-09-01T10, 2025-09-01-10:00, '2025-09-01 10:00' and ISO instants."""
    t = text.strip().replace(" ", "T")
    if len(t) >= 13 and t[10] == "-" and t[4] == "-":
        t = f"{t[:10]}T{t[11:13]}"
    try:
        parsed = datetime.fromisoformat(t if len(t) > 13 else t + ":00")
    except ValueError as exc:
        raise KvarnError(f"not an hour: {text!r} (use YYYY-MM-DDTHH)") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H")
