"""A unit is one record (boardsnap/units.py) that the vocabulary, the document, the judge and the
history all read."""

from __future__ import annotations

import pytest

from boardsnap import units
from boardsnap.document import CANONICAL_UNITS
from boardsnap.history import trends
from boardsnap.reading import vocab


def test_every_reader_of_units_reads_the_one_table():
    assert CANONICAL_UNITS == tuple(u.name for u in units.UNITS)
    assert vocab.UNIT_ALIASES == {a: u.name for u in units.UNITS for a in u.aliases}
    assert set(vocab.DURATION_SECONDS) == {u.name for u in units.UNITS if u.kind == "duration"}
    for u in units.UNITS:
        assert u.aliases[0] == u.name and (u.seconds is not None) == (u.kind == "duration")
        for alias in u.aliases:
            assert vocab.canonical_unit(alias) == u.name


@pytest.mark.parametrize(
    "value, unit, to, expected",
    [
        (0.2, "s", "ms", 200.0),
        (90.0, "min", "h", 1.5),
        (99.9, "%", "%", 99.9),
        (5.0, "ms", "%", None),
    ],
)
def test_history_converts_through_the_table(value, unit, to, expected):
    got = trends._convert(value, unit, to)
    assert got == pytest.approx(expected) if expected is not None else got is None
    assert units.to_seconds(1.0, "d") == 86400.0 and units.to_seconds(1.0, "rps") is None
