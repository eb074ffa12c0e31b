"""The three ways an alert leaves kvarn: a JSON-lines file, a Slack webhook and SMTP e-mail.

Each sender raises :class:`ChannelError` (one line, no secrets) when the receiver is unreachable or
refuses; the dispatcher records that and tries again on the next firing.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pipelines.observe.alerts.config import ChannelConfig
from pipelines.observe.alerts.model import Alert, Severity

Sender = Callable[[Alert, ChannelConfig, Path], None]
_EMOJI = {Severity.INFO: ":information_source:", Severity.WARNING: ":warning:",
          Severity.ERROR: ":rotating_light:", Severity.CRITICAL: ":fire:"}  # fmt: skip


class ChannelError(RuntimeError):
    """A channel could not deliver; the message says which receiver and why."""


def alert_log(data_dir: Path) -> Path:
    return data_dir / "alerts" / "alerts.jsonl"


def send_file(alert: Alert, channel: ChannelConfig, data_dir: Path) -> None:
    """Append one JSON line; a single ``write`` of a line under O_APPEND keeps lines whole."""
    path = alert_log(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(alert.as_dict(), ensure_ascii=False) + "\n"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError as exc:
        raise ChannelError(f"file {path}: {exc.strerror or exc}") from None


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack's incoming-webhook JSON: a plain ``text`` fallback plus header and body blocks."""
    head = f"{_EMOJI[alert.severity]} [{alert.severity.name}] {alert.title}"
    context = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*\n{alert.body}"}},
        {"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"source `{alert.source}` · key `{alert.key}`"
             + (f" · {context}" if context else "")}]},
    ]  # fmt: skip
    return {"text": f"{head}\n{alert.body}", "blocks": blocks}


def _webhook_url(channel: ChannelConfig) -> str:
    env = channel.text("webhook_url_env")
    url = os.environ.get(env, "") if env else channel.text("webhook_url")
    if not url:
        raise ChannelError(f"slack: environment variable {env} holds no webhook URL")
    return url


def send_slack(alert: Alert, channel: ChannelConfig, data_dir: Path) -> None:
    url = _webhook_url(channel)
    body = json.dumps(slack_payload(alert)).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    timeout = float(channel.settings.get("timeout_seconds", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"slack: webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"slack: webhook unreachable ({reason})") from None


def email_message(alert: Alert, channel: ChannelConfig) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"[kvarn {alert.severity.name}] {alert.title}"
    msg["From"] = channel.text("from")
    msg["To"] = ", ".join(channel.settings.get("to") or [])
    labels = "".join(f"  {k}: {v}\n" for k, v in sorted(alert.labels.items()))
    msg.set_content(
        f"{alert.body}\n\nseverity: {alert.severity.name}\nsource: {alert.source}\n"
        f"key: {alert.key}\ncreated: {alert.created.isoformat()}\n"
        + (f"labels:\n{labels}" if labels else "")
    )
    return msg


def send_email(alert: Alert, channel: ChannelConfig, data_dir: Path) -> None:
    host, port = channel.text("host"), int(channel.settings.get("port", 25))
    timeout = float(channel.settings.get("timeout_seconds", 10))
    user = channel.text("username")
    password = ""
    if user:
        env = channel.text("password_env")
        password = os.environ.get(env, "") if env else ""
        if not password:
            raise ChannelError(f"email: username set but ${env or 'password_env'} is empty")
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if channel.settings.get("starttls"):
                smtp.starttls()
            if user:
                smtp.login(user, password)
            smtp.send_message(email_message(alert, channel))
    except smtplib.SMTPException as exc:
        raise ChannelError(f"email: {host}:{port} refused ({type(exc).__name__})") from None
    except OSError as exc:
        raise ChannelError(f"email: {host}:{port} unreachable ({exc.strerror or exc})") from None


SENDERS: dict[str, Sender] = {"file": send_file, "slack": send_slack, "email": send_email}
