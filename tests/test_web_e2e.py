"""The web app end to end in Debian's headless Chromium, driven by Playwright, at a phone's
width: the real server in a child process, a sample photo uploaded, a field corrected, the
review published, the PDF downloaded and read back, an action marked done. Each page is
screenshotted (into $BOARDSNAP_SCREENSHOTS when set) for a person to look at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser import CHROMIUM, FLAGS, MISSING  # noqa: E402

from bench.web_load import running_server  # noqa: E402

PHONE = {"width": 390, "height": 844}
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("web-e2e"), workers=1) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, MISSING
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("BOARDSNAP_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_snap_check_publish_and_follow_actions(server, browser, shots, tmp_path):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)

    page.goto(server.url + "/")
    assert page.locator("input#photo").get_attribute("capture") == "environment"
    page.screenshot(path=str(shots / "snap.png"), full_page=True)

    # a file that is no photo: one clear line, no page change
    not_photo = tmp_path / "minutes.jpg"
    not_photo.write_text("minutes of the meeting")
    page.set_input_files("#photo", str(not_photo))
    page.click("#snap-submit")
    page.wait_for_selector("#snap-error:not([hidden])")
    assert "not a photo" in page.inner_text("#snap-error")
    page.screenshot(path=str(shots / "snap-error.png"), full_page=True)

    # the real photo: progress, then the check page
    page.set_input_files("#photo", str(SAMPLES / "sample-01-payments.jpg"))
    page.click("#snap-submit")
    page.wait_for_url("**/check/**")
    assert page.locator("fieldset.metric.flagged").count() >= 1  # doubts are highlighted
    assert page.locator("fieldset.metric.flagged img.crop").count() >= 1
    page.screenshot(path=str(shots / "check.png"), full_page=True)
    page.screenshot(path=str(shots / "check-top.png"))

    # correct the first row's actual value: 1.75 s against < 2 s is met
    assert page.input_value("#m-0-name").lower().endswith("latency")
    page.fill("#m-0-avalue", "1.75")
    page.fill("#m-0-aunit", "s")
    page.click("button[value=save]")
    page.wait_for_url("**saved=1**")
    assert "Met" in page.inner_text("#row-0 legend")
    assert page.input_value("#m-0-avalue") == "1.75"

    # publish: one tap
    page.click("button[value=publish]")
    page.wait_for_url("**/published/**")
    assert "review #" in page.inner_text("main")
    owners = page.locator("ul.cards .owner").all_inner_texts()
    assert owners and any(o.strip() and o.strip() != "unassigned" for o in owners)
    page.screenshot(path=str(shots / "published.png"), full_page=True)

    with page.expect_download() as download:
        page.click("text=Download PDF")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "1.75 s" in text and "PAYMENTS API" in text.upper()

    # the actions of the service: mark the first open one done
    page.click("text=Follow the actions")
    page.wait_for_url("**/actions?service=**")
    page.screenshot(path=str(shots / "actions.png"), full_page=True)
    first = page.locator("ul.cards li.action-item").first
    action_text = first.locator(".action-text").inner_text()
    first.locator("select[name=status]").select_option("done")
    first.locator("button").click()
    page.wait_for_url("**updated=**")
    done = page.locator("details.done li.action-item .action-text").all_inner_texts()
    assert action_text in done
    open_now = page.locator("main > ul.cards li.action-item .action-text").all_inner_texts()
    assert action_text not in open_now
    page.screenshot(path=str(shots / "actions-done.png"), full_page=True)
    context.close()


def test_the_form_works_without_javascript(server, browser, shots):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(server.url + "/")
    page.set_input_files("#photo", str(SAMPLES / "sample-02-checkout-status.jpg"))
    page.click("#snap-submit")
    page.wait_for_url("**/check/**")
    assert page.locator("fieldset.metric").count() >= 2
    context.close()
