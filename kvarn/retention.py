"""``kvarn retention``: delete what the retention policy says has expired — or show it first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def retention(
    data: Path | None = DataOpt,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go; change nothing."),
    policy: Path | None = typer.Option(
        None, help="Retention policy YAML (default: pipelines/governance/retention.yaml)."
    ),
    now: str | None = typer.Option(
        None, help="Apply the policy as of this UTC time (YYYY-MM-DDTHH[:MM]); default: now."
    ),
) -> None:
    """Apply the retention policy: expired partitions deleted, their history purged,
    expired landing days removed. Gold and exports stay until a person removes them."""
    from rich.table import Table

    from pipelines.governance.policy import PolicyError, load_policy
    from pipelines.governance.retention import run_retention

    try:
        rules = load_policy(policy)
    except PolicyError as exc:
        raise KvarnError(f"{exc} (hint: see pipelines/governance/retention.yaml)") from None
    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
        except ValueError:
            raise KvarnError(f"--now {now!r} is not a time; use YYYY-MM-DDTHH") from None
    cfg = lake_config(data)
    with err.status("applying retention" if not dry_run else "planning retention"):
        report = run_retention(cfg, rules, moment, dry_run=dry_run)
    plan = report.plan
    horizons = ", ".join(f"{k} < {v}" for k, v in sorted(plan.cutoffs.items()))
    out.print(f"expired at {plan.now:%Y-%m-%dT%H:%M}Z: {horizons}", highlight=False)
    table = Table("what", "partitions", "rows / files", "size", title=None)
    for name, (n, rows, size) in plan.summary().items():
        table.add_row(name, f"{n:,}", f"{rows:,}", _size(size))
    if plan.items:
        out.print(table)
    verb = "would delete" if dry_run else "deleted"
    out.print(
        f"{verb} {len(plan.items)} partition(s)/day(s), {plan.rows:,} rows, {_size(plan.bytes)}"
        + ("" if dry_run else f"; purged {sum(report.purged_files.values())} old file(s)"),
        highlight=False,
    )
