"""Open the HTML report in headless Chromium: it renders its sections, fetches nothing, runs nothing.

How the checks work (no Python dependency beyond the standard library):

* **Rendered.** ``--dump-dom`` prints the DOM after the page has loaded; every section element
  and the inline SVG matrix must be in it. ``--screenshot`` writes a PNG at the window size; we
  read the PNG with ``zlib`` and require many "busy" scanlines (a filtered scanline of a blank
  page is all one byte value), so a white page fails.
* **No script ran.** The report under test carries strategy names that would change the DOM if
  they ever ran as script (``<script>document.title='PWNED'</script>``, an ``<img onerror>``).
  After load the DOM must hold no ``script`` element, no ``data-pwned`` attribute and the
  original title. The page's Content-Security-Policy (``default-src 'none'``) would block script
  anyway; this checks the escaping, not just the policy.
* **No network request.** Chromium writes a NetLog (``--log-net-log``): every URL request the
  network service started, with its initiator and network-isolation key. Requests made by the
  page carry the page's ``file://`` origin there; the browser's own background requests (update
  and time checks, which ``--disable-background-networking`` does not fully silence) carry
  ``initiator: not an origin`` and are ignored. ``--host-resolver-rules="MAP * ~NOTFOUND"``
  makes sure nothing could leave the machine anyway. Scanning verbose stderr logs was rejected:
  its wording changes between Chromium versions, while the NetLog is a documented JSON format.
* **The checks can fail.** A control page *without* escaping or CSP, holding the same payloads
  and an external image, must trip every detector; otherwise the test itself is broken.

Skips with a clear reason when no Chromium binary is found (set ``STRATEGEASE_CHROMIUM`` to a
binary to choose one). On Debian/Ubuntu: ``apt-get install -y chromium``.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from strategease.render.document import SECTION_TITLES, build_report
from strategease.selection.result import SelectionResult

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
WIDTH, HEIGHT = 1200, 2000
PAYLOAD = "<script>document.title='PWNED'</script>"
PAYLOAD_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
              "headless_shell", "chrome-headless-shell")


def _chromium() -> str | None:
    chosen = os.environ.get("STRATEGEASE_CHROMIUM")
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary on PATH (apt-get install -y chromium, or set STRATEGEASE_CHROMIUM)")


def _run(page: Path, tmp: Path, name: str, *action: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    assert CHROMIUM is not None
    netlog = tmp / f"{name}.netlog.json"
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--mute-audio",
        f"--user-data-dir={tmp / (name + '-profile')}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--log-net-log={netlog}",
        f"--window-size={WIDTH},{HEIGHT}",
        *action,
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
    return proc, netlog


def _page_requests(netlog: Path) -> list[str]:
    """URLs of the network requests the page itself started (see the module docstring)."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit lacks its closing brackets
        data = json.loads(text.rstrip(",\n") + "]}")
    types = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data.get("events", []):
        if types.get(event.get("type")) != "URL_REQUEST_START_JOB":  # begin events carry the url
            continue
        params = event.get("params", {})
        url = params.get("url")
        if url is None or url.startswith(("data:", "file:", "chrome:", "about:")):
            continue
        from_browser = (params.get("initiator") == "not an origin"
                        and "file://" not in params.get("network_isolation_key", ""))
        if not from_browser:
            urls.append(url)
    return urls


def _busy_rows(png: Path) -> tuple[int, int, int]:
    """Width, height and the number of non-uniform (filtered) scanlines of an 8-bit RGB(A) PNG."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format depth={depth} colour={colour}"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        if data[pos + 4:pos + 8] == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * (3 if colour == 2 else 4)
    assert len(raw) == stride * height
    busy = sum(1 for y in range(height) if len(set(raw[y * stride + 1:(y + 1) * stride])) > 1)
    return width, height, busy


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from strategease.catalogue.load import require_valid
    from strategease.render.report import render

    result = SelectionResult.model_validate_json((GOLDEN / "selection.json").read_text(encoding="utf-8"))
    result.strategies[0].name = PAYLOAD
    result.strategies[1].name = PAYLOAD_IMG
    assert result.bundle is not None
    result.bundle.strategies[0].name = PAYLOAD
    doc = build_report(result, require_valid([GOLDEN / "catalogue.yaml"]))
    page = tmp_path_factory.mktemp("html") / "report.html"
    page.write_bytes(render("html", doc, result))
    return page


def test_report_renders_without_scripts_or_network(hostile_report: Path, tmp_path: Path) -> None:
    proc, netlog = _run(hostile_report, tmp_path, "dom", "--dump-dom")
    dom = proc.stdout
    for key in SECTION_TITLES:
        assert f'<section id="{key}"' in dom, f"section {key} missing from the rendered DOM"
    assert "<svg" in dom and "<rect" in dom
    assert "<script" not in dom, "a script element reached the DOM"
    assert "<img" not in dom and 'data-pwned="1"' not in dom, "an event handler ran"
    assert "PWNED</title>" not in dom and "<title>Implementation strategies:" in dom
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom  # shown as text
    assert _page_requests(netlog) == []


def test_report_screenshot_is_not_blank(hostile_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _, netlog = _run(hostile_report, tmp_path, "shot", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 20_000
    width, height, busy = _busy_rows(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    assert busy > height // 10, f"only {busy} of {height} scanlines have content: the page looks blank"
    assert _page_requests(netlog) == []


def test_detectors_catch_an_unsafe_page(tmp_path: Path) -> None:
    """Control: raw payloads, no CSP, an external image. Every check above must fire here."""
    page = tmp_path / "unsafe.html"
    page.write_text("<!DOCTYPE html><html><head><title>control</title></head><body>"
                    f"<h1>control</h1>{PAYLOAD}{PAYLOAD_IMG}"
                    '<img src="http://strategease-test.invalid/pixel.png"></body></html>', encoding="utf-8")
    proc, netlog = _run(page, tmp_path, "control", "--dump-dom")
    assert "<title>PWNED</title>" in proc.stdout, "script execution was not detected"
    assert 'data-pwned="1"' in proc.stdout, "event-handler execution was not detected"
    assert any("strategease-test.invalid" in url for url in _page_requests(netlog)), \
        "the page's network request was not detected"
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    _run(blank, tmp_path, "blank", f"--screenshot={shot}")
    assert _busy_rows(shot)[2] < HEIGHT // 10, "a blank page was not detected as blank"
