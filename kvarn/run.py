"""``kvarn run``: bronze → silver → gold for a range of hours, in-process through Dagster."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out, parse_hour
from pipelines.config import LakeConfig
from pipelines.io.lock import lake_write_lock

if TYPE_CHECKING:
    from pipelines.observe.snapshot import RunFacts


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


def _run_id() -> str:
    """``kvarn-`` and 12 hex digits: the id of the whole range (many Dagster runs)."""
    return f"kvarn-{uuid.uuid4().hex[:12]}"


def _report(cfg: LakeConfig, run: RunFacts) -> None:
    """Write the run's report (also when hours failed); a report that cannot be written is a
    warning, never the run's result."""
    from pipelines.observe.after_run import finish_run

    try:
        done = finish_run(cfg, run)
    except OSError as exc:
        err.print(f"warning: the run report could not be written: {exc}", soft_wrap=True)
        return
    out.print(f"run report: {done.report / 'summary.md'}", soft_wrap=True)
    if done.textfile is not None:
        out.print(f"metrics: {done.textfile}", soft_wrap=True)
    else:
        err.print(f"warning: metrics textfile not written: {done.textfile_error}", soft_wrap=True)


MAX_BATCH = 168
"""A week of hours per run at most: a batch's hours are worked through one by one, so a larger
batch saves little more and only delays the first results."""


MAX_WORKERS = 64
"""More preparing processes than that only add startup time and memory."""


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
    batch_hours: int = typer.Option(
        24,
        "--batch-hours",
        help=f"Consecutive hours per Dagster run (1 to {MAX_BATCH}); a failed batch is rerun "
        "hour by hour so the failing hours are named.",
    ),
    workers: int = typer.Option(
        0,
        "--workers",
        help=f"Processes that validate bronze hours and extract, mask and date silver hours "
        f"beside the run (0 to {MAX_WORKERS}; 0: as many as CPUs when a batch is large enough, "
        "1: none).",
    ),
    data: Path | None = DataOpt,
) -> None:
    """Materialize bronze → silver → gold for each hour, in-process, with Dagster."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assets.runner import materialize_gold_tables, materialize_hours
    from pipelines.io.processes import kept_workers
    from pipelines.observe.snapshot import RunFacts
    from pipelines.pii.masking import MASK_MODES

    if mask_mode not in MASK_MODES:
        raise KvarnError(f"--mask-mode must be one of {', '.join(MASK_MODES)}, not {mask_mode!r}")
    if not 1 <= batch_hours <= MAX_BATCH:
        raise KvarnError(f"--batch-hours must be from 1 to {MAX_BATCH}, not {batch_hours}")
    if not 0 <= workers <= MAX_WORKERS:
        raise KvarnError(f"--workers must be from 0 to {MAX_WORKERS}, not {workers}")
    cfg = lake_config(data)
    hours = _hours_to_run(cfg, hour_from, hour_to)
    if not hours:
        raise KvarnError("no hours to run in that range")
    _check_partitions(hours)
    _check_pseudonym_key(cfg, demo)
    _check_slo_targets(cfg)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    started = datetime.now(UTC)
    with (
        lake_write_lock(cfg.data_dir, on_wait=_waiting),
        kept_workers(),  # one worker pool for every batch's bronze, silver and checks
        Progress(*columns, console=err) as bar,
    ):
        task = bar.add_task("materializing hours", total=len(hours))

        def tick(hour: str) -> None:
            bar.update(task, advance=1, description=f"hour {hour}")

        failed = materialize_hours(
            cfg,
            hours,
            mask_mode=mask_mode,
            demo=demo,
            on_hour=tick,
            batch_hours=batch_hours,
            workers=workers,
        )
        error = ""
        if not failed:
            bar.update(task, description="gold training tables")
            if not materialize_gold_tables(cfg, demo=demo):
                error = "building the gold training tables failed"
        bar.update(task, description="run report")
        _report(cfg, RunFacts(_run_id(), started, datetime.now(UTC), tuple(hours), tuple(failed),
                              error=error))  # fmt: skip
    if failed:
        raise KvarnError(f"{len(failed)} hour(s) failed: {', '.join(failed[:5])}")
    if error:
        raise KvarnError(f"{error} (see `make ui` runs)")
    out.print(f"materialized {len(hours)} hour(s) from {hours[0]} to {hours[-1]}")
