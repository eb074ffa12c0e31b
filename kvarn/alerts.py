"""``kvarn alerts``: see which alert channels are on, and send them a test alert.

Mounted by the main CLI as ``app.add_typer(alerts_app, name="alerts")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kvarn.common import DataOpt, KvarnError, lake_config, out

if TYPE_CHECKING:
    from pipelines.config import LakeConfig
    from pipelines.observe.alerts import AlertsConfig

alerts_app = typer.Typer(
    help="Alert channels: file, Slack, e-mail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ConfigOpt = typer.Option(
    None, "--config", help="Alert config (default: $KVARN_ALERTS_CONFIG, DATA/config/alerts.yaml)."
)


def _load(data: Path | None, config: Path | None) -> tuple[LakeConfig, AlertsConfig]:
    """The lake and its alert config, or one line saying what is wrong with the config."""
    from pipelines.observe.alerts import AlertConfigError, load_config

    cfg = lake_config(data)
    try:
        return cfg, load_config(cfg.data_dir, config)
    except AlertConfigError as exc:
        raise KvarnError(f"{exc} (hint: compare with pipelines/observe/alerts.yaml)") from None


@alerts_app.command("test")
def test_command(data: Path | None = DataOpt, config: Path | None = ConfigOpt) -> None:
    """Send one INFO alert to every enabled channel, past minimum severities and cool-downs."""
    from pipelines.observe.alerts import send_test_alert

    cfg, alerts = _load(data, config)
    if not alerts.enabled():
        raise KvarnError(f"no channel is enabled in {alerts.path} (hint: set enabled: true)")
    deliveries = send_test_alert(cfg.data_dir, config=alerts)
    for d in deliveries:
        mark = "[green]sent[/]" if d.outcome == "sent" else f"[red]failed[/]: {d.error}"
        out.print(f"{d.channel}: {mark}", highlight=False)
    failed = [d.channel for d in deliveries if d.outcome != "sent"]
    if failed:
        raise KvarnError(f"test alert not delivered on {', '.join(failed)} (see above)")


@alerts_app.command("status")
def status_command(data: Path | None = DataOpt, config: Path | None = ConfigOpt) -> None:
    """The config in force, each channel's minimum and cool-down, and deliveries still pending."""
    from pipelines.observe.alerts.state import DeliveryState, state_path

    cfg, alerts = _load(data, config)
    out.print(f"config: {alerts.path}", highlight=False)
    for c in alerts.channels.values():
        state = "on " if c.enabled else "off"
        minutes = c.cooldown.total_seconds() / 60
        out.print(f"  {c.name:<6} {state} min {c.min_severity.name:<8} cool-down {minutes:g} min",
                  highlight=False)  # fmt: skip
    path = state_path(Path(cfg.data_dir))
    pending = DeliveryState(path).pending() if path.is_file() else []
    out.print(f"pending retries: {len(pending)}", highlight=False)
    for p in pending:
        out.print(f"  {p.channel} {p.key} ({p.attempts} attempt(s)): {p.last_error}",
                  highlight=False, markup=False)  # fmt: skip
