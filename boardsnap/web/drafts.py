"""Uploaded photos and the board documents being checked, kept under the server's data folder.

Each upload gets a folder `uploads/<id>/` whose name is a random id the server makes; nothing a
client sends (its file name, its form fields) ever becomes part of a path. The folder holds:

    photo.<jpg|png|webp|tif|heic>   the upload, suffix from its first bytes, not its name
    extracted.json                  the document as read, never changed
    board.json                      the document as corrected by people (written atomically)
    board.png                       the rectified board, for the check page and the report
    meta.json                       upload time, photo hash, shown file name, publication
    report.pdf, report.html         written when published
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boardsnap.document import Board
from boardsnap.errors import BadInput
from boardsnap.fileio import atomic_write_bytes, atomic_write_text

DRAFT_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")

# first bytes of the photo formats the loader reads -> the suffix the upload is stored under
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", ".jpg"),
    (0, b"\x89PNG\r\n\x1a\n", ".png"),
    (0, b"II*\x00", ".tif"),
    (0, b"MM\x00*", ".tif"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")

NOT_A_PHOTO = "that file is not a photo; choose a JPEG, PNG, WebP, TIFF or HEIC picture"


def photo_suffix(head: bytes) -> str | None:
    """The stored suffix for a file starting with `head`, or None when it is no photo we read."""
    for offset, magic, suffix in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return suffix
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return ".heic"
    return None


def display_name(client_name: str | None) -> str:
    """The client's file name as shown on pages and in the report: text only, never a path."""
    name = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:120] or "photo"


@dataclass(frozen=True)
class Draft:
    id: str
    folder: Path

    @property
    def photo(self) -> Path:
        found = sorted(self.folder.glob("photo.*"))
        if not found:
            raise FileNotFoundError(self.folder / "photo")
        return found[0]

    @property
    def board_png(self) -> Path:
        return self.folder / "board.png"

    def report(self, fmt: str) -> Path:
        return self.folder / f"report.{fmt}"

    def meta(self) -> dict[str, Any]:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def update_meta(self, **values: Any) -> dict[str, Any]:
        meta = self.meta()
        meta.update(values)
        atomic_write_text(self.folder / "meta.json", json.dumps(meta, indent=2) + "\n")
        return meta

    def board(self) -> Board:
        return Board.from_json((self.folder / "board.json").read_text(encoding="utf-8"))

    def extracted(self) -> Board:
        return Board.from_json((self.folder / "extracted.json").read_text(encoding="utf-8"))

    def save_board(self, board: Board) -> None:
        atomic_write_text(self.folder / "board.json", board.to_json())

    @property
    def has_board(self) -> bool:
        return (self.folder / "board.json").is_file()


class Drafts:
    """The uploads folder: new drafts from upload bytes, existing ones by id."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "uploads"
        self.root.mkdir(parents=True, exist_ok=True)

    def create(self, data: bytes, client_name: str | None) -> Draft:
        """Store an upload under a new id; `BadInput` when it is not a photo."""
        suffix = photo_suffix(data[:16])
        if suffix is None:
            raise BadInput(NOT_A_PHOTO)
        draft_id = secrets.token_urlsafe(12)
        folder = self.root / draft_id
        folder.mkdir(mode=0o750)
        atomic_write_bytes(folder / ("photo" + suffix), data)
        meta = {
            "created": time.time(),
            "sha256": hashlib.sha256(data).hexdigest(),
            "name": display_name(client_name),
            "published": None,
        }
        atomic_write_text(folder / "meta.json", json.dumps(meta, indent=2) + "\n")
        return Draft(draft_id, folder)

    def get(self, draft_id: str) -> Draft | None:
        if not DRAFT_ID.match(draft_id or ""):
            return None
        folder = self.root / draft_id
        if not (folder / "meta.json").is_file():
            return None
        return Draft(draft_id, folder)

    def recent(self, limit: int = 10) -> list[tuple[Draft, dict[str, Any]]]:
        """The latest drafts that were read, newest first."""
        out = []
        for folder in self.root.iterdir():
            draft = self.get(folder.name)
            if draft is None or not draft.has_board:
                continue
            try:
                out.append((draft, draft.meta()))
            except (OSError, ValueError):
                continue
        out.sort(key=lambda pair: pair[1].get("created", 0), reverse=True)
        return out[:limit]


__all__ = ["Draft", "Drafts", "photo_suffix", "display_name", "NOT_A_PHOTO", "DRAFT_ID"]
