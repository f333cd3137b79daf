"""BoardSnap: a photo of an SLA review whiteboard in, a compliance report out.

    import boardsnap
    board = boardsnap.read_photo("IMG_2041.jpg")
    boardsnap.render_report(board, "review.pdf")

See `boardsnap.api` for the whole Python interface. Nothing heavy (OpenCV, the OCR models,
WeasyPrint) is imported until a function that needs it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str
    from boardsnap.api import (
        History,
        judge_document,
        read_photo,
        read_photo_with_image,
        render_report,
    )
    from boardsnap.config import Config
    from boardsnap.document import Action, Board, Metric
    from boardsnap.errors import BoardSnapError, ExitCode

# name -> module it lives in, imported on first use
_LAZY = {
    "read_photo": "boardsnap.api",
    "read_photo_with_image": "boardsnap.api",
    "judge_document": "boardsnap.api",
    "render_report": "boardsnap.api",
    "History": "boardsnap.api",
    "Config": "boardsnap.config",
    "Board": "boardsnap.document",
    "Metric": "boardsnap.document",
    "Action": "boardsnap.document",
    "BoardSnapError": "boardsnap.errors",
    "ExitCode": "boardsnap.errors",
}


def _version() -> str:
    # importlib.metadata costs a good part of a cold start (it imports email, csv, zipfile...):
    # looked up only when something asks for the version (a report, the web app, --version)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("boardsnap")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "dev"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = found = _version()
        return found
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'boardsnap' has no attribute {name!r}")


__all__ = [
    "__version__",
    "read_photo",
    "read_photo_with_image",
    "judge_document",
    "render_report",
    "History",
    "Config",
    "Board",
    "Metric",
    "Action",
    "BoardSnapError",
    "ExitCode",
]
