"""``/metrics`` over HTTP from the metrics textfile, for a Prometheus without node_exporter.

The file is read again on every scrape, so a run that rewrites it is seen at the next scrape
with no restart. The scrape adds ``kvarn_metrics_textfile_age_seconds``, which tells a stale
file (no run for hours) from a fresh one. No file yet is a 503 with a one-line reason, so
Prometheus marks the target down instead of recording an empty scrape.
"""

from __future__ import annotations

import os
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines.observe.catalogue import PREFIX
from pipelines.observe.metric import Metric
from pipelines.observe.prometheus import CONTENT_TYPE, render

AGE_METRIC = "metrics_textfile_age_seconds"


class NoTextfile(Exception):
    """No textfile to serve yet; the message is the one line a scrape answers with."""


def scrape(path: Path, now: float | None = None) -> str:
    """The textfile's exposition followed by its age in seconds."""
    try:
        with path.open("r", encoding="utf-8") as fh:
            text = fh.read()
            written = os.fstat(fh.fileno()).st_mtime
    except FileNotFoundError:
        reason = f"no metrics yet: {path} does not exist (a `kvarn run` writes it)"
        raise NoTextfile(reason) from None
    if text and not text.endswith("\n"):
        text += "\n"
    if f"# TYPE {PREFIX}{AGE_METRIC} " in text:
        return text  # a file that already states its age keeps it: one family, once
    age = max(0.0, (time.time() if now is None else now) - written)
    return text + render([Metric(AGE_METRIC, round(age, 3), scope="lake")])


class _Handler(BaseHTTPRequestHandler):
    server: MetricsServer

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != "/metrics":
            self._answer(404, "not found: kvarn serves /metrics\n")
            return
        try:
            body = scrape(self.server.textfile)
        except NoTextfile as exc:
            self._answer(503, f"{exc}\n")
            return
        except OSError as exc:
            self._answer(503, f"cannot read {self.server.textfile}: {exc.strerror}\n")
            return
        self._answer(200, body, CONTENT_TYPE)

    def _answer(self, status: int, body: str, ctype: str = "text/plain; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Scrapes every 15 s would flood the terminal; errors still reach the client."""


class MetricsServer(ThreadingHTTPServer):
    """An HTTP server answering ``/metrics`` from ``textfile``."""

    daemon_threads = True

    def __init__(self, host: str, port: int, textfile: Path) -> None:
        self.textfile = textfile
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
