"""A board document from outside (a file a person corrected, an upload): read it, judge it
again from its values, and hold it against the SLO contract.

Used by the commands that take a document (`render`, `save`, `report FILE.json`, `validate`,
`slo check`) and by those that take `--slo`. Nothing here knows about the command line: every
failure is a `BoardSnapError` (exit 6 for a bad document or contract) that names the file.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from boardsnap.config import Config
from boardsnap.document import Board
from boardsnap.errors import InvalidDocument

log = logging.getLogger("boardsnap")

DOCUMENT_FIX = "fix the document (docs/board.md; boardsnap validate FILE names the bad field)"


def judged_document(path: Path, cfg: Config) -> Board:
    """The board document at `path`, every row judged again from its values (the stored
    status and budget are a cache); one warning line per row whose stored verdict differed."""
    from boardsnap.reading import judge

    board, changes = judge.rejudge(read_document(path, cfg.limits.document_bytes), cfg.judge)
    for change in changes:
        log.warning("%s: %s", path, change.line())
    return board


def read_document(path: Path, max_bytes: int = 20_000_000) -> Board:
    """The board document at `path`; `InvalidDocument` with one line naming the file for
    anything else."""
    text = document_text(path, max_bytes)
    try:
        return Board.from_json(text)
    except InvalidDocument as exc:
        raise InvalidDocument(exc.message, path=str(path), fix=DOCUMENT_FIX) from None


def validated_document(path: Path) -> Board:
    """The board document at `path` checked against the JSON Schema (docs/board.md);
    `InvalidDocument` naming the file and the first bad field's path otherwise."""
    from boardsnap import contract

    text = document_text(path)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidDocument(f"not JSON ({str(exc)[:80]})", path=str(path)) from None
    except RecursionError:
        raise InvalidDocument("JSON nested too deeply", path=str(path)) from None
    try:
        return contract.validate(data)
    except InvalidDocument as exc:
        raise InvalidDocument(exc.message, path=str(path), fix=DOCUMENT_FIX) from None


def document_text(path: Path, max_bytes: int = 20_000_000) -> str:
    """The text of the document at `path`: a regular file of UTF-8 (a byte-order mark
    allowed) of at most `max_bytes`; `InvalidDocument` naming the file for anything else."""
    name = str(path)
    if not path.exists():
        what = "a broken or looping link" if path.is_symlink() else "no such file"
        raise InvalidDocument(what, path=name, fix="check the path")
    if path.is_dir():
        raise InvalidDocument("is a folder", path=name, fix="give a board JSON file")
    if not path.is_file():
        raise InvalidDocument("not a regular file", path=name, fix="give a board JSON file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidDocument(f"cannot read ({exc.strerror or exc})", path=name) from None
    if len(raw) > max_bytes:
        raise InvalidDocument(
            f"larger than {max_bytes / 1e6:g} MB, no board document is",
            path=name,
            fix="give the board JSON (or raise limits.document_bytes in the config)",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidDocument(
            f"not UTF-8 text (byte {exc.start})", path=name, fix="save the document as UTF-8"
        ) from None


# ---- the SLO contract ------------------------------------------------------------------------


def slo_contract(cfg: Config, files: tuple[Path, ...] = ()) -> Any:
    """The SLO contract of `[slo] files` and `files`, or None when neither names a file."""
    paths = [*cfg.slo.files, *files]
    if not paths:
        return None
    from boardsnap import slo as contract_stage

    return contract_stage.load_contract(paths)


def with_slo(cfg: Config, files: tuple[Path, ...]) -> Config:
    """`cfg` with `files` added to `[slo] files`, every file read once here so that a bad
    one fails before any photo is read (exit 6)."""
    if files:
        cfg = cfg.with_overrides(slo={"files": (*cfg.slo.files, *map(str, files))})
    slo_contract(cfg)
    return cfg


def with_history_priors(cfg: Config, history: Any) -> Config:
    """`cfg` with the people, services and metric names the history has seen added to `[team]
    members`, `services` and `metrics`: what a misread owner or service is matched to (and
    flagged when corrected), as metric names are matched to the vocabulary; a metric name seen
    before is no unknown name. `history`: an open store."""
    members = _merged(cfg.team.members, history.owners())
    services = _merged(cfg.team.services, history.services())
    metrics = _merged(cfg.team.metrics, history.metric_names())
    if (members, services, metrics) == (cfg.team.members, cfg.team.services, cfg.team.metrics):
        return cfg
    return cfg.with_overrides(team={"members": members, "services": services, "metrics": metrics})


def _merged(given: tuple[str, ...], seen: list[str]) -> tuple[str, ...]:
    """`given` (the config's, first), then what `seen` adds, each name once (case aside)."""
    known = {name.casefold() for name in given}
    return given + tuple(n for n in seen if n.casefold() not in known)


def checked_against(board: Board, contract: Any, cfg: Config) -> Board:
    """`board` checked against `contract` (None: unchanged); one warning line per commitment
    whose target on the board differs from the contract's."""
    if contract is None:
        return board
    from boardsnap import slo as contract_stage

    checked = contract_stage.check(board, contract, cfg.judge)
    for row in contract_stage.rows(checked):
        if row.result == "differs":
            log.warning(
                "%s: %s differs from the contract: board says %s, contract says %s",
                board.source or "board",
                row.metric,
                row.board,
                row.contract,
            )
    return checked


__all__ = [
    "DOCUMENT_FIX",
    "checked_against",
    "document_text",
    "judged_document",
    "read_document",
    "slo_contract",
    "validated_document",
    "with_slo",
]
