"""``kvarn run``: bronze → silver → gold for a range of hours, in-process through Dagster."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out, parse_hour
from pipelines.config import LakeConfig
from pipelines.io.lock import lake_write_lock


def _hours_to_run(cfg: LakeConfig, hour_from: str | None, hour_to: str | None) -> list[str]:
    from pipelines.bronze.ingest import all_owner_hours
    from pipelines.io.landing import day_dirs

    if hour_from and hour_to:
        start = datetime.strptime(parse_hour(hour_from), "%Y-%m-%dT%H")
        end = datetime.strptime(parse_hour(hour_to), "%Y-%m-%dT%H")
        if end < start:
            raise KvarnError("--to is before --from")
        n = int((end - start).total_seconds() // 3600) + 1
        return [(start + timedelta(hours=i)).strftime("%Y-%m-%dT%H") for i in range(n)]
    days = day_dirs(cfg.telemetry)
    if not days:
        raise KvarnError(f"no landing data under {cfg.telemetry} (run `kvarn generate` first)")
    hours = all_owner_hours(cfg.telemetry, days)
    if hour_from:
        hours = [h for h in hours if h >= parse_hour(hour_from)]
    if hour_to:
        hours = [h for h in hours if h <= parse_hour(hour_to)]
    return hours


def _check_pseudonym_key(cfg: LakeConfig, demo: bool) -> None:
    """Fail before any run starts when silver could not pseudonymize user ids."""
    from pipelines.pii.pseudonym import PseudonymKeyError, load_pseudonym_key

    demo = demo or os.environ.get("KVARN_DEMO") == "1"
    try:
        load_pseudonym_key(demo=demo, key_file=f"{cfg.secrets}/pseudonym.key")
    except PseudonymKeyError as exc:
        raise KvarnError(str(exc).replace("run in demo mode", "pass --demo")) from exc


def _check_slo_targets(cfg: LakeConfig) -> None:
    """Fail before any run starts when the user's SLO targets file cannot be applied."""
    from pipelines.observe.slo_targets import SloTargetsError, load_targets

    try:
        load_targets(cfg.data_dir)
    except SloTargetsError as exc:
        raise KvarnError(f"{exc} (see docs/operations.md, SLOs)") from exc


def _check_partitions(hours: list[str]) -> None:
    """Every hour must be an hourly partition: from the first one to the hour in progress."""
    from assets.partitions import HOURLY

    first = HOURLY.start.strftime("%Y-%m-%dT%H")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    if hours[0] < first:
        raise KvarnError(f"{hours[0]} is before the first partition {first}")
    if hours[-1] > now:
        raise KvarnError(f"{hours[-1]} is in the future (the latest hour is {now} UTC)")


def _waiting(holder: str) -> None:
    err.print(f"waiting: another kvarn run writes to this lake ({holder}); hours run after it")


def run(
    hour_from: str | None = typer.Option(None, "--from", help="First hour (YYYY-MM-DDTHH, UTC)."),
    hour_to: str | None = typer.Option(None, "--to", help="Last hour, inclusive."),
    mask_mode: str = typer.Option(
        "placeholder",
        help="placeholder | surrogate: which rendering text_normalized is built from "
        "(silver keeps both in text and text_surrogate)",
    ),
    demo: bool = typer.Option(False, help="Demo mode: generate a local pseudonym key if missing."),
    data: Path | None = DataOpt,
) -> None:
    """Materialize bronze → silver → gold for each hour, in-process, with Dagster."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assets.runner import materialize_gold_tables, materialize_hours
    from pipelines.pii.masking import MASK_MODES

    if mask_mode not in MASK_MODES:
        raise KvarnError(f"--mask-mode must be one of {', '.join(MASK_MODES)}, not {mask_mode!r}")
    cfg = lake_config(data)
    hours = _hours_to_run(cfg, hour_from, hour_to)
    if not hours:
        raise KvarnError("no hours to run in that range")
    _check_partitions(hours)
    _check_pseudonym_key(cfg, demo)
    _check_slo_targets(cfg)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with (
        lake_write_lock(cfg.data_dir, on_wait=_waiting),
        Progress(*columns, console=err) as bar,
    ):
        task = bar.add_task("materializing hours", total=len(hours))

        def tick(hour: str) -> None:
            bar.update(task, advance=1, description=f"hour {hour}")

        failed = materialize_hours(cfg, hours, mask_mode=mask_mode, demo=demo, on_hour=tick)
        if failed:
            raise KvarnError(f"{len(failed)} hour(s) failed: {', '.join(failed[:5])}")
        bar.update(task, description="gold training tables")
        if not materialize_gold_tables(cfg, demo=demo):
            raise KvarnError("building the gold training tables failed (see `make ui` runs)")
    out.print(f"materialized {len(hours)} hour(s) from {hours[0]} to {hours[-1]}")
