"""A section heading read a letter or two off ("ACTANS:" for "Actions:") still opens its section:
the lines under it are read as actions, not as more root causes (seed 6161, board 1: four
actions were lost without a word that way)."""

from __future__ import annotations

from datetime import date

import pytest

from boardsnap.config import ParseConfig
from boardsnap.document import Board
from boardsnap.reading.parse import ParseContext, parse_reading
from boardsnap.reading.parse.headings import heading_of
from boardsnap.reading.results import OcrText, Reading


@pytest.mark.parametrize(
    "line, kind",
    [
        ("ACTANS:", "actions"),  # a heading alone, misread
        ("ROOT CAVSES", "root"),
        ("Actions", "actions"),
        ("ACTANS: fix it", None),  # a line that goes on must match more closely
        ("Options", None),
        ("Activity", None),
        ("Notes:", None),
    ],
)
def test_a_heading_alone_is_known_further_off_its_word(line, kind):
    assert heading_of(line)[0] == kind


def test_the_thresholds_are_the_configs():
    assert heading_of("ACTANS:", alone=0.9)[0] is None
    assert heading_of("ACTANS:", alone=ParseConfig().heading_alone_match)[0] == "actions"


def test_lines_under_a_misread_actions_heading_are_actions():
    lines = (
        "BILLING SLA REVIEW 20 JAN 2026",
        "ROOT CAUSES:",
        "SITE UPTIME: BAD DEPLOY ROLLED BACK LATE",
        "ACTANS:",
        "API AVAILABILITY: FASTER ROLLBACK @DEV BY 20 FEB",
        "REVIEW DASHBOARDS, FEB 10, OWNER: LENA",
    )
    reading = Reading(cells=(), lines=tuple(OcrText(t, 0.95) for t in lines))
    doc = parse_reading(reading, ParseContext("t.jpg", fallback_date=date(2026, 1, 20)))
    assert [c.text for c in doc.root_causes] == ["BAD DEPLOY ROLLED BACK LATE"]
    assert [(a.text, a.owner, a.due) for a in doc.actions] == [
        ("FASTER ROLLBACK", "dev", "2026-02-20"),
        ("REVIEW DASHBOARDS", "lena", "2026-02-10"),
    ]


def _doc(*lines: str):
    reading = Reading(cells=(), lines=tuple(OcrText(t, 0.9) for t in lines))
    return parse_reading(reading, ParseContext("t.jpg", fallback_date=date(2026, 10, 25)))


def test_writing_read_as_nothing_is_said_not_dropped():
    doc = _doc("SANGSAREMEW25OCT2026", "WHN?.", "Actions", "- fix pager @li 11/19")
    (unread,) = [w for w in doc.warnings if w.startswith("unread:")]
    assert "2 lines" in unread and "'SANGSAREMEW25OCT2026'" in unread and "'WHN?.'" in unread
    assert [a.owner for a in doc.actions] == ["li"]


@pytest.mark.parametrize(
    ("pieces", "row"),
    [
        (("APIERAR RATE", "1.98%"), True),
        (("WHN?.", "(eva)"), False),
        # the table found below its header (seed 2026 photo 14): its column headings unread
        (("Metric", "Target Actuail", "On-Coll pages"), True),
        (("the result of a deploy",), False),  # a heading's word inside a sentence
    ],
)
def test_unread_lines_that_name_a_metric_or_write_a_value_may_be_a_row(pieces, row):
    """Seed 9993's photo 26: a faint table's row read as pieces of lines ('198%', 'APIERAR
    RATE', '0.7%'); the board said an action or a cause might be among them, not a row."""
    doc = _doc("Orders API SLA review 2026-11-20", *pieces, "Actions", "- fix pager @li 11/19")
    (unread,) = [w for w in doc.warnings if w.startswith("unread:")]
    assert ("a row of the table" in unread) is row


def test_a_board_read_whole_has_no_unread_warning():
    doc = _doc(
        "Search SLA review 10/25/2026", "Root causes", "- cache cold", "Actions", "- warm @li"
    )
    assert not [w for w in doc.warnings if w.startswith("unread:")]


def test_a_line_with_an_owner_and_a_due_date_among_the_causes_is_an_action():
    doc = _doc(
        "Search SLA review 10/25/2026",
        "Root causes",
        "- UPTIME: BAD DEPLOY ROLLED BACK LATE",
        "- TEST FAILOVER OWNER: KENJI DUE 2026-11-01",  # the Actions heading above it not read
        "- cache cold after a deploy on 10/20",  # a date alone: still a cause
    )
    assert [c.text for c in doc.root_causes] == [
        "BAD DEPLOY ROLLED BACK LATE",
        "cache cold after a deploy on 10/20",
    ]
    assert [(a.text, a.owner, a.due) for a in doc.actions] == [
        ("TEST FAILOVER", "kenji", "2026-11-01")
    ]


def _sections(*texts: str) -> Board:
    lines = tuple(OcrText(t, 0.9, (0, 40 * i, 600, 30)) for i, t in enumerate(texts))
    return parse_reading(Reading(cells=(), lines=lines), ParseContext(source="t.jpg"))


@pytest.mark.parametrize(
    "heading, guessed", [("ACHicS", True), ("achcns:", True), ("Actins:", False), ("atcins", False)]
)
def test_a_lone_word_after_the_root_causes_like_actions_is_taken_for_that_heading(heading, guessed):
    doc = _sections(
        "Root causes:",
        "bad config push",
        heading,
        "move db to own host",
        "tune GC settings",
    )
    assert [c.text for c in doc.root_causes] == ["bad config push"]
    assert [a.text for a in doc.actions] == ["move db to own host", "tune GC settings"]
    # a heading read further off than heading_alone_match is said to have been taken
    said = [w for w in doc.warnings if w.startswith("actions:") and "taken for the Actions" in w]
    assert len(said) == guessed


def test_a_heading_read_as_two_words_is_taken_joined():
    """ "PEME NATION" (seed 9973's photo 10): "REMEDIATION" with a space read inside it; the
    actions under it had been read as root causes, and nothing said actions were missing."""
    doc = _sections("Root causes:", "bad config push", "PEME NATION", "tune GC settings")
    assert [c.text for c in doc.root_causes] == ["bad config push"]
    assert [a.text for a in doc.actions] == ["tune GC settings"]


@pytest.mark.parametrize(
    ("heading", "taken"),
    [("Acbon ilens", True), ("Nxt stps", True), ("cache items", False), ("API outage", False)],
)
def test_a_two_word_heading_misread_word_by_word_is_taken(heading, taken):
    """ "Acbon ilens" (seed 9987's photo 13): "Action items" with each word misread, 0.73 and
    0.6 like its words but 0.67 once joined. Taken for the heading when each word is at least
    half like its word; the actions under it had been read as root causes, and nothing said
    that actions were missing."""
    doc = _sections("Root causes:", "bad config push", heading, "tune GC settings")
    assert ([a.text for a in doc.actions] == ["tune GC settings"]) is taken
    assert (heading in [c.text for c in doc.root_causes]) is not taken


@pytest.mark.parametrize("cause", ["API dvallabi", "dod"])
def test_a_short_cause_before_an_action_stays_a_cause(cause):
    """Seed 9859's photos 38 and 3: "API dvallabi" (a cause cut short) starts with an A where
    the Root causes heading stands, "dod" is 0.57 like "todo"; each was taken for the Actions
    heading once two words and three letters were let in. Two words must be as like the heading
    as a heading alone (`heading_alone_match`); a word, four letters or more."""
    doc = _indented((0, "Root causes:"), (0, cause), (0, "- move db to own host @raj 12/15"))
    assert [c.text for c in doc.root_causes] == [cause]
    assert [a.text for a in doc.actions] == ["move db to own host"]


@pytest.mark.parametrize(
    ("after", "taken"), [("raise ASG max @fatima Apr 6", True), ("DNS", False)]
)
def test_a_lone_word_before_an_action_is_taken_for_the_heading_when_less_alike(after, taken):
    """ "icns" (seed 9473's photo 36, "Actions" misread) is less like the heading than a lone
    word must be in general (0.55 similar to "actions"); followed by a line with an owner and a
    due date, which no cause has, it is the heading (`[parse] heading_before_action_match`)."""
    doc = _sections("Root causes:", "bad config push", "icns", after, "move db to own host")
    assert ("icns" in [c.text for c in doc.root_causes]) is not taken
    assert ("move db to own host" in [a.text for a in doc.actions]) is taken


@pytest.mark.parametrize("word", ["Overload", "caches", "DNS"])
def test_a_lone_cause_word_after_the_root_causes_stays_a_cause(word):
    doc = _sections("Root causes:", "bad config push", word, "tune GC settings")
    assert not doc.actions
    assert word in [c.text for c in doc.root_causes]


def _indented(*lines: tuple[int, str]) -> Board:
    """Lines at their indentation (x), one under the other."""
    read = tuple(OcrText(t, 0.9, (x, 40 * i, 600, 30)) for i, (x, t) in enumerate(lines))
    return parse_reading(Reading(cells=(), lines=read), ParseContext(source="t.jpg"))


@pytest.mark.parametrize("heading", ["Adias", "Adras:"])
def test_a_word_at_the_root_causes_headings_indentation_with_its_a_is_the_actions_heading(
    heading,
):
    """'Actions' misread further ("Adias", "Adras": seed 9859's photos 10 and 24) where the Root
    causes heading stands, not indented as the causes are, and starting with its A: the
    actions under it were read as root causes."""
    doc = _indented(
        (0, "Root causes:"),
        (40, "- bad config push"),
        (0, heading),
        (40, "- move db to own host @raj"),
        (40, "- tune GC settings @ana"),
    )
    assert [c.text for c in doc.root_causes] == ["bad config push"]
    assert [a.owner for a in doc.actions] == ["raj", "ana"]
    assert any("taken for the Actions heading" in w for w in doc.warnings)
    # indented as the causes are, the same word is a cause
    doc = _indented(
        (0, "Root causes:"), (40, "- bad config push"), (40, heading), (40, "- tune GC")
    )
    assert not doc.actions


@pytest.mark.parametrize("heading", [None, "Actions"])
def test_actions_among_the_causes_with_no_actions_heading_say_more_may_be_there(heading):
    """Seed 9993's photo 6 (a drying marker): the Actions heading faded unread; of the three
    actions under it, the one with an '@owner' was read as an action, the two whose owner and
    date were misread as root causes, and nothing said that actions might be missing."""
    lines = ["Root causes", "bad config push"]
    lines += [heading] if heading else []
    lines += ["route alerts to new channel 6 Jon", "validate config in CI @ana"]
    doc = _sections(*lines)
    assert [a.owner for a in doc.actions] == ["ana"] if heading is None else len(doc.actions) == 2
    said = [w for w in doc.warnings if w.startswith("actions:") and "among the root causes" in w]
    assert len(said) == (heading is None)
