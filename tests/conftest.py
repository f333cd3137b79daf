"""Test-wide settings: nothing a test does may touch the user's own review history.

Every test process, and every process a test starts, sees an empty XDG data folder of its own and
no $BOARDSNAP_DB, so a history opened without an explicit location lands in a throwaway folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_XDG = tempfile.mkdtemp(prefix="boardsnap-tests-xdg-")
os.environ["XDG_DATA_HOME"] = _XDG
os.environ.pop("BOARDSNAP_DB", None)


def pytest_unconfigure(config) -> None:  # noqa: ARG001 - pytest's hook signature
    shutil.rmtree(_XDG, ignore_errors=True)
