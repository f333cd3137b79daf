"""Property tests that complete tests/test_parse.py and tests/test_judge.py.

- every parse entry point (not only the top-level ones) takes any string without raising;
- the board document: any Board survives to_json/from_json unchanged, and from_json on any text
  or any JSON value returns a Board or raises InvalidDocument, nothing else;
- judging is monotonic in the actual value also when the actual is written in another unit than
  the target, and when the direction comes from the metric's name (no comparator on the board).
"""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from boardsnap import contract
from boardsnap.config import JudgeConfig
from boardsnap.document import (
    ACTION_STATUSES,
    OPS,
    STATUSES,
    Action,
    Actual,
    Board,
    Metric,
    RootCause,
    StatusOverride,
    Target,
)
from boardsnap.errors import InvalidDocument
from boardsnap.reading import parse
from boardsnap.reading.judge import judge_metric, rejudge
from boardsnap.reading.results import OcrText

REVIEW = date(2026, 11, 20)
NAMES = ("P95 latency", "Uptime", "Error rate")
RANK = {"met": 0, "near_miss": 1, "breach": 2}
CTX = parse.ParseContext("x.jpg", fallback_date=REVIEW)


# ---- the parser: never an exception -------------------------------------------------------------


@given(st.text(), st.booleans(), st.booleans(), st.sampled_from([None, "lower", "higher"]))
def test_read_value_never_raises(text, duration, in_cell, direction):
    value = parse.read_value(text, duration, in_cell, direction)
    assert value is not None


@given(st.text(), st.sampled_from(["mdy", "dmy"]))
def test_line_level_parsers_never_raise(text, order):
    parse.normalise(text)
    parse.clean_name(text)
    parse.heading_of(text)
    parse.split_row_line(text)
    hit = parse.find_date(text, order)
    if hit is not None:
        parse.resolve_date(hit, REVIEW)
        parse.resolve_date(hit, None)
    parse.closest_name(text, NAMES)
    parse.read_action(text, REVIEW, NAMES, order)
    parse.read_action(text, None, (), order)


cells = st.one_of(st.none(), st.builds(OcrText, st.text(max_size=30), st.floats(0, 1)))


@given(cells, cells, cells, cells)
def test_build_metric_never_raises(name, target, actual, mark):
    metric, warnings = parse.build_metric(name, target, actual, mark, CTX)
    assert isinstance(warnings, list)
    judged = judge_metric(metric, JudgeConfig())
    assert judged.status in STATUSES
    parse.check_row(metric.name, metric.target, metric.actual)


@given(st.lists(st.builds(OcrText, st.text(max_size=20), st.floats(0, 1)), max_size=7))
def test_column_roles_never_raise(header):
    roles = parse.column_roles(tuple(header))
    assert roles is None or all(0 <= i < len(header) for i in roles.values())


# ---- the board document -------------------------------------------------------------------

# Any text a file can hold: no NUL (refused in a document: no board holds one, PostgreSQL cannot)
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
opt_texts = st.one_of(st.none(), texts)
numbers = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))
days = st.one_of(st.none(), st.dates().map(date.isoformat))

boards = st.builds(
    Board,
    source=texts,
    title=opt_texts,
    service=opt_texts,
    review_date=days,
    metrics=st.lists(
        st.builds(
            Metric,
            name=texts,
            target=st.builds(
                Target, op=st.sampled_from(OPS + (None,)), value=numbers, unit=opt_texts, text=texts
            ),
            actual=st.builds(Actual, value=numbers, unit=opt_texts, text=texts),
            status=st.sampled_from(STATUSES),
            budget_used=numbers,
            confidence=st.floats(0, 1),
            needs_review=st.booleans(),
            board_mark=st.sampled_from(STATUSES + (None,)),
            review_reasons=st.lists(texts, max_size=3).map(tuple),
            cell_boxes=st.lists(st.tuples(*[st.integers(0, 999_999)] * 4), max_size=3).map(tuple),
            status_override=st.none()
            | st.builds(
                StatusOverride,
                status=st.sampled_from(("met", "near_miss", "breach")),
                reason=texts.filter(lambda t: t.strip()).map(str.strip),
                judged=st.sampled_from(STATUSES + (None,)),
            ),
        ),
        max_size=4,
    ).map(tuple),
    root_causes=st.lists(st.builds(RootCause, metric=opt_texts, text=texts), max_size=3).map(tuple),
    actions=st.lists(
        st.builds(
            Action,
            text=texts,
            owner=opt_texts,
            due=days,
            metric=opt_texts,
            status=st.sampled_from(ACTION_STATUSES),
            needs_review=st.booleans(),
            line_box=st.none() | st.tuples(*[st.integers(0, 999_999)] * 4),
        ),
        max_size=3,
    ).map(tuple),
    warnings=st.lists(texts, max_size=3).map(tuple),
)


@given(boards, st.sampled_from([None, 2]))
def test_board_json_round_trip(board, indent):
    assert Board.from_json(board.to_json(indent=indent)) == board


@settings(max_examples=60)
@given(boards)
def test_every_document_boardsnap_writes_fits_the_shipped_schema(board):
    data = json.loads(board.to_json())
    assert contract.validate(data) == board


@settings(max_examples=60)
@given(boards)
def test_judging_a_document_again_changes_nothing_the_second_time(board):
    once, _ = rejudge(board, JudgeConfig())
    twice, changes = rejudge(once, JudgeConfig())
    assert changes == () and twice == once
    for metric in once.metrics:
        if metric.status_override is not None:
            assert metric.status == metric.status_override.status


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
board_like = st.fixed_dictionaries(
    {},
    optional={
        "schema": st.sampled_from(["boardsnap.board/1", "boardsnap.board/2", "x"]) | json_values,
        "source": json_values,
        "title": json_values,
        "review_date": json_values,
        "metrics": st.lists(
            st.fixed_dictionaries(
                {"name": json_values},
                optional={
                    "target": json_values,
                    "actual": json_values,
                    "status": json_values,
                    "cell_boxes": json_values,
                    "confidence": json_values,
                },
            )
            | json_values,
            max_size=3,
        ),
        "actions": st.lists(json_values, max_size=3),
        "root_causes": st.lists(json_values, max_size=3),
        "warnings": json_values,
    },
)


@settings(max_examples=300)
@given(st.one_of(board_like, json_values))
def test_from_json_gives_a_board_or_invalid_document(value):
    text = json.dumps(value)
    try:
        board = Board.from_json(text)
    except InvalidDocument as exc:
        assert "\n" not in exc.one_line()
        return
    assert Board.from_json(board.to_json()) == board


@given(st.text())
def test_from_json_on_any_text(text):
    try:
        Board.from_json(text)
    except InvalidDocument:
        pass


# ---- judging: monotonic in the actual value -----------------------------------------------


def _metric(name, op, target, tunit, actual, aunit):
    return Metric(
        name=name,
        target=Target(op=op, value=target, unit=tunit, text=""),
        actual=Actual(value=actual, unit=aunit, text=""),
    )


def _statuses(make, a: float, b: float, near: float) -> tuple[str, str]:
    """Statuses of the metrics `make(v)` for the lower and the higher of a and b."""
    lo, hi = sorted((a, b))
    cfg = JudgeConfig(near_miss_at=near)
    return judge_metric(make(lo), cfg).status, judge_metric(make(hi), cfg).status


@given(
    target_ms=st.floats(1, 1e5),
    a=st.floats(0, 1e3),
    b=st.floats(0, 1e3),
    op=st.sampled_from(["<", "<="]),
    near=st.floats(0.05, 1.0),
)
def test_lower_is_better_monotonic_across_units(target_ms, a, b, op, near):
    """Target in ms, actual in seconds (a board mixing units)."""
    s_lo, s_hi = _statuses(
        lambda v: _metric("P95 latency", op, target_ms, "ms", v, "s"), a, b, near
    )
    assert s_lo in RANK and s_hi in RANK
    assert RANK[s_hi] >= RANK[s_lo]


@given(
    name=st.sampled_from(["Uptime", "Availability", "P95 latency", "Error rate"]),
    target=st.integers(1, 999),
    a=st.integers(0, 2000),
    b=st.integers(0, 2000),
    near=st.floats(0.05, 1.0),
)
def test_monotonic_when_the_board_writes_no_comparator(name, target, a, b, near):
    """Read from cell text without a comparator: the direction comes from the metric's name."""
    unit = "%" if name in ("Uptime", "Availability", "Error rate") else "ms"
    scale = 10.0 if unit == "%" else 1.0  # percentages 0.1 .. 99.9 / 200.0
    lo, hi = sorted((a, b))
    cfg = JudgeConfig(near_miss_at=near)

    def status(actual: int) -> str:
        t = parse.parse_target(f"{target / scale:g}{unit}", name)
        m = Metric(
            name=name, target=t, actual=parse.parse_actual(f"{actual / scale:g}{unit}", name, t)
        )
        return judge_metric(m, cfg).status

    s_lo, s_hi = status(lo), status(hi)
    if "unknown" in (s_lo, s_hi):
        return  # e.g. a percentage over 100, refused for review: not comparable
    higher = name in ("Uptime", "Availability")
    assert (RANK[s_hi] <= RANK[s_lo]) if higher else (RANK[s_hi] >= RANK[s_lo])


@given(
    target_h=st.floats(0.1, 48),
    a=st.floats(0, 5000),
    b=st.floats(0, 5000),
    near=st.floats(0.05, 1.0),
)
def test_duration_monotonic_hours_against_minutes(target_h, a, b, near):
    s_lo, s_hi = _statuses(lambda v: _metric("MTTR", "<", target_h, "h", v, "min"), a, b, near)
    assert RANK[s_hi] >= RANK[s_lo]
