"""``kvarn metrics``: the run's Prometheus metrics, printed or served over HTTP.

``serve`` binds loopback unless ``--allow-remote`` says otherwise: the metrics name tables and
routes, and nothing should reach the network because of a mistyped host.
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import sys
from pathlib import Path

import typer

from kvarn.common import DataOpt, KvarnError, err, lake_config, out

metrics_app = typer.Typer(no_args_is_help=True)


def _textfile(data: Path | None) -> Path:
    from pipelines.observe.prometheus import ExpositionError, textfile_path

    try:
        return textfile_path(lake_config(data))
    except ExpositionError as exc:
        raise KvarnError(str(exc)) from None


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        raise KvarnError(f"--host {host!r} does not resolve (hint: use 127.0.0.1)") from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def _bind_error(exc: OSError, host: str, port: int) -> KvarnError:
    if exc.errno == errno.EADDRINUSE:
        return KvarnError(
            f"port {port} on {host} is already in use "
            "(hint: another `kvarn metrics serve`? pick a free one with --port)"
        )
    if exc.errno == errno.EACCES:
        return KvarnError(f"not allowed to bind port {port} (hint: use a port above 1024)")
    if exc.errno == errno.EADDRNOTAVAIL:
        return KvarnError(f"--host {host} is not an address of this machine (hint: 127.0.0.1)")
    return KvarnError(f"cannot listen on {host}:{port}: {exc.strerror}")


@metrics_app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(9464, min=1, max=65535, help="TCP port to listen on."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a --host other machines can reach."
    ),
    data: Path | None = DataOpt,
) -> None:
    """Serve /metrics for Prometheus from the metrics textfile, re-read on every scrape."""
    if not allow_remote and not is_loopback(host):
        raise KvarnError(
            f"--host {host} is reachable from other machines "
            "(hint: add --allow-remote if that is what you mean)"
        )
    textfile = _textfile(data)
    from pipelines.observe.metrics_server import MetricsServer

    try:
        server = MetricsServer(host, port, textfile)
    except OSError as exc:
        raise _bind_error(exc, host, port) from None
    shown = f"[{host}]" if ":" in host else host
    out.print(f"serving http://{shown}:{port}/metrics from {textfile} (Ctrl-C stops)",
              highlight=False, soft_wrap=True)  # fmt: skip
    if not textfile.exists():
        err.print(f"no textfile yet at {textfile}: scrapes answer 503 until a run writes it",
                  highlight=False, soft_wrap=True)  # fmt: skip
    sys.stdout.flush()
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> None:
    """Stop like Ctrl-C on SIGTERM (what supervisors send), even when the process inherited
    SIGTERM ignored or blocked from whatever started it."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@metrics_app.command()
def show(data: Path | None = DataOpt) -> None:
    """Print the metrics exposition, as a scrape of `kvarn metrics serve` would see it."""
    from pipelines.observe.metrics_server import NoTextfile, scrape

    try:
        sys.stdout.write(scrape(_textfile(data)))
    except NoTextfile as exc:
        raise KvarnError(str(exc)) from None
