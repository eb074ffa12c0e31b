"""Fire an alert at every channel that wants it, once per cool-down, never raising for a channel.

A firing first retries what earlier firings failed to deliver on each channel, then offers the
new alert. A channel that is down is recorded (``pending``) and the other channels still deliver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pipelines.observe.alerts.channels import SENDERS, ChannelError
from pipelines.observe.alerts.config import AlertsConfig, ChannelConfig, load_config
from pipelines.observe.alerts.model import Alert, Severity
from pipelines.observe.alerts.state import DeliveryState, state_path

Outcome = Literal["sent", "suppressed", "failed", "retried"]


@dataclass(frozen=True)
class Delivery:
    """What one channel did with one alert (``retried``: an earlier failure, now delivered)."""

    channel: str
    key: str
    outcome: Outcome
    error: str = ""


def _send(channel: ChannelConfig, alert: Alert, data_dir: Path) -> str:
    """'' on success, else the channel's one-line error; never raises for a receiver."""
    try:
        SENDERS[channel.name](alert, channel, data_dir)
    except ChannelError as exc:
        return str(exc)
    except Exception as exc:  # a sender bug must not take the caller down either
        return f"{channel.name}: {type(exc).__name__}"
    return ""


def _retry_pending(
    state: DeliveryState, channel: ChannelConfig, data_dir: Path, now: datetime, skip: str
) -> list[Delivery]:
    out = []
    for item in state.claim_pending(channel.name, now, exclude=skip):
        error = _send(channel, item.alert, data_dir)
        if error:
            state.failed(channel.name, item.alert, error)
            out.append(Delivery(channel.name, item.key, "failed", error))
        else:
            state.sent(channel.name, item.alert, now)
            out.append(Delivery(channel.name, item.key, "retried"))
    return out


def fire(
    alert: Alert,
    data_dir: str | Path,
    *,
    config: AlertsConfig | None = None,
    now: datetime | None = None,
    channels: Sequence[str] | None = None,
) -> list[Delivery]:
    """Deliver ``alert`` to every enabled channel whose minimum it meets, subject to the
    cool-down; ``now`` is the clock (tests pass a simulated one)."""
    root = Path(data_dir)
    cfg = config or load_config(root)
    moment = now or datetime.now(UTC)
    state = DeliveryState(state_path(root))
    out: list[Delivery] = []
    for channel in cfg.enabled():
        if channels is not None and channel.name not in channels:
            continue
        out += _retry_pending(state, channel, root, moment, skip=alert.key)
        if alert.severity < channel.min_severity:
            continue
        if not state.claim(channel.name, alert, moment, channel.cooldown):
            out.append(Delivery(channel.name, alert.key, "suppressed"))
            continue
        error = _send(channel, alert, root)
        if error:
            state.failed(channel.name, alert, error)
            out.append(Delivery(channel.name, alert.key, "failed", error))
        else:
            state.sent(channel.name, alert, moment)
            out.append(Delivery(channel.name, alert.key, "sent"))
    return out


def fire_all(
    alerts: Sequence[Alert],
    data_dir: str | Path,
    *,
    config: AlertsConfig | None = None,
    now: datetime | None = None,
) -> list[Delivery]:
    """:func:`fire` for several alerts with one configuration read."""
    cfg = config or load_config(Path(data_dir))
    return [d for a in alerts for d in fire(a, data_dir, config=cfg, now=now)]


def send_test_alert(
    data_dir: str | Path, *, config: AlertsConfig | None = None, now: datetime | None = None
) -> list[Delivery]:
    """One INFO alert straight to every enabled channel, past minimums and cool-downs: does the
    receiver get it?"""
    root = Path(data_dir)
    cfg = config or load_config(root)
    moment = now or datetime.now(UTC)
    alert = Alert(
        key=f"test:{moment.strftime('%Y%m%dT%H%M%S')}",
        severity=Severity.INFO,
        title="kvarn test alert",
        body=f"A test alert from `kvarn alerts test`, sent with {cfg.path}.",
        source="kvarn alerts test",
        created=moment,
    )
    out = []
    for channel in cfg.enabled():
        error = _send(channel, alert, root)
        out.append(Delivery(channel.name, alert.key, "failed" if error else "sent", error))
    return out
