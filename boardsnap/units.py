"""A unit is one record: its canonical name, its kind, its seconds (durations), and how boards
write it. The parser and the vocabulary (aliases), the document (the canonical units), the judge
and the contract check (seconds, through `vocab.to_seconds`), the recogniser's value grammar
(the aliases, through the vocabulary) and the history (`convert`) all read this table; a new unit
is a new record here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str  # canonical, as in the board document
    kind: str  # share | duration | rate
    aliases: tuple[str, ...]  # how boards write it, lower case (the name first)
    seconds: float | None = None  # seconds per unit, for a duration


UNITS: tuple[Unit, ...] = (
    Unit("%", "share", ("%", "pct", "percent")),
    # "rns": an "m" read as "rn"
    Unit("ms", "duration", ("ms", "msec", "msecs", "millisecond", "milliseconds", "rns"), 0.001),
    Unit("s", "duration", ("s", "sec", "secs", "second", "seconds"), 1.0),
    Unit("min", "duration", ("min", "mins", "minute", "minutes"), 60.0),
    Unit("h", "duration", ("h", "hr", "hrs", "hour", "hours"), 3600.0),
    Unit("d", "duration", ("d", "day", "days"), 86400.0),
    Unit("rps", "rate", ("rps", "req/s", "reqs/s", "req/sec", "requests/s", "qps", "r/s")),
)

BY_NAME: dict[str, Unit] = {u.name: u for u in UNITS}
CANONICAL: tuple[str, ...] = tuple(u.name for u in UNITS)
# every alias → its canonical name, in the order of UNITS (the parser's closest-spelling search
# keeps the first of equally close ones)
ALIASES: dict[str, str] = {a: u.name for u in UNITS for a in u.aliases}
# seconds per duration unit: durations compare across units (0.2 s equals 200 ms)
SECONDS: dict[str, float] = {u.name: u.seconds for u in UNITS if u.seconds is not None}


def to_seconds(value: float, unit: str | None) -> float | None:
    """`value` in seconds; None when `unit` is no duration."""
    factor = SECONDS.get(unit or "")
    return None if factor is None else value * factor


def convert(value: float | None, unit: str | None, to: str | None) -> float | None:
    """`value` in `unit` expressed in `to`; None when the units cannot be compared."""
    if value is None or unit == to:
        return value
    if unit in SECONDS and to in SECONDS:
        return value * SECONDS[unit] / SECONDS[to]
    return None


__all__ = ["Unit", "UNITS", "BY_NAME", "CANONICAL", "ALIASES", "SECONDS", "to_seconds", "convert"]
