"""Fuzz target: the parser and the board document reader.

Every entry point of `boardsnap.reading.parse` that takes text a camera read, the judge on what the
parser made of it, and `Board.from_json` on arbitrary text. The only exception allowed is
`InvalidDocument` from `Board.from_json` (its one-line message is what the CLI prints).

    .venv/bin/python fuzz/fuzz_parse.py -max_total_time=300 fuzz/corpus/parse

(see fuzz/README.md)
"""

from __future__ import annotations

import sys
from datetime import date

import atheris

with atheris.instrument_imports():
    from boardsnap.config import JudgeConfig
    from boardsnap.document import Board
    from boardsnap.errors import InvalidDocument
    from boardsnap.reading import judge, parse
    from boardsnap.reading.results import OcrText, Reading

REVIEW = date(2026, 11, 20)
NAMES = ("P95 latency", "Uptime", "Error rate")
JUDGE = JudgeConfig()


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))
    a = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 48))
    b = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 48))
    order = "dmy" if fdp.ConsumeBool() else "mdy"
    rest = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())

    for text in (a, b, rest):
        parse.normalise(text)
        parse.parse_mark(text)
        parse.parse_title(text, order)
        parse.parse_due(text, REVIEW, order)
        parse.parse_due(text, None, order)
        parse.parse_action(text, REVIEW, NAMES, order)
        parse.parse_root_cause(text, NAMES)
        parse.match_metric_name(text)
        parse.heading_of(text)
        parse.split_row_line(text)
        parse.find_date(text, order)
    ctx = parse.ParseContext(source="fuzz.jpg", fallback_date=REVIEW, date_order=order)
    metric, _ = parse.build_metric(
        OcrText(name, 0.9), OcrText(a, 0.9), OcrText(b, 0.9), OcrText(rest[:8], 0.5), ctx
    )
    judge.judge_metric(metric, JUDGE)
    cells = tuple(
        tuple(OcrText(t, 0.8) for t in row.split("|")[:5]) for row in rest.split("\n")[:6]
    )
    lines = tuple(OcrText(t, 0.7) for t in (a, b, rest[:80]))
    board = judge.judge_board(parse.parse_reading(Reading(cells=cells, lines=lines), ctx), JUDGE)
    Board.from_json(board.to_json())
    try:
        Board.from_json(rest)
    except InvalidDocument:
        pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
