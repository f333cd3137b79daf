"""The benchmark's scoring rules (bench/score.py) on hand-made boards: row pairing, field scores,
the wrong-values-not-flagged count, negatives, actions and root causes, and the results table."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import score  # noqa: E402
from bench.score import Outcome, Tally, match_rows, score_photo  # noqa: E402
from bench.table import Column, Speed, percentile, render  # noqa: E402
from boardsnap.document import Action, Actual, Board, Metric, RootCause, Target  # noqa: E402


def metric(name, op, tv, tu, av, au, status, *, review=False, mark=None) -> Metric:
    return Metric(
        name=name,
        target=Target(op, tv, tu, f"{op}{tv}{tu}"),
        actual=Actual(av, au, f"{av}{au}"),
        status=status,
        needs_review=review,
        board_mark=mark,
    )


TRUTH = Board(
    source="t.jpg",
    metrics=(
        metric("P95 latency", "<", 200.0, "ms", 240.0, "ms", "breach", mark="breach"),
        metric("Uptime", ">=", 99.9, "%", 99.95, "%", "met"),
        metric("Error rate", "<", 0.5, "%", 0.48, "%", "near_miss"),
    ),
    root_causes=(RootCause("P95 latency", "slow third-party card API"),),
    actions=(
        Action("add circuit breaker", owner="maria", due="2026-12-15"),
        Action("alert on error budget burn", owner="sam", due="2026-12-01"),
    ),
)


def with_metrics(board: Board, *metrics: Metric) -> Board:
    return dataclasses.replace(board, metrics=tuple(metrics))


def test_a_perfect_reading_scores_everything_right_and_nothing_wrong():
    t = score_photo(TRUTH, "ok", Outcome.of_board(TRUTH))
    for key, _ in score.RATIO_MEASURES:
        c = t.counts[key]
        if key in ("negatives_correct", "rows_flagged", "wrong_rows_flagged"):
            continue
        assert c.right == c.total and c.total > 0, key
    assert t.number("wrong_unflagged") == 0
    assert t.counts["rows_recall"].total == 3
    assert t.counts["rows_flagged"].right == 0 and t.counts["rows_flagged"].total == 3


def test_rows_pair_by_name_despite_case_spacing_and_order():
    read = (
        metric("error  RATE", "<", 0.5, "%", 0.48, "%", "near_miss"),
        metric("P95 latency", "<", 200.0, "ms", 240.0, "ms", "breach"),
        metric("uptime", ">=", 99.9, "%", 99.95, "%", "met"),
    )
    assert match_rows(TRUTH.metrics, read) == [(0, 1), (1, 2), (2, 0)]
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, *read)))
    assert t.counts["name"].right == 3  # case and spacing do not matter


def test_a_misread_name_still_pairs_but_scores_the_name_wrong():
    read = (metric("P9S latncy", "<", 200.0, "ms", 240.0, "ms", "breach"),)
    assert match_rows(TRUTH.metrics, read) == [(0, 0)]
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, *read)))
    assert (t.counts["name"].right, t.counts["name"].total) == (0, 3)
    assert t.counts["target_value"].right == 1
    assert (t.counts["rows_recall"].right, t.counts["rows_precision"].right) == (1, 1)


def test_unrelated_names_do_not_pair_and_count_as_invented_rows():
    read = (metric("Coffee machine", "<", 200.0, "ms", 240.0, "ms", "breach"),)
    assert match_rows(TRUTH.metrics, read) == []
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, *read)))
    assert t.counts["rows_recall"].right == 0
    assert (t.counts["rows_precision"].right, t.counts["rows_precision"].total) == (0, 1)
    assert t.number("invented_rows_unflagged") == 1
    assert t.number("wrong_unflagged") == 0  # invented rows are counted apart


def test_position_breaks_a_tie_between_two_equally_similar_names():
    truth = (
        metric("p95 latency", "<", 200.0, "ms", 240.0, "ms", "breach"),
        metric("p99 latency", "<", 500.0, "ms", 450.0, "ms", "met"),
    )
    read = (
        metric("p9? latency", "<", 200.0, "ms", 240.0, "ms", "breach"),
        metric("p9? latency", "<", 500.0, "ms", 450.0, "ms", "met"),
    )
    assert match_rows(truth, read) == [(0, 0), (1, 1)]


def test_a_wrong_unflagged_value_is_counted_and_flagging_it_clears_the_count():
    wrong = metric("Uptime", ">=", 99.9, "%", 99.5, "%", "breach")  # read 99.5 for 99.95
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, TRUTH.metrics[0], wrong)))
    assert t.number("wrong_unflagged") == 1
    assert t.number("wrong_unflagged_rows") == 1
    assert t.counts["actual_value"].right == 1  # row 1 right, row 2 wrong, row 3 not found
    assert t.counts["status"].right == 1
    assert (t.counts["wrong_rows_flagged"].right, t.counts["wrong_rows_flagged"].total) == (0, 1)

    flagged = dataclasses.replace(wrong, needs_review=True)
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, TRUTH.metrics[0], flagged)))
    assert t.number("wrong_unflagged") == 0
    assert (t.counts["wrong_rows_flagged"].right, t.counts["wrong_rows_flagged"].total) == (1, 1)
    assert (t.counts["rows_flagged"].right, t.counts["rows_flagged"].total) == (1, 2)


@pytest.mark.parametrize(
    "change",
    [
        {"target": Target("<=", 200.0, "ms", "")},
        {"target": Target("<", 2000.0, "ms", "")},
        {"target": Target("<", 200.0, "s", "")},
        {"actual": Actual(24.0, "ms", "")},
        {"actual": Actual(240.0, None, "")},
        {"status": "met"},
    ],
)
def test_each_judged_field_alone_makes_a_row_wrong(change):
    read = dataclasses.replace(TRUTH.metrics[0], **change)
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, read, *TRUTH.metrics[1:])))
    assert t.number("wrong_unflagged") == 1
    assert t.counts["rows_all_right"].right == 2


def test_a_wrong_name_or_board_mark_alone_is_not_a_wrong_value():
    read = dataclasses.replace(TRUTH.metrics[0], name="P95 latenc", board_mark=None)
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, read, *TRUTH.metrics[1:])))
    assert t.number("wrong_unflagged") == 0
    assert t.counts["name"].right == 2 and t.counts["board_mark"].right == 2
    assert t.counts["rows_all_right"].right == 2


def test_numbers_compare_as_numbers_and_units_ignore_case():
    read = dataclasses.replace(
        TRUTH.metrics[0], target=Target("<", 200.0000000001, "MS", ""), actual=Actual(240, "ms", "")
    )
    t = score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, read, *TRUTH.metrics[1:])))
    assert t.number("wrong_unflagged") == 0
    assert t.counts["target_unit"].right == 3


def test_negative_photo_is_right_only_when_the_tool_says_no_table():
    empty = Board(source="blank.jpg")
    t = score_photo(empty, "no_table", Outcome.no_table())
    assert (t.counts["negatives_correct"].right, t.counts["negatives_correct"].total) == (1, 1)
    assert t.number("wrong_unflagged") == 0

    t = score_photo(empty, "no_table", Outcome.failed("timeout"))
    assert (t.counts["negatives_correct"].right, t.counts["negatives_correct"].total) == (0, 1)
    assert t.number("failed_photos") == 1 and t.reasons["timeout"] == 1
    assert t.number("wrong_unflagged") == 0


def test_a_table_read_on_a_negative_photo_is_a_wrong_unflagged_value():
    empty = Board(source="blank.jpg")
    ghost = with_metrics(
        empty,
        metric("FRQ 1", None, None, None, 100.0, "%", "unknown", review=True),
        metric("FRQ 3", None, None, None, 60.0, "%", "unknown", review=True),
    )
    t = score_photo(empty, "no_table", Outcome.of_board(ghost))
    assert t.counts["negatives_correct"].right == 0
    assert t.number("tables_on_negatives") == 1
    assert t.number("wrong_unflagged") == 1  # one per photo, flagged rows or not
    assert (t.counts["rows_precision"].right, t.counts["rows_precision"].total) == (0, 2)


def test_no_table_or_failure_on_a_positive_photo_misses_every_field():
    for outcome in (Outcome.no_table(), Outcome.failed("crash (exit -9)")):
        t = score_photo(TRUTH, "ok", outcome)
        assert t.counts["rows_recall"].right == 0 and t.counts["rows_recall"].total == 3
        assert t.counts["target_value"].total == 3 and t.counts["target_value"].right == 0
        assert t.counts["actions_found"].total == 2 and t.counts["actions_found"].right == 0
        assert t.counts["positives_read"].right == 0
        assert t.number("wrong_unflagged") == 0


def test_actions_match_by_text_and_wrong_owner_unflagged_is_counted_apart():
    read = dataclasses.replace(
        TRUTH,
        actions=(
            Action("add circuit breakr", owner="Maria", due="2026-12-15"),
            Action("alert on error budget burn", owner="sam", due="2026-01-12"),
            Action("buy more coffee", owner="bob"),
        ),
    )
    t = score_photo(TRUTH, "ok", Outcome.of_board(read))
    assert (t.counts["actions_found"].right, t.counts["actions_found"].total) == (2, 2)
    assert t.counts["action_owner"].right == 2
    assert t.counts["action_due"].right == 1
    assert t.number("wrong_actions_unflagged") == 1
    assert t.number("wrong_unflagged") == 0

    flagged = dataclasses.replace(
        read, actions=(read.actions[0], dataclasses.replace(read.actions[1], needs_review=True))
    )
    assert (
        score_photo(TRUTH, "ok", Outcome.of_board(flagged)).number("wrong_actions_unflagged") == 0
    )


def test_an_action_lost_counts_as_silent_only_without_a_warning_about_actions():
    read = dataclasses.replace(TRUTH, actions=TRUTH.actions[:1])
    t = score_photo(TRUTH, "ok", Outcome.of_board(read))
    assert t.number("actions_lost_unwarned") == len(TRUTH.actions) - 1
    warned = dataclasses.replace(read, warnings=("actions: nothing read under the heading",))
    assert score_photo(TRUTH, "ok", Outcome.of_board(warned)).number("actions_lost_unwarned") == 0
    # no table read at all is said (exit 4), not silent
    assert score_photo(TRUTH, "ok", Outcome.no_table()).number("actions_lost_unwarned") == 0


def test_a_metric_row_lost_counts_as_silent_only_without_a_warning_about_rows():
    """A truth row not found is lost without a warning unless the board says a row was read as
    no metric, or a flagged row matching no truth row (a garbled name) stands for it."""
    read = dataclasses.replace(TRUTH, metrics=TRUTH.metrics[1:])
    assert score_photo(TRUTH, "ok", Outcome.of_board(read)).number("rows_lost_unwarned") == 1
    warned = dataclasses.replace(
        read, warnings=("table: a row before row 1 read as no metric ('M | MO'); check it",)
    )
    assert score_photo(TRUTH, "ok", Outcome.of_board(warned)).number("rows_lost_unwarned") == 0
    # lines left unread are a word on a lost row only when the board says a row may be there
    for among, lost in (("a row of the table, an action or a cause", 0), ("an action", 1)):
        unread = f"unread: 2 lines ... ('APIERAR RATE'): {among} may be among them; check the board"
        said = dataclasses.replace(read, warnings=(unread,))
        assert score_photo(TRUTH, "ok", Outcome.of_board(said)).number("rows_lost_unwarned") == lost
    garbled = dataclasses.replace(TRUTH.metrics[0], name="Qx7", needs_review=True)
    stood = dataclasses.replace(TRUTH, metrics=(garbled, *TRUTH.metrics[1:]))
    assert score_photo(TRUTH, "ok", Outcome.of_board(stood)).number("rows_lost_unwarned") == 0
    unflagged = dataclasses.replace(garbled, needs_review=False)
    silent = dataclasses.replace(TRUTH, metrics=(unflagged, *TRUTH.metrics[1:]))
    assert score_photo(TRUTH, "ok", Outcome.of_board(silent)).number("rows_lost_unwarned") == 1
    # no table read at all is said (exit 4), not silent
    assert score_photo(TRUTH, "ok", Outcome.no_table()).number("rows_lost_unwarned") == 0


def test_an_action_read_as_garbage_is_said_only_when_flagged():
    """A line read as no truth action's text is lost to the matcher; flagged for review (its
    crop in the report) it is said, one lost action for each such reading; unflagged it is not."""
    lost = len(TRUTH.actions) - 1
    garbled = dataclasses.replace(TRUTH.actions[1], text="M11ic acalweekendon-callcOLG")
    read = dataclasses.replace(TRUTH, actions=(TRUTH.actions[0], garbled))
    unflagged = score_photo(TRUTH, "ok", Outcome.of_board(read))
    assert unflagged.number("actions_lost_unwarned") == lost
    flagged = dataclasses.replace(
        read, actions=(TRUTH.actions[0], dataclasses.replace(garbled, needs_review=True))
    )
    said = score_photo(TRUTH, "ok", Outcome.of_board(flagged))
    assert said.number("actions_lost_unwarned") == lost - 1


def test_service_and_review_date_are_scored_and_a_wrong_date_without_a_warning_counted():
    truth = dataclasses.replace(TRUTH, service="Orders API", review_date="2026-11-20")
    t = score_photo(truth, "ok", Outcome.of_board(truth))
    assert t.counts["service"].right == t.counts["review_date"].right == 1
    off = dataclasses.replace(truth, service="Orcers API", review_date="2025-11-20")
    t = score_photo(truth, "ok", Outcome.of_board(off))
    assert t.counts["service"].right == t.counts["review_date"].right == 0
    assert t.number("review_date_wrong_unflagged") == 1
    said = dataclasses.replace(off, warnings=("review date: the title's date is far",))
    assert (
        score_photo(truth, "ok", Outcome.of_board(said)).number("review_date_wrong_unflagged") == 0
    )


def test_root_cause_needs_similarity_of_at_least_point_eight():
    close = dataclasses.replace(TRUTH, root_causes=(RootCause(None, "Slow third party card-API."),))
    far = dataclasses.replace(TRUTH, root_causes=(RootCause(None, "slow card"),))
    assert score_photo(TRUTH, "ok", Outcome.of_board(close)).counts["root_causes_found"].right == 1
    assert score_photo(TRUTH, "ok", Outcome.of_board(far)).counts["root_causes_found"].right == 0


def test_tallies_add_up_over_photos():
    total = Tally()
    total += score_photo(TRUTH, "ok", Outcome.of_board(TRUTH))
    total += score_photo(Board(source="b"), "no_table", Outcome.of_board(TRUTH))
    total += score_photo(Board(source="c"), "no_table", Outcome.failed("timeout"))
    assert total.counts["rows_recall"].right == 3
    assert (total.counts["negatives_correct"].right, total.counts["negatives_correct"].total) == (
        0,
        2,
    )
    assert total.number("wrong_unflagged") == 1
    assert total.reasons["timeout"] == 1


def test_table_shows_counts_percentages_and_ratios():
    good, bad = Tally(), Tally()
    good += score_photo(TRUTH, "ok", Outcome.of_board(TRUTH))
    bad += score_photo(TRUTH, "ok", Outcome.of_board(with_metrics(TRUTH, TRUTH.metrics[0])))
    text = render(
        [
            Column("BoardSnap", good, Speed(extract=[1.0, 2.0, 3.0], pdf=[0.5], peak_mb=200.0)),
            Column("peer", bad, Speed(extract=[4.0, 4.0], peak_mb=100.0)),
        ]
    )
    recall = next(ln for ln in text.splitlines() if ln.startswith("| metric rows found"))
    assert "3/3 (100.0%)" in recall and "1/3 (33.3%)" in recall and "3.00×" in recall
    memory = next(ln for ln in text.splitlines() if ln.startswith("| peak memory"))
    assert "2.00×" in memory
    median = next(ln for ln in text.splitlines() if ln.startswith("| extract s/photo, median"))
    assert "| 2.00 |" in median and "0.50×" in median


def test_percentile_is_nearest_rank():
    assert percentile([], 95) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0


def test_the_metric_of_an_action_or_root_cause_may_be_read_apart_or_in_the_text():
    truth = dataclasses.replace(
        TRUTH,
        root_causes=(RootCause("Queue time", "stuck consumer"),),
        actions=(
            Action("add circuit breaker", owner="marc", due="2026-12-03", metric="P95 latency"),
            Action("add circuit breaker", owner="lena", due="2026-10-21", metric="Response time"),
        ),
    )
    read = dataclasses.replace(
        truth,
        root_causes=(RootCause(None, "Queue time: stuck Consumer"),),
        actions=(
            Action("Response time: add circuit breaker", owner="lena", due="2026-10-21"),
            Action("add circuit breaker", owner="marc", due="2026-12-03", metric="P95 latency"),
        ),
    )
    t = score_photo(truth, "ok", Outcome.of_board(read))
    assert t.counts["root_causes_found"].right == 1
    assert t.counts["actions_found"].right == 2
    assert t.counts["action_owner"].right == 2  # each paired with its own metric's action
    assert t.number("wrong_actions_unflagged") == 0


def test_actions_written_alike_pair_by_their_metric_read_apart():
    # seed 9995 photo 24: both read right; the first read with a letter lost, so by text alone
    # the second read pairs better with the first truth, and both owners and dates were counted
    # wrong and unflagged
    truth = dataclasses.replace(
        TRUTH,
        actions=(
            Action("validate config in CI", owner="sam", due="2026-05-22", metric="5xx errors"),
            Action(
                "validate config in CI", owner="marc", due="2026-05-24", metric="API error rate"
            ),
        ),
    )
    first, second = truth.actions
    read = dataclasses.replace(
        truth, actions=(dataclasses.replace(first, text="valiate config in CI"), second)
    )
    t = score_photo(truth, "ok", Outcome.of_board(read))
    assert t.counts["action_owner"].right == 2 and t.counts["action_due"].right == 2
    assert t.number("wrong_actions_unflagged") == 0
