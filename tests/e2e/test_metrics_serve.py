"""`kvarn metrics serve` as Prometheus scrapes it: a real server on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipelines.config import LakeConfig
from pipelines.observe.metric import Metric
from pipelines.observe.prometheus import TEXTFILE_ENV, publish, render
from tests.unit.observe.metric_samples import published_metrics
from tests.unit.observe.promtool import run_promtool

ROOT = Path(__file__).resolve().parents[2]
KVARN = str(Path(sys.executable).parent / "kvarn")


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (TEXTFILE_ENV, "KVARN_LAKE")}
    env["KVARN_DATA"] = str(data)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    """A running `kvarn metrics serve` over an empty data directory: (url, port, data dir)."""
    port = _free_port()
    proc = subprocess.Popen(
        [KVARN, "metrics", "serve", "--port", str(port)],
        env=_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(url)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out, errs = proc.communicate(timeout=5)
                    pytest.fail(f"kvarn metrics serve did not come up: {out}{errs}")
                time.sleep(0.1)
        yield url, port, tmp_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_answers_scrapes_from_the_textfile(served: tuple[str, int, Path]) -> None:
    url, _, data = served
    status, _, body = _get(url)
    assert status == 503
    assert body.count("\n") == 1 and "no metrics yet" in body
    cfg = LakeConfig(data_dir=str(data))
    publish(cfg, published_metrics())
    status, ctype, body = _get(url)
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    assert body.startswith(render(published_metrics()))
    families = {f.name: f for f in text_string_to_metric_families(body)}
    age = families["kvarn_metrics_textfile_age_seconds"].samples[0].value
    assert 0 <= age < 60
    assert run_promtool("check", "metrics", stdin=body).returncode == 0
    # re-read per scrape: a new run's file shows without a restart
    publish(cfg, [Metric("run_success", 0)])
    status, _, body = _get(url)
    assert status == 200 and "kvarn_run_success 0\n" in body and "kvarn_table_rows" not in body
    assert _get(url.replace("/metrics", "/"))[0] == 404


def test_a_port_in_use_is_one_clear_error(served: tuple[str, int, Path]) -> None:
    _, port, data = served
    second = subprocess.run(
        [KVARN, "metrics", "serve", "--port", str(port)],
        env=_env(data), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use "
        "(hint: another `kvarn metrics serve`? pick a free one with --port)"
    ]


def test_a_remote_host_needs_allow_remote_and_show_prints(tmp_path: Path) -> None:
    remote = subprocess.run(
        [KVARN, "metrics", "serve", "--host", "0.0.0.0", "--port", str(_free_port())],
        env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert remote.returncode == 1 and "--allow-remote" in remote.stderr
    missing = subprocess.run([KVARN, "metrics", "show"], env=_env(tmp_path), cwd=ROOT,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode == 1 and "no metrics yet" in missing.stderr
    publish(LakeConfig(data_dir=str(tmp_path)), published_metrics())
    shown = subprocess.run([KVARN, "metrics", "show"], env=_env(tmp_path), cwd=ROOT,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(render(published_metrics()))
    assert "kvarn_metrics_textfile_age_seconds " in shown.stdout


def _ignore_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # what a careless supervisor passes on


def test_sigterm_stops_the_server_even_if_it_was_inherited_ignored(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [KVARN, "metrics", "serve", "--port", str(port)],
        env=_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=_ignore_sigterm,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                _get(f"http://127.0.0.1:{port}/metrics")
                break
            except OSError:
                time.sleep(0.1)
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
