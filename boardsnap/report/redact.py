"""Leaving confidential metrics out of a board before anything is rendered from it.

`redact(board, names)` returns a new `Board` without the named metrics, their root causes, the
actions for them, and any root cause, action or warning whose text names them. Names match
case-, space- and punctuation-insensitively. A name that matches no metric is an error, not a
silent no-op: a typo in `--redact` must not let the metric through.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from boardsnap.document import Board
from boardsnap.errors import UsageError


def metric_key(name: str | None) -> str:
    """A metric name folded for matching: lower case, words separated by single spaces."""
    return " ".join(re.sub(r"[^0-9a-z%]+", " ", (name or "").lower()).split())


def redact(board: Board, names: Iterable[str]) -> tuple[Board, int]:
    """The board without the metrics `names`, and how many metric rows were removed."""
    keys = {metric_key(n) for n in names if metric_key(n)}
    if not keys:
        return board, 0
    present = {metric_key(m.name) for m in board.metrics}
    unknown = sorted(keys - present)
    if unknown:
        on_board = ", ".join(m.name for m in board.metrics) or "none"
        raise UsageError(
            f"--redact {unknown[0]!r} matches no metric on the board",
            path=board.source or None,
            fix=f"give a metric's name as written (metrics: {on_board})",
        )

    def names_one(text: str | None) -> bool:
        folded = f" {metric_key(text)} "
        return any(f" {key} " in folded for key in keys)

    metrics = tuple(m for m in board.metrics if metric_key(m.name) not in keys)
    return (
        dataclasses.replace(
            board,
            metrics=metrics,
            root_causes=tuple(
                c
                for c in board.root_causes
                if metric_key(c.metric) not in keys and not names_one(c.text)
            ),
            actions=tuple(
                a
                for a in board.actions
                if metric_key(a.metric) not in keys and not names_one(a.text)
            ),
            warnings=tuple(w for w in board.warnings if not names_one(w)),
        ),
        len(board.metrics) - len(metrics),
    )


__all__ = ["redact", "metric_key"]
