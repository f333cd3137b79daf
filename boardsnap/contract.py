"""The board document's contract as a file: `schema/board.schema.json` (JSON Schema 2020-12),
shipped inside the package, and the check `boardsnap validate` runs against it.

A document is valid when it fits the schema and `Board.from_dict` takes it (which also checks
what a schema does not say well: real calendar dates, text that can be written out). The first
bad field is named by its path (`metrics[1].target.op`), so a person can find it.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from boardsnap.document import Board
from boardsnap.errors import InvalidDocument

SCHEMA_FILE = "board.schema.json"


@functools.cache
def schema() -> dict[str, Any]:
    """The board document's JSON Schema, as shipped in the package."""
    text = resources.files("boardsnap").joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def schema_path() -> str:
    return str(resources.files("boardsnap").joinpath("schema", SCHEMA_FILE))


def validate(data: Any) -> Board:
    """The board of a parsed JSON document, or `InvalidDocument` naming the first bad field."""
    from jsonschema.exceptions import best_match

    validator = _validator()
    # the first field in document order; within it, the error that says the most
    errors = sorted(validator.iter_errors(data), key=lambda e: _order(e.absolute_path))
    if errors:
        first = [e for e in errors if e.absolute_path == errors[0].absolute_path]
        error = best_match(first) or errors[0]
        raise InvalidDocument(f"{field_path(error.absolute_path)}: {_said(error)}")
    return Board.from_dict(data)


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _order(path: Any) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path]


def field_path(path: Any) -> str:
    """`metrics[1].target.op` from the parts of a JSON path; `(document)` for the whole."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _said(error: Any) -> str:
    """The validator's message, short: a long instance is not repeated whole."""
    message = error.message
    if len(message) > 160:
        message = message[:157] + "..."
    return message


__all__ = ["schema", "schema_path", "validate", "field_path"]
