"""``kvarn generate``: sample telemetry in the producers' format, into the landing zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from kvarn.common import err, out


def generate(
    out_dir: Path = typer.Option(Path("data/landing"), "--out", help="Landing directory."),
    days: int = typer.Option(2, min=1, help="Days of traffic."),
    events_per_hour: int = typer.Option(200, min=1, help="Events per hour."),
    seed: int = typer.Option(7, help="Random seed (same seed, same bytes)."),
    start: str | None = typer.Option(None, help="First day (UTC, YYYY-MM-DD); default: recent."),
    legacy_share: float = typer.Option(
        0.05, min=0.0, max=1.0, help="Share of events in kvarn's earlier dialect (0 = none)."
    ),
    canaries: bool = typer.Option(
        False, help="Plant known personal values (canaries.json) for `kvarn audit` to hunt."
    ),
) -> None:
    """Generate realistic Swedish telemetry in the producers' format, with the RAG docs it cites."""
    from rich.progress import Progress

    from pipelines.generate import generate as run_generate

    begin = datetime.fromisoformat(start).replace(tzinfo=UTC) if start else None
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("generating", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        stats = run_generate(out_dir, days=days, events_per_hour=events_per_hour, seed=seed,
                             start=begin, legacy_share=legacy_share, canaries=canaries,
                             progress=progress)  # fmt: skip
    out.print(
        f"wrote {stats.lines:,} lines ({stats.events:,} events, {stats.broken_lines:,} broken, "
        f"{stats.redeliveries:,} re-deliveries) in {stats.files} files and {stats.docs} docs "
        f"under {out_dir}"
    )
    if stats.canary_events:
        out.print(f"planted {stats.canary_events} canary events: {out_dir / 'canaries.json'}")
