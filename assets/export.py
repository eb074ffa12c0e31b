"""The export asset: a new version of every training export, daily by default.

Thin on purpose: it builds the options from run config, calls the same engine as
``kvarn export all`` and reports version paths and counts. The lead wires ``EXPORT_ASSETS``,
``EXPORT_JOBS`` and ``EXPORT_SCHEDULES`` into the code location. No ``from __future__ import
annotations`` here: Dagster 1.13 cannot resolve a string-annotated ``Config`` parameter.
"""

from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)
from pydantic import Field

from assets.alerts import deliver_alerts
from assets.resources import KvarnResource
from pipelines.export import KINDS, ExportOptions, GateConfig, export_kinds
from pipelines.observe.alerts import AlertConfigError
from pipelines.observe.alerts.sources import export_drop_alerts

EXPORTS = AssetKey(["exports", "training"])
GOLD_INPUTS = [AssetKey(["gold", kind]) for kind in KINDS]


class ExportConfig(Config):
    """Run config of the export asset; defaults match ``kvarn export all``."""

    out: str = ""  # default: <data dir>/exports
    kinds: list[str] = Field(default_factory=lambda: list(KINDS))
    fmt: str = "jsonl"
    flavor: str = "trl"
    min_trust: str = "auto"
    mask: str = "placeholder"
    env: str = "prod"
    seed: int = 42
    split: str = "train=0.9,validation=0.05,test=0.05"
    keep_duplicates: bool = False
    strict: bool = False
    min_rows: int = GateConfig.min_rows

    def options(self) -> ExportOptions:
        return ExportOptions(
            fmt=self.fmt, flavor=self.flavor, split=self.split, seed=self.seed,
            min_trust=self.min_trust, keep_duplicates=self.keep_duplicates, mask=self.mask,
            env=self.env, strict=self.strict, gates=GateConfig(min_rows=self.min_rows),
        )  # fmt: skip


@asset(
    key=EXPORTS,
    deps=GOLD_INPUTS,
    group_name="exports",
    description="Versioned training files (sft, dpo, rag, nlu) with dataset card, provenance and "
    "checksums; `latest` moves only after the leakage audit passed.",
)
def training_exports(
    context: AssetExecutionContext, config: ExportConfig, kvarn: KvarnResource
) -> MaterializeResult:
    cfg = kvarn.lake()
    out = Path(config.out or cfg.exports)
    results = export_kinds(cfg, tuple(config.kinds), config.options(), out)
    if drops := export_drop_alerts(results):
        try:  # the versions are written: a broken alert config must not fail them
            context.log.warning(f"quality dropped >10%: {deliver_alerts(drops, kvarn)}")
        except AlertConfigError as exc:
            context.log.error(f"quality dropped >10%, alert not sent: {exc}")
    meta: dict[str, Any] = {"export_root": MetadataValue.path(str(out))}
    lines = ["| kind | rows | splits | version | gates | audit |", "|---|---|---|---|---|---|"]
    for res in results:
        meta[f"{res.kind}_rows"] = res.rows
        if res.path is not None:
            meta[f"{res.kind}_version"] = MetadataValue.path(str(res.path))
        for warning in res.warnings + [g for g in res.gate_lines if " FAIL " in g]:
            context.log.warning(f"{res.kind}: {warning}")
        splits = ", ".join(f"{k}={v}" for k, v in res.splits.items())
        version = res.path.name if res.path else f"_skipped: {res.skipped}_"
        gates = "pass" if res.gates_passed else "**fail**"
        lines.append(f"| {res.kind} | {res.rows} | {splits} | {version} | {gates} | "
                     f"{res.audit.get('status', '-')} |")  # fmt: skip
    meta["summary"] = MetadataValue.md("\n".join(lines))
    return MaterializeResult(metadata=meta)


daily_export_job = define_asset_job(
    "daily_export",
    selection=AssetSelection.assets(EXPORTS),
    description="Write a new version of every training export.",
)
daily_export_schedule = ScheduleDefinition(
    name="daily_export_schedule",
    job=daily_export_job,
    cron_schedule="15 3 * * *",  # after rebuild_gold_tables (02:30), which it reads
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 03:15 UTC, after the gold rebuild (02:30) it reads from.",
)

EXPORT_ASSETS = [training_exports]
EXPORT_JOBS = [daily_export_job]
EXPORT_SCHEDULES = [daily_export_schedule]
