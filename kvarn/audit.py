"""``kvarn audit`` and ``kvarn summary``: what the lake holds, and whether anything leaks."""

from __future__ import annotations

from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out


def audit(
    data: Path | None = DataOpt,
    exports: bool = typer.Option(True, help="Also scan export files."),
    canaries: Path | None = typer.Option(
        None,
        help="Planted values to hunt for (default: <landing>/canaries.json when it exists).",
    ),
) -> None:
    """Leakage audit: fail if any personnummer, phone, e-mail, IBAN, card or name under a
    person field survives, or any planted canary is found outside the raw zone."""
    from pipelines.config import CANARY_FILE
    from pipelines.io import delta
    from pipelines.quality.leakage import audit_lake

    cfg = lake_config(data)
    canary_file = canaries or Path(cfg.landing) / CANARY_FILE
    if canaries is not None and not canaries.is_file():
        raise KvarnError(f"no canary file at {canaries}: `kvarn generate --canaries` writes one")
    if not any(delta.open_table(path, cfg.storage_options) for path in cfg.all_tables().values()):
        raise KvarnError(f"no lake to audit under {cfg.lake}: run `make demo` or set KVARN_DATA")
    report = audit_lake(cfg, include_exports=exports)
    for line in report.lines():
        out.print(line, highlight=False)
    failed = bool(report.blocking)
    if canary_file.is_file():
        failed |= not _hunt_canaries(cfg.data_dir, canary_file)
    if failed:
        raise typer.Exit(1)


def _hunt_canaries(data_dir: str, canary_file: Path) -> bool:
    """Byte-level scan of the data directory and the Dagster instance; True when clean."""
    from assets.instance_dirs import dagster_instance_dirs
    from pipelines.quality.canary_scan import load_canaries, scan_data_dir

    if "://" in data_dir:
        out.print(f"canaries: skipped, {data_dir} is not a local directory", highlight=False)
        return True
    planted = load_canaries(canary_file)
    with err.status("hunting canaries (every file, every decoding)"):
        scan = scan_data_dir(Path(data_dir), planted, extra_roots=dagster_instance_dirs(data_dir))
    for line in scan.lines():
        out.print(line, highlight=False)
    verdict = "PASS" if scan.ok else "FAIL"
    out.print(
        f"{verdict}: {len(scan.hits)} canary hit(s) for {len(planted)} planted values in "
        f"{scan.files:,} files ({scan.bytes / 1e6:.1f} MB) outside the raw zone",
        highlight=False,
    )
    return scan.ok


def summary(data: Path | None = DataOpt) -> None:
    """Rows per table, quarantine reasons, and where everything is."""
    from kvarn.summary import print_summary

    print_summary(lake_config(data), out)
