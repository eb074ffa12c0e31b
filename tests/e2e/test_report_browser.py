"""``kvarn report`` opened in a real headless Chromium, as a person would look at it.

The page is made by the CLI, served from a loopback HTTP server the test starts, and opened in
Chromium driven by Playwright (its wheel carries the driver; the browser is the system's,
installed by ``tools/system-deps.sh``). No console message, no page error, no request leaving the
server; the charts are drawn and visible; the screenshot is a real picture, not a blank page.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.report_lake import write_report_lake

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    """The system Chromium, or a failure that says how to get it (never a silent skip)."""
    found = os.environ.get("KVARN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        pytest.fail(
            "chromium not found (looked at $KVARN_CHROMIUM, PATH and /usr/bin/chromium): "
            "run tools/system-deps.sh (make test does) to install it"
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]' (never `playwright install`)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over ``tmp_path/site``: (base URL, that directory)."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def kvarn_report(data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KVARN_DATA", "KVARN_LAKE")}
    return subprocess.run(
        [str(BIN / "kvarn"), "report", "--days", "2", "--out", str(out), "--data", str(data)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


PIXEL_STATS = """async (src) => {
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0; const colours = new Set();
  for (let i = 0; i < px.length; i += 4 * 7) {
    if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) ink++;
    colours.add((px[i] >> 4) * 256 + (px[i + 1] >> 4) * 16 + (px[i + 2] >> 4));
  }
  return {ink: ink / (px.length / (4 * 7)), colours: colours.size};
}"""


def test_report_renders_in_chromium_without_errors(
    browser: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, site = served
    write_report_lake(tmp_path / "data")
    made = kvarn_report(tmp_path / "data", site / "report.html")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith("report.html")

    page = browser.new_page(viewport={"width": 1300, "height": 900})
    messages: list[str] = []
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
    response = page.goto(f"{base}/report.html", wait_until="load")
    assert response is not None and response.ok
    assert page.title().startswith("kvarn report")

    charts = page.locator("svg.chart")
    assert charts.count() == 8
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        assert chart.locator(".mark").count() > 0, f"chart {i} has no data marks"
        assert chart.locator("title").first.text_content()
    assert page.locator(".mark.violating").first.is_visible()
    assert page.locator("details").count() == 8  # a table fallback per chart
    page.locator("details summary").first.click()
    assert page.locator("details table").first.is_visible()

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    width, height = png_size(data)
    assert width >= 1300 and height > 2000 and len(data) > 50_000
    probe = browser.new_page()
    stats = probe.evaluate(PIXEL_STATS, "data:image/png;base64," + base64.b64encode(data).decode())
    probe.close()
    assert stats["ink"] > 0.02 and stats["colours"] > 20, stats
    page.close()
    assert messages == [] and errors == [], (messages, errors)
    assert foreign == []


def test_report_of_an_empty_lake_opens_cleanly(
    browser: Any, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, site = served
    made = kvarn_report(tmp_path / "empty", site / "empty.html")
    assert made.returncode == 0, made.stderr
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/empty.html", wait_until="load")
    assert page.locator("svg.chart").count() == 0
    assert page.locator(".empty").count() == 5
    assert page.locator(".empty").first.is_visible()
    page.close()
    assert errors == []
