"""The line recogniser: PP-OCR's rec model run with ONNX Runtime, decoded freely or under a grammar.

RapidOCR gives only the best path of its recogniser and a confidence per character. Running the
same model (the ONNX file and character list inside RapidOCR's wheel, offline) here gives the whole
frames x characters probability matrix, from which a line is decoded two ways:

- freely: the best path (greedy CTC), what RapidOCR itself returns;
- under a grammar: a CTC prefix beam search that keeps only the prefixes a cell's grammar can
  still complete (a value cell: an optional comparator, a number, an optional unit of the
  vocabulary). A handwritten "99.95%" whose best path is "99.9S%" is read as the most probable
  reading the grammar allows.

The matrix is kept over the characters a board uses (ASCII, the comparators, a few signs); the
model's other characters (it also reads Chinese) are summed into one "other" column, and forms
that NFKC folds to one of ours (full-width digits, superscripts) are added to it. This module and
`ocr.py` are the only ones that import onnxruntime.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

HEIGHT = 48  # the model's input height
BLANK = 0
# The model also reads Chinese; those characters are summed into one "other" column (at a
# scribble it guesses them), as `ocr.latin` drops them from a reading.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True, eq=False)
class Alphabet:
    """The columns of `Frames`: blank, one per character kept (NFKC-folded: a full-width digit
    is the digit), and `other` for the rest of the model's characters."""

    chars: tuple[str, ...]  # column k + 1 is chars[k]
    index: dict[str, int]  # a character's column
    other: int

    @classmethod
    def of_model(cls, model_chars: tuple[str, ...]) -> tuple[Alphabet, np.ndarray]:
        """The alphabet, and each model class's column (the model's classes: blank, its
        characters, space)."""
        kept: dict[str, int] = {}
        target = np.zeros(len(model_chars) + 2, np.int64)
        for i, c in enumerate((*model_chars, " "), start=1):
            folded = unicodedata.normalize("NFKC", c) if c != " " else c
            if not folded or _CJK.search(folded) or not folded.isprintable():
                target[i] = -1
                continue
            target[i] = kept.setdefault(folded, len(kept) + 1)
        other = len(kept) + 1
        target[target == -1] = other
        return cls(tuple(kept), {c: k for c, k in kept.items()}, other), target

    def column(self, ch: str) -> int:
        return self.index.get(ch, self.other)


def model_path(kind: str = "rec") -> Path:
    """The `kind` ("rec" or "det") model inside the installed RapidOCR package: PP-OCRv6 small
    where the wheel has it, else the first of that kind it ships."""
    import rapidocr  # type: ignore[import-not-found]

    folder = Path(rapidocr.__file__).parent / "models"
    preferred = folder / f"PP-OCRv6_{kind}_small.onnx"
    if preferred.is_file():
        return preferred
    found = sorted(folder.glob(f"*{kind}*.onnx"))
    if not found:
        raise ImportError(f"no {kind} model in the rapidocr package at {folder}")
    return found[0]


# ONNX Runtime sessions, one per model file and thread setting for the whole process: loading
# one costs a good part of a second, and the Python API (`boardsnap.read_photo`), the doctor and
# a batch worker each make engines again. A session's `run` may be called from several threads.
_SESSIONS: dict[tuple[str, int], object] = {}
_SESSIONS_LOCK = threading.RLock()


def shared_session(path: Path, threads: int = 1):
    """The process's ONNX Runtime session of the model at `path` on `threads` threads (one:
    batch work parallelises by process), made on first use."""
    key = (str(Path(path).resolve()), threads)
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            session = _SESSIONS[key] = _new_session(Path(key[0]), threads)
        return session


def _new_session(path: Path, threads: int):
    import onnxruntime as ort  # type: ignore[import-not-found]

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    # No memory pattern: with one, each run of a shape seen before gets the whole plan's
    # memory as one block, a third more at its peak than tensors made and freed as they go
    # (the detector on a 1382 x 1800 region: 116 MB against 85; a batch of 8 lines: 70 MB
    # against 49). The same arithmetic either way.
    opts.enable_mem_pattern = False
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


@dataclass(frozen=True, eq=False)
class _RecModel:
    """What a rec model file gives once per process: its session and the column folding."""

    session: object
    input: str
    alphabet: Alphabet
    fold: object


_REC_MODELS: dict[tuple[str, int], _RecModel] = {}


def _rec_model(path: Path, threads: int = 1) -> _RecModel:
    key = (str(Path(path).resolve()), threads)
    with _SESSIONS_LOCK:
        model = _REC_MODELS.get(key)
        if model is None:
            session = shared_session(path, threads)
            chars = session.get_modelmeta().custom_metadata_map["character"].splitlines()
            alphabet, target = Alphabet.of_model(tuple(chars))
            fold = _folding(target, alphabet.other + 1)
            model = _REC_MODELS[key] = _RecModel(
                session, session.get_inputs()[0].name, alphabet, fold
            )
        return model


def clear_cache() -> None:
    """Forget the loaded models (tests; a process that will not read again)."""
    with _SESSIONS_LOCK:
        _SESSIONS.clear()
        _REC_MODELS.clear()


@dataclass(frozen=True, eq=False)
class Frames:
    """Per-frame probabilities over the columns of `alphabet` (T x columns, rows sum to 1)."""

    probs: np.ndarray
    alphabet: Alphabet

    def best_path(self) -> tuple[str, tuple[float, ...]]:
        """The greedy CTC reading and one confidence per character (its frames' maximum)."""
        ids = self.probs.argmax(axis=1)
        skip = (BLANK, self.alphabet.other)
        text: list[str] = []
        confs: list[float] = []
        prev = BLANK
        for t, k in enumerate(ids):
            k = int(k)
            if k != prev and k not in skip:
                token = self.alphabet.chars[k - 1]
                text.append(token)
                confs.extend([float(self.probs[t, k])] * len(token))
            elif k == prev and k not in skip and confs:
                confs[-1] = max(confs[-1], float(self.probs[t, k]))
            prev = k
        return _stripped("".join(text), tuple(confs))

    @classmethod
    def joined(cls, parts: list[Frames]) -> Frames:
        """The frames of pieces of one line read apart, end to end with a space between them
        (a blank, a sure space, a blank: no character of either piece merges with the next),
        as if the line had been read whole."""
        alphabet = parts[0].alphabet
        gap = np.zeros((3, parts[0].probs.shape[1]), parts[0].probs.dtype)
        gap[[0, 2], BLANK] = 1.0
        gap[1, alphabet.column(" ")] = 1.0
        stacked: list[np.ndarray] = []
        for i, part in enumerate(parts):
            stacked.extend([gap, part.probs] if i else [part.probs])
        return cls(np.concatenate(stacked), alphabet)

    def char_starts(self) -> list[tuple[str, int]]:
        """The best path's characters (spaces at its ends too), each with the frame it starts
        on: where a part of the line begins, to decode the rest again."""
        ids = self.probs.argmax(axis=1)
        skip = (BLANK, self.alphabet.other)
        out: list[tuple[str, int]] = []
        prev = BLANK
        for t, k in enumerate(ids):
            k = int(k)
            if k != prev and k not in skip:
                out.extend((ch, t) for ch in self.alphabet.chars[k - 1])
            prev = k
        return out


def _stripped(text: str, confs: tuple[float, ...]) -> tuple[str, tuple[float, ...]]:
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    return text[lead:trail], confs[lead:trail]


class Recogniser:
    """PP-OCRv6's rec model on one ONNX Runtime thread, giving `Frames` for line crops."""

    def __init__(self, path: Path | None = None, min_width: int = 320, batch: int = 1):
        model = _rec_model(path or model_path())
        self._session, self._input = model.session, model.input
        self.alphabet, self._fold = model.alphabet, model.fold
        self.version = "PP-OCRv6 small"
        self._min_width = min_width
        self._batch = batch

    def frames(
        self, crops: list[np.ndarray], min_width: int | None = None, pack_gap: int = 0
    ) -> list[Frames]:
        """Frames for each grey or BGR crop of one line of dark text on white.

        Crops are fed at least `min_width` wide (default: the recogniser's), as RapidOCR feeds
        them; those that need the same padded width (every crop narrower than `min_width`) run
        in batches. A wider crop runs alone: padding it to a neighbour's width would change what
        the model reads. `pack_gap` (not 0): crops narrower than half of `min_width` are read
        side by side instead, `pack_gap` pixels apart in one input (`_packed`)."""
        least = self._min_width if min_width is None else min_width
        inputs = [_normalised(c) for c in crops]
        if pack_gap and len(inputs) > 1:
            return self._packed(inputs, least, pack_gap)
        by_width: dict[int, list[int]] = {}
        for i, x in enumerate(inputs):
            by_width.setdefault(max(least, x.shape[2]), []).append(i)
        result: list[Frames | None] = [None] * len(inputs)
        for width, group in by_width.items():
            for start in range(0, len(group), self._batch):
                chunk = group[start : start + self._batch]
                for i, frames in zip(
                    chunk, self._run([inputs[i] for i in chunk], width), strict=True
                ):
                    result[i] = frames
        return [f for f in result if f is not None]

    def _packed(self, inputs: list[np.ndarray], width: int, gap: int) -> list[Frames]:
        """Crops narrower than half of `width` read several to a window of `width`, side by side
        `gap` apart; a wider crop alone. Each crop's frames are those over its own columns."""
        result: list[Frames | None] = [None] * len(inputs)
        window: list[int] = []
        used = 0

        def flush() -> None:
            nonlocal window, used
            if window:
                side = self._run_side_by_side([inputs[i] for i in window], width, gap)
                for i, frames in zip(window, side, strict=True):
                    result[i] = frames
            window, used = [], 0

        for i, x in enumerate(inputs):
            w = x.shape[2]
            if 2 * w + gap > width:
                result[i] = self._run([x], max(width, w))[0]
                continue
            if used and used + gap + w > width:
                flush()
            window.append(i)
            used += (gap if used else 0) + w
        flush()
        return [f for f in result if f is not None]

    def _run_side_by_side(self, inputs: list[np.ndarray], width: int, gap: int) -> list[Frames]:
        batch = np.zeros((1, 3, HEIGHT, width), np.float32)
        spans = []
        at = 0
        for x in inputs:
            batch[0, :, :, at : at + x.shape[2]] = x
            spans.append((at, at + x.shape[2]))
            at += x.shape[2] + gap
        out = self._session.run(None, {self._input: batch})[0][0]
        t = out.shape[0]
        result = []
        for s, e in spans:
            first = max(0, math.floor(t * s / width) - (1 if s else 0))
            last = min(t, math.ceil(t * e / width) + 1)
            result.append(Frames(self._fold(out[first:last]), self.alphabet))
        return result

    def _run(self, inputs: list[np.ndarray], width: int) -> list[Frames]:
        batch = np.zeros((len(inputs), 3, HEIGHT, width), np.float32)
        for i, x in enumerate(inputs):
            batch[i, :, :, : x.shape[2]] = x
        out = self._session.run(None, {self._input: batch})[0]
        result = []
        for i, x in enumerate(inputs):
            # frames beyond the crop's own width look at padding only
            t = min(out.shape[1], math.ceil(out.shape[1] * x.shape[2] / width) + 1)
            result.append(Frames(self._fold(out[i, :t]), self.alphabet))
        return result

    def close(self) -> None:
        pass


def _normalised(crop: np.ndarray) -> np.ndarray:
    """C x 48 x W in [-1, 1], as PaddleOCR feeds its recogniser (W from the crop's aspect); C is
    1 for a grey crop (the model's three channels would be three copies of it: `_run` fills
    them from the one), else 3."""
    h, w = crop.shape[:2]
    width = max(8, math.ceil(HEIGHT * w / max(1, h)))
    x = cv2.resize(crop, (width, HEIGHT)).astype(np.float32)
    x = x[np.newaxis] if x.ndim == 2 else x.transpose(2, 0, 1)
    return (x / 127.5 - 1.0).astype(np.float32)


def _folding(target: np.ndarray, columns: int):
    """A function from the model's T x classes output to T x `columns`: each class's
    probability added to its column (`target`); the last column, the rest, is what is left.

    The classes of one column are added in class order, as `np.add.at` would add them, but a
    layer at a time (every column's first class, then every second...): a few vectorised
    gathers in place of one slow unbuffered scatter, and the very same sums."""
    kept = np.nonzero(target != columns - 1)[0]
    kept_to = target[kept]
    rank = np.zeros(len(kept_to), np.int64)  # how many of the column's classes come before
    count: dict[int, int] = {}
    for j, k in enumerate(kept_to.tolist()):
        rank[j] = count.get(k, 0)
        count[k] = int(rank[j]) + 1
    layers = [(kept[rank == r], kept_to[rank == r]) for r in range(int(rank.max(initial=-1)) + 1)]

    def fold(p: np.ndarray) -> np.ndarray:
        cols = np.zeros((p.shape[0], columns), np.float32)
        for src, dst in layers:
            cols[:, dst] += p[:, src]
        cols[:, -1] = np.clip(1.0 - cols.sum(axis=1), 0.0, 1.0)
        return cols

    return fold


# ---- grammars --------------------------------------------------------------------------------


class Grammar:
    """A small automaton over characters, built from sequences of parts.

    A part is a tuple of alternative strings (letters match either case), `NUMBER` (digits with
    at most one decimal point, at least one digit), `SPACES` (zero or one space) or a `Repeat`
    (between `least` and `most` characters of a class: `ANY` text, `LETTERS`, `digits(1, 2)`).
    A part whose alternatives include "" is optional.

    Run as a non-deterministic automaton whose sets of places are made into states as they are
    first reached (a lazy subset construction): a state's move on a character is worked out once
    and then looked up, so the beam search's next character costs a dictionary look-up, however
    many prefixes reach the same places (all the spellings of a free text do)."""

    def __init__(self, alternatives: tuple[tuple[object, ...], ...]):
        self._alts = alternatives
        self._lowered = tuple(
            tuple(tuple(o.lower() for o in p) if isinstance(p, tuple) else p for p in alt)
            for alt in alternatives
        )
        self._lock = threading.Lock()  # grammars are shared by the threads of one process
        self._sets: list[frozenset[tuple]] = []  # a state's places
        self._ids: dict[frozenset[tuple], int] = {}
        self._complete: list[bool] = []
        self._moves: dict[tuple[int, str], int] = {}
        self.start = self._state_of(self._closed({(_AT, a, 0) for a in range(len(alternatives))}))

    def state(self, prefix: str) -> tuple[bool, bool]:
        """(can the prefix still be completed, is it complete)."""
        s = self.walk(self.start, prefix)
        return self.alive(s), self._complete[s]

    def matches(self, text: str) -> bool:
        return self.state(text)[1]

    def walk(self, state: int, text: str) -> int:
        """The state `text` leads to from `state` (letters match either case). Two prefixes in
        the same state have the same futures."""
        for ch in text.lower():
            if not self._sets[state]:
                break  # nothing completes it any more
            nxt = self._moves.get((state, ch))
            state = nxt if nxt is not None else self._move(state, ch)
        return state

    @property
    def states_made(self) -> int:
        """How many states the automaton has been worked out to so far."""
        return len(self._sets)

    def alive(self, state: int) -> bool:
        """Whether a prefix in `state` can still be completed."""
        return bool(self._sets[state])

    def _move(self, state: int, ch: str) -> int:
        places = self._closed({nxt for place in self._sets[state] for nxt in self._step(place, ch)})
        nxt = self._moves[(state, ch)] = self._state_of(places)
        return nxt

    def _state_of(self, places: frozenset[tuple]) -> int:
        with self._lock:
            found = self._ids.get(places)
            if found is not None:
                return found
            self._ids[places] = len(self._sets)
            self._sets.append(places)
            self._complete.append(
                any(
                    place[0] == _AT
                    and all(_can_be_empty(p) for p in self._alts[place[1]][place[2] :])
                    for place in places
                )
            )
            return len(self._sets) - 1

    def _step(self, place: tuple, ch: str):
        kind, a, i = place[:3]
        alt = self._lowered[a]
        if kind == _AT:
            if i >= len(alt):
                return
            part = alt[i]
            if part == SPACES:
                if ch == " ":
                    yield (_AT, a, i + 1)
            elif isinstance(part, Repeat):
                if part.most >= 1 and part.takes(ch):
                    yield (_IN_REPEAT, a, i, 1)
            elif part == NUMBER:
                if ch.isdigit():
                    yield (_IN_NUMBER, a, i, False, True)
                elif ch == ".":
                    yield (_IN_NUMBER, a, i, True, False)
            else:
                for j, option in enumerate(part):
                    if option and option[0] == ch:
                        yield (_AT, a, i + 1) if len(option) == 1 else (_IN_WORD, a, i, j, 1)
        elif kind == _IN_WORD:
            j, k = place[3:]
            option = alt[i][j]
            if option[k] == ch:
                yield (_AT, a, i + 1) if k + 1 == len(option) else (_IN_WORD, a, i, j, k + 1)
        elif kind == _IN_REPEAT:
            part, n = alt[i], place[3]
            if n < part.most and part.takes(ch):
                # past `least` the count no longer matters: one place, not one per length
                yield (_IN_REPEAT, a, i, min(n + 1, max(part.least, 1)) if part.endless else n + 1)
        else:  # in a number
            point, digit = place[3:]
            if ch.isdigit():
                yield (_IN_NUMBER, a, i, point, True)
            elif ch == "." and not point:
                yield (_IN_NUMBER, a, i, True, digit)

    def _closed(self, places: set[tuple]) -> frozenset[tuple]:
        """`places` with every place reachable without a character: past a part that may be
        empty, and past a number that has a digit (it may end there)."""
        todo = list(places)
        while todo:
            place = todo.pop()
            kind, a, i = place[:3]
            alt = self._alts[a]
            after = None
            if kind == _AT and i < len(alt) and _can_be_empty(alt[i]):
                after = (_AT, a, i + 1)
            elif kind == _IN_NUMBER and place[4]:
                after = (_AT, a, i + 1)
            elif kind == _IN_REPEAT and place[3] >= alt[i].least:
                after = (_AT, a, i + 1)
            if after is not None and after not in places:
                places.add(after)
                todo.append(after)
        return frozenset(places)


@dataclass(frozen=True)
class Repeat:
    """A grammar part: `least` to `most` characters of one class ("any", "letter", "digit",
    "mark": a space or a mark that ends a word, not "-" or "/", which join a date's parts)."""

    kind: str
    least: int
    most: float  # math.inf: no limit

    def takes(self, ch: str) -> bool:
        if self.kind == "letter":
            return ch.isalpha()
        if self.kind == "digit":
            return ch.isdigit()
        if self.kind == "mark":
            return ch in _WORD_ENDS
        return True

    @property
    def endless(self) -> bool:
        return self.most == math.inf


NUMBER = "<number>"
SPACES = "<spaces>"
ANY = Repeat("any", 0, math.inf)  # any text, or none
_WORD_ENDS = frozenset(" ,;:.)(@'\"")
LETTERS = Repeat("letter", 1, math.inf)


def digits(least: int, most: int) -> Repeat:
    return Repeat("digit", least, most)


# where in a sequence of parts a prefix has got to: before part i, inside option j of part i
# (k of its characters read), inside the number of part i (a point read, a digit read), n
# characters into the repeat of part i
_AT, _IN_WORD, _IN_NUMBER, _IN_REPEAT = "at", "word", "number", "repeat"


def _can_be_empty(part: object) -> bool:
    return (
        part == SPACES
        or (isinstance(part, tuple) and "" in part)
        or (isinstance(part, Repeat) and part.least == 0)
    )


def value_grammar(comparators: tuple[str, ...], units: tuple[str, ...]) -> Grammar:
    """`comparator? number unit?`, and the nines forms ("three nines", "3 nines", "3x9")."""
    comps = ("",) + tuple(sorted(set(comparators), key=len, reverse=True))
    unit_part = ("",) + tuple(sorted(set(units), key=len, reverse=True))
    words = ("one", "two", "three", "four", "five", "six")
    return Grammar(
        (
            (comps, SPACES, NUMBER, SPACES, unit_part),
            (comps, SPACES, words + tuple("123456"), SPACES, ("nines", "nine", "x9")),
        )
    )


def date_tail_grammar(months: tuple[str, ...], with_year: bool = False) -> Grammar:
    """Text with a date in it: `any text, a date, the line's end or a mark, any text`. The date
    forms: "Aug 28", "28 Aug", "8/28", "8/28/2026", "2026-08-28" (a year may follow a month's
    form; `with_year`: must, as in a title). The text around it is free, so the decoder is held
    to the grammar only where the date is written; but the date ends where its word does: a
    letter or digit glued to its end would let the decoder take a shorter date and leave the
    rest of the day as free text ("Dec 1" and an S of "Dec 1S" for "Dec 15", "6/1" and "-15" of
    "WU6-11-15" for "2026-11-15")."""
    mon = tuple(sorted(set(months), key=len, reverse=True))
    dot = (".", "")
    day = digits(1, 2)
    full = (("20",), digits(2, 2))  # a year of this century: "2926" is no review's
    year = (SPACES, (",", ""), SPACES, *full)
    forms: tuple[tuple[object, ...], ...] = (
        (mon, dot, SPACES, day, *year),
        (day, SPACES, mon, dot, *year),
        (day, ("/",), day, ("/",), *(full if with_year else (("20", ""), digits(2, 2)))),
        (*full, ("-",), day, ("-",), day),
    )
    if not with_year:
        forms += ((mon, dot, SPACES, day), (day, SPACES, mon, dot), (day, ("/",), day))
    ends = ((), (Repeat("mark", 1, 1), ANY))
    return Grammar(tuple((ANY, *form, *end) for form in forms for end in ends))


# ---- decoding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    log_prob: float  # log P(text | frames), all alignments summed
    char_confidences: tuple[float, ...]


def _lse(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def grammar_decode(
    frames: Frames,
    grammar: Grammar,
    beam: int = 16,
    per_frame: int = 8,
    min_prob: float = 1e-3,
    merge: bool = False,
) -> Decoded | None:
    """The most probable reading the grammar accepts (CTC prefix beam search that drops every
    prefix the grammar cannot complete), or None when no kept prefix completes.

    `merge`: of prefixes at the same places of the grammar ending in the same character, only
    the most probable is kept (their futures are the same). Where the grammar lets any text
    through, the beam then holds different places of the grammar, not spellings of the free
    text that all wait for the same thing."""
    logp = np.log(np.maximum(frames.probs, 1e-12))
    floor = math.log(min_prob)
    alphabet = frames.alphabet
    # prefix -> (log P ending in blank, log P ending in its last character)
    beams: dict[str, tuple[float, float]] = {"": (0.0, -math.inf)}
    states: dict[str, int] = {"": grammar.start}  # each prefix's state in the grammar
    for t in range(logp.shape[0]):
        row = logp[t]
        top = [k for k in np.argpartition(-row, per_frame)[:per_frame] if row[k] >= floor]
        nxt: dict[str, list[float]] = {}

        def add(prefix: str, pb: float, pnb: float, nxt: dict[str, list[float]] = nxt) -> None:
            cur = nxt.setdefault(prefix, [-math.inf, -math.inf])
            cur[0] = _lse(cur[0], pb)
            cur[1] = _lse(cur[1], pnb)

        for prefix, (pb, pnb) in beams.items():
            total = _lse(pb, pnb)
            add(prefix, total + float(row[BLANK]), -math.inf)  # a blank
            if prefix:
                k_last = alphabet.column(prefix[-1])
                add(prefix, -math.inf, pnb + float(row[k_last]))  # the last character again
            at = states[prefix]
            for k in top:
                k = int(k)
                if k in (BLANK, alphabet.other):
                    continue
                ch = alphabet.chars[k - 1]
                ext = prefix + ch
                state = grammar.walk(at, ch)
                if not grammar.alive(state):
                    continue
                states[ext] = state
                if prefix and ch == prefix[-len(ch) :]:
                    add(ext, -math.inf, pb + float(row[k]))  # a repeat needs a blank between
                else:
                    add(ext, -math.inf, total + float(row[k]))
        ranked = sorted(nxt.items(), key=lambda kv: -_lse(kv[1][0], kv[1][1]))
        if merge:
            seen: set[tuple] = set()
            kept = []
            for p, v in ranked:
                key = (states[p], p[-1:])
                if key not in seen:
                    seen.add(key)
                    kept.append((p, v))
                    if len(kept) == beam:
                        break
            ranked = kept
        beams = {p: (v[0], v[1]) for p, v in ranked[:beam]}
        states = {p: states[p] for p in beams}
    done = [(p, _lse(*v)) for p, v in beams.items() if grammar.state(p.strip())[1] and p.strip()]
    if not done:
        return None
    text, score = max(done, key=lambda pv: pv[1])
    stripped, confs = _stripped(text, char_confidences(frames, text))
    return Decoded(stripped, score, confs)


def log_prob(frames: Frames, text: str) -> float:
    """log P(text | frames) under CTC (every alignment summed); -inf when none fits."""
    if not text:
        return float(np.log(np.maximum(frames.probs[:, BLANK], 1e-12)).sum())
    ks = [frames.alphabet.column(c) for c in text]
    ext = [BLANK]
    for k in ks:
        ext += [k, BLANK]
    logp = np.log(np.maximum(frames.probs[:, ext], 1e-12))
    n = len(ext)
    alpha = np.full(n, -np.inf)
    alpha[0] = logp[0, 0]
    if n > 1:
        alpha[1] = logp[0, 1]
    skip = np.array([s >= 2 and ext[s] != BLANK and ext[s] != ext[s - 2] for s in range(n)])
    for t in range(1, logp.shape[0]):
        a1 = np.concatenate(([-np.inf], alpha[:-1]))
        a2 = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, a1), a2) + logp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if n > 1 else alpha[-1])


def char_confidences(frames: Frames, text: str) -> tuple[float, ...]:
    """One confidence per character of `text`: its highest probability on the frames the best
    alignment (Viterbi) gives it."""
    if not text:
        return ()
    ks = [frames.alphabet.column(c) for c in text]
    ext = [BLANK]
    for k in ks:
        ext += [k, BLANK]
    p = frames.probs[:, ext]
    logp = np.log(np.maximum(p, 1e-12))
    T, n = logp.shape
    score = np.full(n, -np.inf)
    score[0] = logp[0, 0]
    if n > 1:
        score[1] = logp[0, 1]
    back = np.zeros((T, n), np.int64)
    skip = np.array([s >= 2 and ext[s] != BLANK and ext[s] != ext[s - 2] for s in range(n)])
    idx = np.arange(n)
    for t in range(1, T):
        c0 = score
        c1 = np.concatenate(([-np.inf], score[:-1]))
        c2 = np.where(skip, np.concatenate(([-np.inf, -np.inf], score[:-2])), -np.inf)
        stack = np.stack([c0, c1, c2])
        choice = stack.argmax(axis=0)
        back[t] = idx - choice
        score = stack.max(axis=0) + logp[t]
    s = n - 1 if n == 1 or score[n - 1] >= score[n - 2] else n - 2
    confs = [0.0] * len(text)
    for t in range(T - 1, -1, -1):
        if s % 2 == 1:
            confs[s // 2] = max(confs[s // 2], float(p[t, s]))
        s = int(back[t, s]) if t > 0 else s
    return tuple(confs)
