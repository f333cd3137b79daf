"""Parse stage: what OCR read (`Reading`) → the board document (`Board`), not yet judged.

The table's cells become metric rows (name, target, actual, board mark); the free text lines
become the title (service and review date), root causes and actions. When there are no cells the
table rows are looked for among the lines ("P95 latency < 200ms 240ms"), which is how a
whole-page OCR is read.

Handwriting read by OCR is noisy, so every value is read with the confusions it is known to
make ("2OO" for 200, "°/o" for %, "¢" for <) undone where that is safe, and every repair or
implausible value lowers the row's confidence and is listed in `review_reasons` with
`needs_review` set. A wrong value that is not flagged is the worst outcome; flagging every row is
the second worst, so only what is doubtful is flagged.

One module a step: `values` reads one value, `targets` a target or actual cell, `repairs` and
`checks` a row's two values together, `marks`, `dates`, `titles`, `names`, `actions`,
`headings` the rest of the board, `rows` one metric row, `under` a last row written under the
table's last rule and read as lines, `reading` the whole board.
All functions are pure and never raise on any text.
"""

from __future__ import annotations

from boardsnap.reading.parse.actions import match_owner, parse_action, parse_root_cause, read_action
from boardsnap.reading.parse.checks import check_row
from boardsnap.reading.parse.context import ParseContext
from boardsnap.reading.parse.dates import (
    MONTH_WORDS,
    DateHit,
    find_date,
    month_of,
    parse_due,
    resolve_date,
)
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.headings import column_roles, heading_of
from boardsnap.reading.parse.marks import MARK_TEXTS, parse_mark
from boardsnap.reading.parse.names import clean_name, closest_name, match_metric_name
from boardsnap.reading.parse.plausible import (
    DUE_AFTER_REVIEW_DAYS,
    DUE_BEFORE_REVIEW_DAYS,
    FAR_BUDGET,
    FAR_RATIO,
    MIN_COMMITMENT,
    MIN_UPTIME,
    POINT_LOST_RATIO,
    READING_ONLY_DOUBTS,
    TINY_RATIO,
)
from boardsnap.reading.parse.reading import parse_reading
from boardsnap.reading.parse.repairs import repair_row
from boardsnap.reading.parse.rows import build_metric, split_row_line
from boardsnap.reading.parse.targets import parse_actual, parse_target, read_actual, read_target
from boardsnap.reading.parse.titles import parse_title, tidy_title
from boardsnap.reading.parse.values import Value, normalise, read_value

__all__ = [
    "ParseContext",
    "Doubt",
    "Value",
    "normalise",
    "read_value",
    "FAR_RATIO",
    "READING_ONLY_DOUBTS",
    "POINT_LOST_RATIO",
    "TINY_RATIO",
    "FAR_BUDGET",
    "MIN_UPTIME",
    "MIN_COMMITMENT",
    "DUE_BEFORE_REVIEW_DAYS",
    "DUE_AFTER_REVIEW_DAYS",
    "parse_mark",
    "tidy_title",
    "MARK_TEXTS",
    "DateHit",
    "MONTH_WORDS",
    "month_of",
    "find_date",
    "resolve_date",
    "parse_due",
    "clean_name",
    "match_metric_name",
    "closest_name",
    "read_target",
    "parse_target",
    "read_actual",
    "parse_actual",
    "repair_row",
    "check_row",
    "read_action",
    "match_owner",
    "parse_action",
    "parse_root_cause",
    "heading_of",
    "column_roles",
    "parse_title",
    "build_metric",
    "split_row_line",
    "parse_reading",
]
