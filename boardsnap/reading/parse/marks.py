"""What was written beside a row: met, near miss, breach."""

from __future__ import annotations

import re

from boardsnap.reading import vocab
from boardsnap.reading.parse.values import normalise

_MARK_SYMBOLS = {
    "✓": "met",
    "✔": "met",
    "☑": "met",
    "✅": "met",
    "√": "met",
    "+": "met",
    "✗": "breach",
    "✘": "breach",
    "❌": "breach",
    "×": "breach",
    "☒": "breach",
    "x": "breach",
    "⚠": "near_miss",
    "!": "near_miss",
    "~": "near_miss",
    "?": "unknown",
}
_MARK_WORDS: tuple[tuple[str, str], ...] = (
    ("near miss", "near_miss"),
    ("nearmiss", "near_miss"),
    ("near", "near_miss"),
    ("at risk", "near_miss"),
    ("close", "near_miss"),
    ("amber", "near_miss"),
    ("yellow", "near_miss"),
    ("warn", "near_miss"),
    ("warning", "near_miss"),
    ("borderline", "near_miss"),
    ("barely", "near_miss"),
    ("not met", "breach"),
    ("breach", "breach"),
    ("breached", "breach"),
    ("missed", "breach"),
    ("miss", "breach"),
    ("fail", "breach"),
    ("failed", "breach"),
    ("red", "breach"),
    ("no", "breach"),
    ("violated", "breach"),
    ("bad", "breach"),
    ("met", "met"),
    ("ok", "met"),
    ("okay", "met"),
    ("pass", "met"),
    ("passed", "met"),
    ("green", "met"),
    ("good", "met"),
    ("yes", "met"),
    ("achieved", "met"),
    ("v", "met"),
    ("unknown", "unknown"),
    ("n/a", "unknown"),
    ("na", "unknown"),
    ("tbd", "unknown"),
    ("unclear", "unknown"),
)


# every mark as written: what a status cell may say (the mark grammar's words)
MARK_TEXTS: tuple[str, ...] = tuple(_MARK_SYMBOLS) + tuple(w for w, _ in _MARK_WORDS)


def _bare(text: str) -> str:
    t = normalise(text).lower()
    return re.sub(r"\s+", " ", t).strip(" .,:;-_'\"`()[]")


def mark_written(text: str) -> bool:
    """Whether a status cell holds more than stray dots, dashes and quotes."""
    return bool(_bare(text))


def parse_mark(text: str) -> str | None:
    """What was written beside a row, as met / near_miss / breach / unknown; None for nothing."""
    t = _bare(text)
    if not t:
        return None
    for sym, mark in _MARK_SYMBOLS.items():
        if t == sym or (len(sym) == 1 and not sym.isalnum() and t.startswith(sym)):
            return mark
    words = re.findall(r"[a-z/]+", t)
    if not words:
        return None
    phrase = " ".join(words[:2])
    for w, mark in _MARK_WORDS:
        if " " in w and phrase.startswith(w):
            return mark
    first = words[0]
    for w, mark in _MARK_WORDS:
        if first == w:
            return mark
    if len(first) >= 4:
        best = max(_MARK_WORDS, key=lambda wm: vocab.similarity(first, wm[0]))
        if vocab.similarity(first, best[0]) >= 0.8:
            return best[1]
    return None
