"""BoardSnap: a photo of an SLA review whiteboard in, a compliance report out.

    import boardsnap
    board = boardsnap.read_photo("IMG_2041.jpg")
    boardsnap.render_report(board, "review.pdf")

See `boardsnap.api` for the whole Python interface. Nothing heavy (OpenCV, the OCR models,
WeasyPrint) is imported until a function that needs it is called.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("boardsnap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "dev"

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
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
