"""``kvarn export``: versioned training files (sft, dpo, rag, nlu) and their inspection.

Mounted by the main CLI as ``app.add_typer(export_app, name="export")``. Errors print one line and
exit 1; a ``--strict`` gate failure prints its report first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from pipelines.config import LakeConfig
from pipelines.export.options import (
    KINDS,
    ExportError,
    ExportOptions,
    GateConfig,
    load_kind_gates,
)

if TYPE_CHECKING:
    from pipelines.export.build import ExportResult
    from pipelines.observe.alerts import AlertsConfig

export_app = typer.Typer(
    help="Write and inspect versioned training exports (TRL, OpenAI, sentence-transformers).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True, soft_wrap=True)
_out = Console(soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(1)


def parse_instant(text: str | None, option: str) -> datetime | None:
    """``2025-09-01``, ``2025-09-01T10`` or any ISO-8601 instant; naive values are UTC."""
    if text is None:
        return None
    value = text.strip().replace(" ", "T")
    if len(value) == 13 and value[10] == "T":
        value += ":00"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(
            f"{option}: not a date or time: {text!r} (use YYYY-MM-DD[THH:MM])"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _cfg(data: Path | None) -> LakeConfig:
    return LakeConfig.from_env(str(data.resolve()) if data else None)


def _out_root(cfg: LakeConfig, out: Path | None) -> Path:
    return out if out is not None else Path(cfg.exports)


def _alert_drops(results: list[ExportResult], cfg: LakeConfig, alerts: AlertsConfig) -> None:
    """Fire the quality-drop alerts; a channel that is down is a warning, never an error."""
    from pipelines.observe.alerts import fire
    from pipelines.observe.alerts.sources import export_drop_alerts

    for alert in export_drop_alerts(results):
        for d in fire(alert, cfg.data_dir, config=alerts):
            if d.outcome == "failed":
                line = f"warning: alert {d.key} not delivered on {d.channel}: {d.error}"
                _err.print(f"{line} (retried on the next alert)", highlight=False, markup=False)


def _held_back(results: list[ExportResult]) -> str:
    held = [r for r in results if not r.promoted and r.path is not None]
    names = ", ".join(f"{r.kind}/{r.path.name}" for r in held if r.path is not None)
    stays = ", ".join(f"{r.kind}/{r.previous}" for r in held)
    return (f"--strict: quality dropped more than 10% for {names}; written but not promoted, "
            f"latest stays at {stays} (see `kvarn export diff`)")  # fmt: skip


def _run(kinds: tuple[str, ...], opts: ExportOptions, cfg: LakeConfig, out: Path) -> None:
    from pipelines.export.build import GateFailure, export_kinds
    from pipelines.observe.alerts import AlertConfigError, load_config

    try:
        alerts = load_config(cfg.data_dir)  # a broken alert config fails before any file
    except AlertConfigError as exc:
        raise _fail(f"{exc} (hint: fix it or set KVARN_ALERTS_CONFIG)") from None
    try:
        results = export_kinds(cfg, kinds, opts, out)
    except GateFailure as exc:
        for line in exc.report:
            _err.print(line, highlight=False, markup=False)
        raise _fail(str(exc)) from None
    for res in results:
        for line in res.gate_lines:
            if "FAIL" in line.split(":", 2)[1]:
                _err.print(f"warning: {line}", highlight=False, markup=False)
        for line in res.warnings:
            _err.print(f"warning: {res.kind}: {line}", highlight=False, markup=False)
        if res.skipped:
            _err.print(f"{res.kind}: skipped, {res.skipped}", highlight=False, markup=False)
            continue
        splits = ", ".join(f"{k}={v}" for k, v in res.splits.items())
        audit = res.audit.get("status", "?")
        _out.print(f"{res.kind}: {res.rows} rows ({splits}) -> {res.path} [audit {audit}]",
                   highlight=False, markup=False)  # fmt: skip
    _alert_drops(results, cfg, alerts)
    if any(not r.promoted for r in results):
        raise _fail(_held_back(results))


def _make_export_command(kinds: tuple[str, ...], summary: str) -> Callable[..., None]:
    def command(
        out: Path | None = typer.Option(None, "--out", help="Export root (default: DATA/exports)."),
        data: Path | None = typer.Option(
            None, "--data", help="Data directory (default: $KVARN_DATA or ./data)."
        ),
        since: str | None = typer.Option(
            None, help="Only examples at or after this time (UTC unless an offset is given)."
        ),
        until: str | None = typer.Option(None, help="Only examples before this time."),
        fmt: str = typer.Option("jsonl", "--format", help="jsonl | parquet"),
        flavor: str = typer.Option("trl", help="trl | openai (sft and dpo only)"),
        split: str = typer.Option(
            "train=0.9,validation=0.05,test=0.05", help="Split names and fractions, by session."
        ),
        seed: int = typer.Option(42, help="Seed of the session → split assignment."),
        min_trust: str = typer.Option(
            "auto",
            help="reviewed | auto (+ semi-automatic gold) | silver (+ good silver turns).",
        ),
        keep_duplicates: bool = typer.Option(
            False, "--keep-duplicates", help="Keep every near-duplicate (= --per-cluster 0)."
        ),
        per_cluster: int = typer.Option(
            1, "--per-cluster", help="Examples kept per near-duplicate cluster (0: all)."
        ),
        weights: str = typer.Option(
            "none", help="none | inverse-size (a weight column: 1 / the cluster's size)."
        ),
        mask: str = typer.Option(
            "placeholder", help="placeholder (<PERSON>) | surrogate (consistent fake values)."
        ),
        env: str = typer.Option("prod", help="prod | test | all"),
        strict: bool = typer.Option(
            False,
            "--strict",
            help="Fail (write nothing) if a quality gate fails; on a >10% quality drop, write "
            "the version but keep latest where it was and exit 1.",
        ),
        min_rows: int = typer.Option(GateConfig.min_rows, help="Gate: minimum rows."),
        min_labels: int = typer.Option(
            GateConfig.min_labels, help="Gate: minimum distinct intents (documents for rag)."
        ),
        max_label_share: float = typer.Option(
            GateConfig.max_label_share, help="Gate: maximum share of one intent."
        ),
        min_chars: int = typer.Option(
            GateConfig.min_chars, help="Rows shorter than this are dropped."
        ),
        max_chars: int = typer.Option(
            GateConfig.max_chars, help="Rows longer than this are dropped."
        ),
        min_confidence: float = typer.Option(0.85, help="Silver turns: minimum NLU confidence."),
        license_id: str = typer.Option(
            "other", "--license", help="License id for the dataset card."
        ),
        gates_file: str | None = typer.Option(
            None,
            "--gates",
            help="YAML of per-kind quality gates (default: pipelines/export/gates.yaml).",
        ),
    ) -> None:
        try:
            opts = ExportOptions(
                fmt=fmt, flavor=flavor, split=split, seed=seed, min_trust=min_trust,
                keep_duplicates=keep_duplicates, per_cluster=per_cluster, weights=weights,
                mask=mask, env=env,
                since=parse_instant(since, "--since"), until=parse_instant(until, "--until"),
                strict=strict, min_confidence=min_confidence, license=license_id,
                gates=GateConfig(min_rows=min_rows, min_labels=min_labels,
                                 max_label_share=max_label_share, min_chars=min_chars,
                                 max_chars=max_chars, kinds=load_kind_gates(gates_file)),
            )  # fmt: skip
            opts.validate()
            cfg = _cfg(data)
            _run(kinds, opts, cfg, _out_root(cfg, out))
        except ExportError as exc:
            raise _fail(str(exc)) from None

    command.__doc__ = summary
    return command


_SUMMARIES = {
    "sft": "Export SFT conversations (TRL messages + tools, or OpenAI chat fine-tuning).",
    "dpo": "Export DPO preference pairs (prompt, chosen, rejected).",
    "rag": "Export retrieval triplets (anchor, positive, negative) for sentence-transformers.",
    "nlu": "Export NLU examples (text, intent, slots).",
}
for _kind in KINDS:
    export_app.command(_kind)(_make_export_command((_kind,), _SUMMARIES[_kind]))
export_app.command("all")(_make_export_command(KINDS, "Export all four kinds, one version each."))


@export_app.command("list")
def list_command(
    out: Path | None = typer.Option(None, "--out", help="Export root (default: DATA/exports)."),
    data: Path | None = typer.Option(None, "--data", help="Data directory."),
) -> None:
    """List export versions with their row counts; * marks latest."""
    from pipelines.export.writer import list_versions

    try:
        root = _out_root(_cfg(data), out)
        entries = list_versions(root)
    except ExportError as exc:
        raise _fail(str(exc)) from None
    if not entries:
        _out.print(f"no exports under {root}", highlight=False)
        return
    for e in entries:
        counts = e.metadata.get("counts", {})
        splits = ", ".join(f"{k}={v}" for k, v in counts.get("splits", {}).items())
        mark = "*" if e.latest else " "
        opts = e.metadata.get("options", {})
        held = "  not promoted" if e.metadata.get("promoted") is False else ""
        _out.print(f"{mark} {e.kind}/{e.name}  {counts.get('total', 0):>6} rows  ({splits})  "
                   f"{opts.get('format')}/{opts.get('flavor')} trust>={opts.get('min_trust')}"
                   f"{held}", highlight=False, markup=False)  # fmt: skip


@export_app.command("show")
def show_command(
    version: str = typer.Argument(
        ..., help="kind/vYYYYMMDD_HHMMSS, kind/latest, a bare version or a path."
    ),
    out: Path | None = typer.Option(None, "--out", help="Export root (default: DATA/exports)."),
    data: Path | None = typer.Option(None, "--data", help="Data directory."),
) -> None:
    """Show one version: counts, distributions, gates, audit and the files it holds."""
    from pipelines.export.writer import read_metadata, resolve_version

    try:
        path = resolve_version(_out_root(_cfg(data), out), version)
        meta = read_metadata(path)
    except ExportError as exc:
        raise _fail(str(exc)) from None
    opts = meta.get("options", {})
    labels = meta.get("labels", {})
    lines = [
        f"{meta.get('kind')} {path.name}  ({path})",
        f"rows: {meta['counts']['total']}  "
        + ", ".join(f"{k}={v}" for k, v in meta["counts"]["splits"].items()),
        f"options: format={opts.get('format')} flavor={opts.get('flavor')} "
        f"min_trust={opts.get('min_trust')} mask={opts.get('mask')} env={opts.get('env')} "
        f"seed={opts.get('seed')}",
        f"{labels.get('field')}: {labels.get('distinct')} distinct, top {labels.get('top')!r} "
        f"{labels.get('top_share', 0):.0%}, entropy {labels.get('entropy_bits', 0):.2f} bits",
        f"sources: {meta.get('sources')}  mean trust {meta.get('mean_trust')}",
        f"excluded: {meta.get('excluded')}  duplicates removed: {meta.get('duplicates_removed')}",
        f"length (chars): {meta.get('length')}",
        f"leakage audit: {meta.get('leakage_audit', {}).get('status')}",
    ]
    for gate in meta.get("quality_gates", []):
        lines.append(
            f"gate {'PASS' if gate['passed'] else 'FAIL'} {gate['gate']}: {gate['message']}"
        )
    lines += [f"warning: {w}" for w in meta.get("quality_warnings", [])]
    lines.append("files: " + ", ".join(sorted(p.name for p in path.iterdir() if p.is_file())))
    for line in lines:
        _out.print(line, highlight=False, markup=False)


@export_app.command("diff")
def diff_command(
    a: str = typer.Argument(..., help="The older version (same forms as `show`)."),
    b: str = typer.Argument(..., help="The newer version."),
    out: Path | None = typer.Option(None, "--out", help="Export root (default: DATA/exports)."),
    data: Path | None = typer.Option(None, "--data", help="Data directory."),
) -> None:
    """Compare two versions; flags a drop of more than 10% in counts, diversity or mean trust."""
    from pipelines.export.diff import diff_versions
    from pipelines.export.writer import read_metadata, resolve_version

    try:
        root = _out_root(_cfg(data), out)
        a_dir, b_dir = resolve_version(root, a), resolve_version(root, b)
        if a_dir.parent.resolve() != b_dir.parent.resolve():
            raise _fail(
                f"{a} and {b} are versions of different kinds ({a_dir.parent.name}, "
                f"{b_dir.parent.name}); diff compares two versions of one kind"
            )
        result = diff_versions(a_dir, b_dir, read_metadata(a_dir), read_metadata(b_dir))
    except ExportError as exc:
        raise _fail(str(exc)) from None
    for line in result.lines():
        _out.print(line, highlight=False, markup=False)
