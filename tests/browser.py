"""Debian's Chromium for the tests: where it is, and the flags it needs on this kind of machine
(headless, as root, on a closed network: without the background-networking flags it keeps
trying to reach Google's hosts)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = "chromium is missing: run make deps (scripts/system-deps.sh)"


def headless(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    """Run `chromium --headless ARGS` with a throwaway profile; its output as text."""
    assert CHROMIUM, MISSING
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
