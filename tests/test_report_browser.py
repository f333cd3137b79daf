"""The HTML report in a real browser: Debian's headless Chromium, started by the test.

Screenshots at phone (390 px) and desktop (1280 px) widths must show a page, and at phone width
nothing may stick out sideways. The report forbids scripts (its CSP), so the width is measured
from outside: a wrapper page served from the same local origin frames the report at the phone
width and records the framed document's scroll width, which Chromium's --dump-dom prints.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from browser import headless

from boardsnap.config import ReportConfig
from boardsnap.document import Board
from boardsnap.report.render import Evidence, render_html

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PHONE, DESKTOP = 390, 1280


WRAPPER = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="f" src="{page}" style="width:{width}px;height:1500px;border:0"></iframe>
<script>
window.addEventListener("load", function () {{
  var d = document.getElementById("f").contentDocument.documentElement;
  var r = document.createElement("pre");
  r.id = "result";
  r.textContent = "scroll=" + d.scrollWidth + " client=" + d.clientWidth;
  document.body.appendChild(r);
}});
</script></body></html>"""


def chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    return headless("--hide-scrollbars", *args, timeout=timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder served on 127.0.0.1 holding the report (with its pictures) and wrappers."""
    root = tmp_path_factory.mktemp("site")
    board = Board.from_json((SAMPLES / "sample-02-checkout-status.truth.json").read_text())
    photo = cv2.imread(str(SAMPLES / "sample-02-checkout-status.jpg"))
    (root / "report.html").write_text(
        render_html(board, ReportConfig(), Evidence(board_image=photo)), encoding="utf-8"
    )
    (root / "wide.html").write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width">'
        '<div style="width:1200px">a table too wide for a phone</div>'
    )
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


def overflow_at_phone_width(site, page: str) -> tuple[int, int]:
    root, base = site
    wrapper = root / f"measure-{page}"
    wrapper.write_text(WRAPPER.format(page=page, width=PHONE))
    result = chromium("--virtual-time-budget=5000", "--dump-dom", f"{base}/{wrapper.name}")
    match = re.search(r"scroll=(\d+) client=(\d+)", result.stdout)
    assert match, result.stdout[-500:] + result.stderr[-500:]
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_screenshot_shows_the_report(site, tmp_path, width):
    _, base = site
    shot = tmp_path / f"shot-{width}.png"
    result = chromium(f"--screenshot={shot}", f"--window-size={width},1600", f"{base}/report.html")
    assert shot.is_file(), result.stderr[-800:]
    image = cv2.imread(str(shot))
    assert image.shape[1] == width
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert grey.std() > 20  # not a blank page
    dark = grey < 100  # text: a good share of rows hold some
    assert dark.any(axis=1).mean() > 0.2
    # the verdict's red band is there: colour, not only grey
    b, g, r = (image[..., i].astype(int) for i in range(3))
    assert np.count_nonzero((r - b > 60) & (r - g > 60)) > 50


def test_no_horizontal_overflow_at_phone_width(site):
    scroll, client = overflow_at_phone_width(site, "report.html")
    assert client == PHONE
    assert scroll <= client, f"the report is {scroll} px wide in a {client} px phone"


def test_the_overflow_check_catches_a_wide_page(site):
    scroll, client = overflow_at_phone_width(site, "wide.html")
    assert scroll > client
