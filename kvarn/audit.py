"""``kvarn audit`` and ``kvarn summary``: what the lake holds, and whether anything leaks."""

from __future__ import annotations

from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, lake_config, out


def audit(
    data: Path | None = DataOpt,
    exports: bool = typer.Option(True, help="Also scan export files."),
) -> None:
    """Leakage audit: fail if any personnummer, phone, e-mail, IBAN or card survives."""
    from pipelines.io import delta
    from pipelines.quality.leakage import audit_lake

    cfg = lake_config(data)
    if not any(delta.open_table(path, cfg.storage_options) for path in cfg.all_tables().values()):
        raise KvarnError(f"no lake to audit under {cfg.lake}: run `make demo` or set KVARN_DATA")
    report = audit_lake(cfg, include_exports=exports)
    for line in report.lines():
        out.print(line, highlight=False)
    if report.blocking:
        raise typer.Exit(1)


def summary(data: Path | None = DataOpt) -> None:
    """Rows per table, quarantine reasons, and where everything is."""
    from kvarn.summary import print_summary

    print_summary(lake_config(data), out)
