"""The bench's title and review-date scores and its breakdown by hardship (bench/groups.py), on
hand-made boards and on the truth of real generated photos."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus, groups  # noqa: E402
from bench.score import Outcome, score_photo  # noqa: E402
from boardsnap.document import Action, Actual, Board, Metric, Target  # noqa: E402

TRUTH = Board(
    source="t.jpg",
    title="Payments SLA review 2026-03-12",
    service="Payments",
    review_date="2026-03-12",
    metrics=(
        Metric(
            name="P95 latency",
            target=Target("<", 200.0, "ms", "<200ms"),
            actual=Actual(240.0, "ms", "240ms"),
            status="breach",
        ),
    ),
    actions=(
        Action("add circuit breaker", owner="maria", due="2026-04-15"),
        Action("alert on error budget burn", owner="sam", due="2026-04-01"),
    ),
)


def score(read: Board):
    return score_photo(TRUTH, "ok", Outcome.of_board(read))


def test_title_is_scored_with_case_punctuation_and_spaces_set_aside():
    same = dataclasses.replace(TRUTH, title="payments  SLA review: 2026-03-12")
    assert score(same).counts["title"].right == 1
    off = dataclasses.replace(TRUTH, title="Payments SLA review 2025-03-12")
    c = score(off).counts["title"]
    assert (c.right, c.total) == (0, 1)
    unread = dataclasses.replace(TRUTH, title=None)
    assert score(unread).counts["title"].right == 0
    assert score_photo(TRUTH, "ok", Outcome.no_table()).counts["title"].total == 1


def test_review_date_right_or_flagged():
    right = score(TRUTH).counts["review_date_ok"]
    assert (right.right, right.total) == (1, 1)
    year_off = dataclasses.replace(TRUTH, review_date="2025-03-12")
    t = score(year_off)
    assert t.counts["review_date_ok"].right == 0
    assert t.number("review_date_wrong_unflagged") == 1
    flagged = dataclasses.replace(
        year_off, warnings=("review date: the title says 2025, the photo was taken in 2026",)
    )
    t = score(flagged)
    assert t.counts["review_date_ok"].right == 1  # wrong, but said
    assert t.counts["review_date"].right == 0
    assert t.number("review_date_wrong_unflagged") == 0
    # a warning about something else does not flag the date
    other = dataclasses.replace(year_off, warnings=("actions: one line unread",))
    assert score(other).counts["review_date_ok"].right == 0


def test_groups_come_from_the_recorded_effects():
    assert groups.groups_of({"groups": ["shadow", "drying"]}) == ["shadow", "drying"]
    assert groups.groups_of({"groups": ["none"]}) == ["none"]
    # a plain corpus records no groups: a hard light shadow and motion blur still count
    assert groups.groups_of({"hard_shadow": True, "motion_blur_px": 3.0}) == [
        "shadow",
        "5mp_shaken",
    ]
    assert groups.groups_of({"hard_shadow": False, "motion_blur_px": 0.0}) == ["none"]
    assert groups.groups_of(None) == ["none"]


def test_breakdown_puts_each_photo_in_its_groups_and_all():
    by = groups.GroupTallies()
    lost_one = dataclasses.replace(TRUTH, actions=TRUTH.actions[:1])  # one action lost, unsaid
    by.add({"groups": ["shadow", "touching"]}, score(lost_one))
    wrong_owner = dataclasses.replace(
        TRUTH, actions=(dataclasses.replace(TRUTH.actions[0], owner="mario"), TRUTH.actions[1])
    )
    by.add({"groups": ["none"]}, score(wrong_owner))
    by.add({"groups": ["drying"]}, score(TRUTH))
    assert by.photos == {
        "shadow": 1,
        "touching": 1,
        "5mp_shaken": 0,
        "drying": 1,
        "none": 1,
        "all": 3,
    }
    found = {
        k: (t.counts["actions_found"].right, t.counts["actions_found"].total)
        for k, t in by.tallies.items()
    }
    assert found["shadow"] == found["touching"] == (1, 2)
    assert found["none"] == found["drying"] == (2, 2)
    assert found["all"] == (5, 6)
    assert by.tallies["shadow"].number("actions_lost_unwarned") == 1
    assert by.tallies["none"].number("actions_lost_unwarned") == 0
    assert by.tallies["none"].number("wrong_actions_unflagged") == 1
    assert by.tallies["none"].counts["action_owner"].right == 1
    assert by.tallies["all"].number("wrong_actions_unflagged") == 1

    text = groups.render(by, "BoardSnap")
    lines = text.strip().splitlines()
    assert lines[0].startswith("| BoardSnap by hardship | shadow (1) | touching actions (1) |")
    assert "5 MP / shaken (0)" in lines[0] and lines[0].endswith("all (3) |")
    row = next(ln for ln in lines if ln.startswith("| actions found |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "50.0 % (1/2)" and cells[3] == "—" and cells[-1] == "83.3 % (5/6)"
    lost = next(ln for ln in lines if ln.startswith("| actions lost without a warning |"))
    assert [c.strip() for c in lost.strip("|").split("|")][1:] == ["1", "1", "0", "0", "0", "1"]
    for label, *_ in groups.ROWS:
        assert any(ln.startswith(f"| {label} |") for ln in lines), label


def test_generated_truth_feeds_the_groups(tmp_path):
    """Real generated photos (tiny): the corpus loader carries their effects to the groups, and
    the plain corpus (no hardship effects) is told apart in its manifest."""
    photos, _ = corpus.ensure_corpus(tmp_path / "c", 12, 404, 160, sys.stderr)
    samples = [corpus.load_sample(p) for p in photos]
    seen = set()
    for s in samples:
        data = json.loads(corpus.truth_path(s.photo).read_text(encoding="utf-8"))
        assert s.effects == data["corpus"]["effects"]
        assert groups.groups_of(s.effects) == data["corpus"]["effects"]["groups"]
        seen.update(groups.groups_of(s.effects))
    assert len(seen) >= 3
    plain, _ = corpus.ensure_corpus(tmp_path / "p", 3, 404, 160, sys.stderr, hard=False)
    manifest = json.loads((tmp_path / "p" / corpus.MANIFEST).read_text())
    assert manifest["hard"] is False
    for p in plain:
        fx = corpus.load_sample(p).effects
        assert "groups" not in fx and "drying_marker" not in fx
    # the same n and seed but the other kind is not reused
    again, seconds = corpus.ensure_corpus(tmp_path / "p", 3, 404, 160, sys.stderr, hard=True)
    assert seconds > 0 and "groups" in corpus.load_sample(again[0]).effects
