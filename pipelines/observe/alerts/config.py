"""Alert channel settings: the packaged ``alerts.yaml``, or the operator's copy.

Looked up in order: ``KVARN_ALERTS_CONFIG`` (a path), ``<data>/config/alerts.yaml``, then the
default next to this package. Every mistake is one :class:`AlertConfigError` line naming the file
and the key, raised before anything is sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from pipelines.observe.alerts.model import Severity

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "alerts.yaml"
ENV_VAR = "KVARN_ALERTS_CONFIG"
CHANNELS = ("file", "slack", "email")
_KEYS = {
    "file": {"enabled", "min_severity", "cooldown_minutes"},
    "slack": {"enabled", "min_severity", "cooldown_minutes", "webhook_url", "webhook_url_env",
              "timeout_seconds"},
    "email": {"enabled", "min_severity", "cooldown_minutes", "host", "port", "from", "to",
              "starttls", "username", "password_env", "timeout_seconds"},
}  # fmt: skip


class AlertConfigError(ValueError):
    """The alert configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    enabled: bool
    min_severity: Severity
    cooldown: timedelta
    settings: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str, default: str = "") -> str:
        value = self.settings.get(key, default)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class AlertsConfig:
    path: Path
    cooldown: timedelta
    channels: dict[str, ChannelConfig]

    def enabled(self) -> list[ChannelConfig]:
        return [c for c in self.channels.values() if c.enabled]


def config_path(data_dir: str | Path) -> Path:
    """The file in force: ``$KVARN_ALERTS_CONFIG``, ``<data>/config/alerts.yaml``, the default."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    local = Path(data_dir) / "config" / "alerts.yaml"
    return local if local.is_file() else DEFAULT_PATH


def _minutes(value: Any, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AlertConfigError(f"{where}: cooldown_minutes must be a number >= 0, got {value!r}")
    return timedelta(minutes=float(value))


def _channel(name: str, raw: Any, default_cooldown: timedelta, where: str) -> ChannelConfig:
    if not isinstance(raw, dict):
        raise AlertConfigError(f"{where}: channels.{name} must be a mapping")
    if "password" in raw:
        raise AlertConfigError(
            f"{where}: channels.{name}: no password in the file; use password_env"
        )
    unknown = sorted(set(raw) - _KEYS[name])
    if unknown:
        allowed = ", ".join(sorted(_KEYS[name]))
        raise AlertConfigError(f"{where}: channels.{name}: unknown key {unknown[0]!r} ({allowed})")
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise AlertConfigError(f"{where}: channels.{name}.enabled must be true or false")
    try:
        minimum = Severity.parse(str(raw.get("min_severity", "INFO")))
    except ValueError as exc:
        raise AlertConfigError(f"{where}: channels.{name}.min_severity: {exc}") from None
    cooldown = default_cooldown
    if "cooldown_minutes" in raw:
        cooldown = _minutes(raw["cooldown_minutes"], f"{where}: channels.{name}")
    settings = {k: v for k, v in raw.items() if k not in {"enabled", "min_severity"}}
    channel = ChannelConfig(name, enabled, minimum, cooldown, settings)
    if enabled:
        _check_required(channel, where)
    return channel


def _check_required(channel: ChannelConfig, where: str) -> None:
    prefix = f"{where}: channels.{channel.name}"
    slack = channel.name == "slack"
    if slack and not channel.text("webhook_url") and not channel.text("webhook_url_env"):
        raise AlertConfigError(f"{prefix}: set webhook_url_env (or webhook_url)")
    if channel.name == "email":
        for key in ("host", "from"):
            if not channel.text(key):
                raise AlertConfigError(f"{prefix}.{key} is required when e-mail is enabled")
        port = channel.settings.get("port", 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise AlertConfigError(f"{prefix}.port must be a port number, got {port!r}")
        to = channel.settings.get("to")
        if not isinstance(to, list) or not to or not all(isinstance(a, str) for a in to):
            raise AlertConfigError(f"{prefix}.to must be a non-empty list of addresses")


def parse_config(raw: Any, path: Path) -> AlertsConfig:
    """Validate one parsed YAML document."""
    where = str(path)
    if not isinstance(raw, dict):
        raise AlertConfigError(f"{where}: expected a mapping with cooldown_minutes and channels")
    unknown = sorted(set(raw) - {"cooldown_minutes", "channels"})
    if unknown:
        raise AlertConfigError(f"{where}: unknown key {unknown[0]!r} (cooldown_minutes, channels)")
    cooldown = _minutes(raw.get("cooldown_minutes", 60), where)
    channels_raw = raw.get("channels") or {}
    if not isinstance(channels_raw, dict):
        raise AlertConfigError(f"{where}: channels must be a mapping")
    bad = sorted(set(channels_raw) - set(CHANNELS))
    if bad:
        raise AlertConfigError(f"{where}: unknown channel {bad[0]!r} ({', '.join(CHANNELS)})")
    channels = {
        name: _channel(name, channels_raw[name], cooldown, where)
        for name in CHANNELS
        if name in channels_raw
    }
    return AlertsConfig(path, cooldown, channels)


def load_config(data_dir: str | Path, path: str | Path | None = None) -> AlertsConfig:
    """The validated configuration in force for ``data_dir`` (or the file ``path``)."""
    chosen = Path(path) if path is not None else config_path(data_dir)
    if not chosen.is_file():
        raise AlertConfigError(f"{chosen}: alert config not found (unset {ENV_VAR} or create it)")
    try:
        raw = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise AlertConfigError(f"{chosen}:{line} is not valid YAML") from None
    return parse_config(raw, chosen)
