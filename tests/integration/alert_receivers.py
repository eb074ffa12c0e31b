"""Real receivers on loopback for the alert tests: a Slack-compatible webhook (http.server in a
thread, recording POST bodies) and an SMTP server (aiosmtpd), each on a free port."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SlackReceiver:
    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/XXXX"


@contextmanager
def slack_server(port: int | None = None) -> Iterator[SlackReceiver]:
    """A webhook that answers ``ok`` like Slack and keeps every JSON body it was posted."""
    receiver = SlackReceiver(port or free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            receiver.posts.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class MailReceiver:
    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[MailReceiver]:
    """A real SMTP server (aiosmtpd) that keeps every message it accepted."""
    receiver = MailReceiver(port or free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            receiver.messages.append(message_from_bytes(envelope.content))
            receiver.recipients.append(list(envelope.rcpt_tos))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


def write_config(data_dir: Path, slack_port: int, smtp_port: int, cooldown: int = 30) -> Path:
    """``<data>/config/alerts.yaml`` with all three channels on, pointing at the receivers."""
    path = data_dir / "config" / "alerts.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"""cooldown_minutes: {cooldown}
channels:
  file: {{enabled: true, min_severity: INFO}}
  slack:
    enabled: true
    min_severity: WARNING
    webhook_url: http://127.0.0.1:{slack_port}/services/T000/B000/XXXX
    timeout_seconds: 5
  email:
    enabled: true
    min_severity: WARNING
    host: 127.0.0.1
    port: {smtp_port}
    from: kvarn@example.org
    to: [oncall@example.org]
    timeout_seconds: 5
""",
        encoding="utf-8",
    )
    return path


def file_lines(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "alerts" / "alerts.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
