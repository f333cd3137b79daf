"""Metric names as read, matched to the known ones."""

from __future__ import annotations

import re
from functools import lru_cache

from boardsnap.reading import vocab
from boardsnap.reading.parse.values import normalise

_BULLET = re.compile(r"^\s*(?:[-–—*•·>~+]+|\d{1,2}[.)]|\[[ xX✓]?\]|[oO]\s(?=\S))\s*")


def clean_name(text: str) -> str:
    t = normalise(text)
    t = _BULLET.sub("", t)
    t = re.sub(r"\s+", " ", t)
    return t.strip(" .,:;|-–—_'\"`")


@lru_cache(maxsize=4096)  # pure; the second look and re-parses ask again for each name
def match_metric_name(text: str, threshold: float = 0.8) -> tuple[str, float]:
    """The name as read, with OCR slips in known words undone ("P95 Iatency" → "P95 latency"),
    and how surely it is a known SLA metric (1.0: its words are in the vocabulary; 0.0: none
    of them). The read spelling and case are kept wherever a word was read correctly."""
    name = clean_name(text)
    if not name:
        return "", 0.0
    # "P90LATENCY", "PY5LAIENCY": a percentile and the next word written together
    name = re.sub(r"\b([pP][0-9OoSsIlYyg]{2})([A-Za-z]{4,})", r"\1 \2", name)
    words = []
    split, worst = _join_split(
        [part for w in name.split(" ") for part in vocab.split_joined(w)], threshold
    )
    for i, w in enumerate(split):
        following = vocab.correct_word(split[i + 1])[0].lower() if i + 1 < len(split) else ""
        if following in vocab.PERCENTILE_WORDS:
            # before "latency" a percentile is what was written: "099", "P9C", "Pso" → P99, P90, P50
            fixed = vocab.fix_percentile_before_latency(w)
            if fixed is not None and fixed.lower() != w.lower():
                words.append(fixed)
                worst = min(worst, 0.9)
                continue
        core = w.strip(".,:;()")
        fixed, score = vocab.correct_word(core, threshold) if core else (core, 1.0)
        if fixed != core:
            w = w.replace(core, fixed)
            worst = min(worst, score)
        words.append(w)
    words, score = _fix_phrases(words, threshold)
    worst = min(worst, score)
    known, score = vocab.closest_known_name(" ".join(words), threshold)
    if known is not None:
        # "Ava response time" → "Avg response time": each word in the case it was written in
        # a word that holds two ("API\\atency" for "API latency") has no word of its own to
        # take the case from: the known name is written as the vocabulary spells it
        parts = known.split()
        words = (
            [_written_case(k, w) for k, w in zip(parts, words, strict=True)]
            if len(parts) == len(words)
            else parts
        )
        worst = min(worst, score)
    corrected = " ".join(words)
    info = vocab.lookup(corrected)
    return corrected, round(min(info.score, worst) if info.direction else info.score, 3)


def _written_case(word: str, read: str) -> str:
    """`word` in the case `read` was written in: 'AP' → 'API', 'Tob' → 'Job', 'rea' → 'req'."""
    if read.isupper() and (len(read) > 1 or len(word) > 1):
        return word.upper()
    if read[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _join_split(words: list[str], threshold: float) -> tuple[list[str], float]:
    """One vocabulary word read as two ("avail ability", "avai abili.y" → "availability"),
    and how surely (1.0: the two parts spell it exactly)."""
    out: list[str] = []
    worst = 1.0
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            a, b = words[i], words[i + 1]
            if a.lower() not in vocab.NAME_WORDS and b.lower() not in vocab.NAME_WORDS:
                joined = a + b
                fixed, score = vocab.correct_word(joined, threshold)
                if joined.lower() in vocab.NAME_WORDS or (fixed != joined and score >= threshold):
                    out.append(fixed)
                    worst = min(worst, score)
                    i += 2
                    continue
        out.append(words[i])
        i += 1
    return out, worst


def _percentile_guess(raw: str, name: str) -> str | None:
    """The review reason when a percentile in the name was repaired (p50 and p95 are different
    commitments: a repaired one must be checked), else None."""
    read = re.findall(r"\b[pP]\d{2,3}\b", name)
    if not read or all(p.lower() in raw.lower() for p in read):
        return None
    return f"percentile read as {read[0]} from {raw.strip()!r}"


def _fix_phrases(words: list[str], threshold: float) -> tuple[list[str], float]:
    """Two words that read close to a two-word name of the vocabulary, one of them right:
    the other is corrected ("error ade" → "error rate", "Success rale" → "Success rate")."""
    out = list(words)
    worst = 1.0
    for i in range(len(out) - 1):
        a, b = out[i].lower(), out[i + 1].lower()
        for phrase in vocab.NAME_PHRASES:
            pa, pb = phrase.split()
            if (a == pa) == (b == pb):
                continue  # both right (nothing to do) or both wrong (no anchor)
            s = vocab.similarity(f"{a} {b}", phrase)
            wrong, right = (b, pb) if a == pa else (a, pa)
            if wrong.startswith(right) or right.startswith(wrong):
                continue  # "rates" is no misread "rate"
            if s >= max(threshold, 0.8) and len(wrong) >= 3 and wrong.isalpha():
                j = i + 1 if a == pa else i
                out[j] = vocab._same_case(pb if j == i + 1 else pa, out[j])
                worst = min(worst, s)
                break
    return out, worst


def closest_name(
    text: str, names: tuple[str, ...] | list[str], threshold: float = 0.8
) -> tuple[str | None, float]:
    """The one of `names` the text is (OCR-tolerantly) closest to, if at least `threshold`."""
    best, score = None, 0.0
    for n in names:
        s = vocab.similarity(text, n)
        if s > score:
            best, score = n, s
    return (best, score) if score >= threshold else (None, score)


def only_closest(text: str, names, threshold: float) -> str | None:
    """The one of `names` the text is closest to (OCR-tolerantly), at least `threshold`; None
    when none is that close or two are as close (no telling which): an owner on a roster, a
    service among the team's."""
    scored = sorted(((vocab.similarity(text, n), n) for n in names), reverse=True)
    if not scored or scored[0][0] < threshold:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
