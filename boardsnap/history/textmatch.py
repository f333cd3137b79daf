"""How the history compares what boards write across reviews: a service's or metric's name
(case, spacing and accents do not matter) and an action's text (nor punctuation, filler words or
word order). Shared by the history and its migrations.
"""

from __future__ import annotations

import difflib
import re
import unicodedata


def normalise_key(text: str | None) -> str:
    """Names compared across reviews: case, spacing and accents do not matter."""
    return " ".join(_fold(text or "").split())


def normalise_text(text: str | None) -> str:
    """Action text compared across reviews: also without punctuation and filler words."""
    words = re.sub(r"[^\w\s]", " ", _fold(text or "")).split()
    kept = [w for w in words if w not in _FILLER]
    return " ".join(kept or words)


_FILLER = frozenset("a an the to of for and on in with our we".split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def text_similarity(a: str, b: str) -> float:
    """0..1 between two normalised texts: the better of the character ratio and the ratio of
    their sorted words (so "add retry budget" matches "retry budget add")."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    direct = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    words = difflib.SequenceMatcher(
        None, " ".join(sorted(a.split())), " ".join(sorted(b.split())), autojunk=False
    ).ratio()
    return max(direct, words)


__all__ = ["normalise_key", "normalise_text", "text_similarity"]
