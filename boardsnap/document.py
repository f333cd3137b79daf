"""The board document of docs/board.md: the result type every stage works towards.

`Board` is what `boardsnap extract --format json` prints and what `boardsnap render` reads. It is
immutable; stages return new instances (`dataclasses.replace`). `from_json` ignores unknown
fields, so documents written by a newer BoardSnap still load; it raises `InvalidDocument` with a
one-line reason for anything it cannot use.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from boardsnap import units
from boardsnap.errors import InvalidDocument

SCHEMA = "boardsnap.board/1"

OPS = ("<", "<=", ">", ">=")
STATUSES = ("met", "near_miss", "breach", "unknown")
ACTION_STATUSES = ("open", "in_progress", "done")
CANONICAL_UNITS = units.CANONICAL  # boardsnap/units.py


@dataclass(frozen=True)
class Target:
    op: str | None
    value: float | None
    unit: str | None
    text: str


@dataclass(frozen=True)
class Actual:
    value: float | None
    unit: str | None
    text: str


@dataclass(frozen=True)
class ReviewCode:
    """Why a row or an action needs review, for code: what kind of doubt (`code`, such as
    "unit.s_read_as_5") about which field (`field`: name, target, actual, mark, row for the two
    values together; text, owner, due for an action). Parallel to `review_reasons`, whose
    sentences are for people only: programs decide on codes (docs/board.md)."""

    code: str
    field: str


@dataclass(frozen=True)
class StatusOverride:
    """A person overruling the judge for one row, with the reason (docs/board.md).

    `status` is what the row is reported as; `judged` is what its numbers say, written by the
    judge (a cache like `Metric.status`: ignored on input, judged again)."""

    status: str
    reason: str
    judged: str | None = None


CONTRACT_RESULTS = (
    "as_contracted",
    "differs",
    "taken_from_contract",
    "not_in_contract",
    "ambiguous",
)


@dataclass(frozen=True)
class ContractCheck:
    """The row checked against the SLO contract (`--slo`, boardsnap/slo.py; docs/board.md)."""

    result: str  # one of CONTRACT_RESULTS
    source: str | None = None  # the file and document of the commitment
    target: tuple[str | None, float | None, str | None] | None = (
        None  # the contract's op, value, unit
    )
    said: str | None = None  # the contract's target in words ("≥ 99.9 %")
    mapping: str | None = None  # how the document's objective was read
    difference: str | None = None  # "board says ≥ 99.5 %, contract says ≥ 99.9 % (...)"
    judged_status: str | None = None  # the row judged against the contract's target
    judged_budget: float | None = None
    board_target: Target | None = None  # what the board said, when the contract's was taken


@dataclass(frozen=True)
class Metric:
    name: str
    target: Target
    actual: Actual
    status: str = "unknown"
    budget_used: float | None = None
    confidence: float = 0.0
    needs_review: bool = False
    board_mark: str | None = None
    # Added fields (the contract allows additions): why a row needs review, and where the row's
    # cells are on the rectified board image, [x, y, w, h] each, for evidence crops.
    review_reasons: tuple[str, ...] = ()
    cell_boxes: tuple[tuple[int, int, int, int], ...] = ()
    # Added field: a person's ruling that replaces the judged status, with its reason.
    status_override: StatusOverride | None = None
    # Added field: the row checked against the SLO contract, when one was given.
    contract: ContractCheck | None = None
    # Added field: a code and field for each reason in review_reasons (older documents: none).
    review_codes: tuple[ReviewCode, ...] = ()


@dataclass(frozen=True)
class RootCause:
    metric: str | None
    text: str
    # Added fields (the contract allows additions; written only when set, so a document without
    # them keeps its JSON and hash): whether a person must check the cause, where its line is on
    # the rectified board [x, y, w, h], and why, in words and as codes.
    needs_review: bool = False
    line_box: tuple[int, int, int, int] | None = None
    review_reasons: tuple[str, ...] = ()
    review_codes: tuple[ReviewCode, ...] = ()


@dataclass(frozen=True)
class Action:
    text: str
    owner: str | None = None
    due: str | None = None
    metric: str | None = None
    status: str = "open"
    needs_review: bool = False
    # Added field (the contract allows additions): where the action's text line is on the
    # rectified board image, [x, y, w, h], for the evidence crop of an action that needs review.
    line_box: tuple[int, int, int, int] | None = None
    # Added fields: why the action needs review, in words and as codes (older documents: none).
    review_reasons: tuple[str, ...] = ()
    review_codes: tuple[ReviewCode, ...] = ()


Flaggable = TypeVar("Flaggable", Metric, Action, RootCause)


def flagged(item: Flaggable, notes: tuple[tuple[str, ReviewCode], ...]) -> Flaggable:
    """`item` (a row, an action, a root cause) flagged for review with each (reason, code) of
    `notes` added, those whose code it already has left out."""
    new = [(r, c) for r, c in notes if c not in item.review_codes]
    if not new:
        return item
    return dataclasses.replace(
        item,
        needs_review=True,
        review_reasons=(*item.review_reasons, *(r for r, _ in new)),
        review_codes=(*item.review_codes, *(c for _, c in new)),
    )


def flagged_lines(
    doc: Board, boxes: frozenset | set, notes: tuple[tuple[str, ReviewCode], ...]
) -> Board:
    """`doc` with each action and root cause read from a line whose box is in `boxes` (its
    `line_box`) flagged with `notes`."""
    if not boxes:
        return doc

    def flag(item):
        if item.line_box is None or tuple(item.line_box) not in boxes:
            return item
        return flagged(item, notes)

    return dataclasses.replace(
        doc,
        actions=tuple(flag(a) for a in doc.actions),
        root_causes=tuple(flag(r) for r in doc.root_causes),
    )


@dataclass(frozen=True)
class Board:
    source: str
    title: str | None = None
    service: str | None = None
    review_date: str | None = None
    metrics: tuple[Metric, ...] = ()
    root_causes: tuple[RootCause, ...] = ()
    actions: tuple[Action, ...] = ()
    warnings: tuple[str, ...] = ()
    schema: str = SCHEMA

    # ---- derived views -------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Number of metric rows per status, in the order of STATUSES."""
        out = {s: 0 for s in STATUSES}
        for m in self.metrics:
            out[m.status] = out.get(m.status, 0) + 1
        return out

    def needs_review(self) -> bool:
        return any(m.needs_review for m in self.metrics) or any(
            a.needs_review for a in self.actions
        )

    # ---- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "source": self.source,
            "title": self.title,
            "service": self.service,
            "review_date": self.review_date,
            "metrics": [_metric_to_dict(m) for m in self.metrics],
            "root_causes": [_cause_to_dict(r) for r in self.root_causes],
            "actions": [_action_to_dict(a) for a in self.actions],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Board:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidDocument(f"not JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise InvalidDocument("JSON nested too deeply to be a board document") from None
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            raise InvalidDocument(f"not usable JSON ({str(exc)[:80]})") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> Board:
        if not isinstance(data, dict):
            raise InvalidDocument("the document must be a JSON object")
        schema = data.get("schema", SCHEMA)
        if not isinstance(schema, str) or not schema.startswith("boardsnap.board/"):
            raise InvalidDocument(f"schema {schema!r} is not a BoardSnap board document")
        major = schema.rsplit("/", 1)[-1]
        if major != "1":
            newer = major.isdigit() and int(major) > 1
            raise InvalidDocument(
                f"schema {schema!r} is newer than this BoardSnap reads ({SCHEMA}); "
                "upgrade boardsnap"
                if newer
                else f"schema {schema!r} is not one BoardSnap wrote (it reads {SCHEMA})"
            )
        return cls(
            schema=SCHEMA,
            source=_opt_str(data, "source") or "",
            title=_opt_str(data, "title"),
            service=_opt_str(data, "service"),
            review_date=_opt_date(data, "review_date"),
            metrics=tuple(_metric_from(m, i) for i, m in enumerate(_list(data, "metrics"))),
            root_causes=tuple(_cause_from(r, i) for i, r in enumerate(_list(data, "root_causes"))),
            actions=tuple(_action_from(a, i) for i, a in enumerate(_list(data, "actions"))),
            warnings=tuple(_text(w) for w in _list(data, "warnings")),
        )


def _metric_to_dict(m: Metric) -> dict[str, Any]:
    d = dataclasses.asdict(m)
    d["review_reasons"] = list(m.review_reasons)
    d["cell_boxes"] = [list(b) for b in m.cell_boxes]
    # Written only when set: a document without one keeps the JSON (and hash) it had before.
    if m.status_override is None:
        del d["status_override"]
    if m.contract is None:
        del d["contract"]
    else:
        d["contract"] = _contract_to_dict(m.contract)
    _codes_to_dict(d, m.review_codes)
    return d


def _codes_to_dict(d: dict[str, Any], codes: tuple[ReviewCode, ...]) -> None:
    """`review_codes` written only when there are some: a document without doubts keeps the
    JSON (and hash) it had before codes were added."""
    if codes:
        d["review_codes"] = [{"code": c.code, "field": c.field} for c in codes]
    else:
        d.pop("review_codes", None)


def _codes_from(x: Any, where: str) -> tuple[ReviewCode, ...]:
    """The codes as written; an entry that is not {code, field} is dropped (codes are derived
    from the reading, like the reasons, and a document without them still loads)."""
    out = []
    for c in _list(x, "review_codes"):
        if isinstance(c, dict) and isinstance(c.get("code"), str) and c["code"]:
            field = c.get("field")
            out.append(ReviewCode(c["code"], field if isinstance(field, str) else "row"))
    return tuple(out)


def _contract_to_dict(c: ContractCheck) -> dict[str, Any]:
    out: dict[str, Any] = {"result": c.result}
    for key in ("source", "said", "mapping", "difference"):
        if getattr(c, key) is not None:
            out[key] = getattr(c, key)
    if c.target is not None:
        out["target"] = dict(zip(("op", "value", "unit"), c.target, strict=True))
    if c.judged_status is not None:
        out["judged"] = {"status": c.judged_status, "budget_used": c.judged_budget}
    if c.board_target is not None:
        out["board_target"] = dataclasses.asdict(c.board_target)
    return out


def _contract_from(c: Any, where: str) -> ContractCheck | None:
    """The contract check as written (a cache: `--slo` checks the row again)."""
    if c is None:
        return None
    if not isinstance(c, dict):
        raise InvalidDocument(f"{where} must be an object")
    result = _choice(c, "result", CONTRACT_RESULTS, None, where)
    t = c.get("target")
    target = None
    if isinstance(t, dict):
        target = (
            _choice(t, "op", OPS + (None,), None, where + ".target"),
            _opt_num(t, "value", where + ".target"),
            _opt_str(t, "unit"),
        )
    judged = c.get("judged") if isinstance(c.get("judged"), dict) else {}
    b = c.get("board_target")
    board_target = None
    if isinstance(b, dict):
        board_target = Target(
            _choice(b, "op", OPS + (None,), None, where + ".board_target"),
            _opt_num(b, "value", where + ".board_target"),
            _opt_str(b, "unit"),
            _opt_str(b, "text") or "",
        )
    return ContractCheck(
        result=result,
        source=_opt_str(c, "source"),
        target=target,
        said=_opt_str(c, "said"),
        mapping=_opt_str(c, "mapping"),
        difference=_opt_str(c, "difference"),
        judged_status=_choice(judged, "status", STATUSES + (None,), None, where + ".judged"),
        judged_budget=_opt_num(judged, "budget_used", where + ".judged"),
        board_target=board_target,
    )


def _cause_to_dict(c: RootCause) -> dict[str, Any]:
    d: dict[str, Any] = {"metric": c.metric, "text": c.text}
    # the added fields only when set: a cause read without doubt is written as before
    if c.needs_review:
        d["needs_review"] = True
    if c.line_box is not None:
        d["line_box"] = list(c.line_box)
    if c.review_reasons:
        d["review_reasons"] = list(c.review_reasons)
    _codes_to_dict(d, c.review_codes)
    return d


def _cause_from(r: Any, i: int) -> RootCause:
    where = f"root_causes[{i}]"
    if not isinstance(r, dict):
        raise InvalidDocument(f"{where} must be an object")
    return RootCause(
        metric=_opt_str(r, "metric"),
        text=_req_str(r, "text", where),
        needs_review=bool(r.get("needs_review", False)),
        line_box=_box(r.get("line_box")),
        review_reasons=tuple(_text(x) for x in _list(r, "review_reasons")),
        review_codes=_codes_from(r, where),
    )


def _action_to_dict(a: Action) -> dict[str, Any]:
    d = dataclasses.asdict(a)
    # Written only when known: a document without boxes keeps the JSON (and the history's
    # document hash) it had before the field was added.
    if a.line_box is None:
        del d["line_box"]
    else:
        d["line_box"] = list(a.line_box)
    if a.review_reasons:
        d["review_reasons"] = list(a.review_reasons)
    else:
        del d["review_reasons"]
    _codes_to_dict(d, a.review_codes)
    return d


# ---- validation helpers for from_dict ------------------------------------------------------

MAX_TEXT = 10_000  # characters kept of any one text; longer ones are cut
MAX_ITEMS = 1_000  # entries of any one list; a board holds a few dozen


def _list(obj: Any, key: str) -> list:
    if not isinstance(obj, dict):
        raise InvalidDocument(f"expected an object holding {key!r}")
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise InvalidDocument(f"{key!r} must be a list")
    if len(value) > MAX_ITEMS:
        raise InvalidDocument(
            f"{key!r} has {len(value)} entries; a board holds at most {MAX_ITEMS}"
        )
    return value


def _text(value: Any) -> str:
    """Any JSON value as a text of at most MAX_TEXT characters (for free-form lists)."""
    if not isinstance(value, str):
        value = json.dumps(value)[:MAX_TEXT] if isinstance(value, (list, dict)) else str(value)
    return _unicode(value[:MAX_TEXT], "a text")


def _unicode(value: str, key: str) -> str:
    """`value` when it is text that can be written out; JSON's "\\ud800" escapes can make a
    string Python holds but no file, page or database can."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidDocument(
            f"{key} holds {value[exc.start]!r}, half of a character (a lone surrogate), not text"
        ) from None
    if "\x00" in value:
        raise InvalidDocument(f"{key} holds a NUL character, which no text of a board has")
    return value


def _opt_str(obj: Any, key: str) -> str | None:
    if not isinstance(obj, dict):
        raise InvalidDocument(f"expected an object holding {key!r}")
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(f"{key!r} must be a string, not {type(value).__name__}")
    return _unicode(value[:MAX_TEXT], repr(key))


def _req_str(obj: Any, key: str, where: str) -> str:
    value = _opt_str(obj, key)
    if value is None:
        raise InvalidDocument(f"{where}: {key!r} is missing")
    return value


def _opt_date(obj: dict, key: str) -> str | None:
    value = _opt_str(obj, key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidDocument(f"{key!r} must be a YYYY-MM-DD date, not {value!r}") from None


def _opt_num(obj: dict, key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else math.nan
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if isinstance(value, bool) or not math.isfinite(number):
        raise InvalidDocument(f"{where}: {key!r} must be a finite number, not {_short(value)}")
    return number


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _choice(obj: dict, key: str, allowed: tuple, default: Any, where: str) -> Any:
    value = obj.get(key, default)
    if value not in allowed:
        raise InvalidDocument(f"{where}: {key!r} must be one of {', '.join(map(str, allowed))}")
    return value


def _pixel(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1_000_000


def _box(b: Any) -> tuple[int, int, int, int] | None:
    """[x, y, w, h] in pixels, else None: a box is evidence only, so a bad one is dropped."""
    if isinstance(b, list) and len(b) == 4 and all(_pixel(v) for v in b):
        return (b[0], b[1], b[2], b[3])
    return None


def _metric_from(m: Any, i: int) -> Metric:
    where = f"metrics[{i}]"
    if not isinstance(m, dict):
        raise InvalidDocument(f"{where} must be an object")
    t = m.get("target") or {}
    a = m.get("actual") or {}
    if not isinstance(t, dict) or not isinstance(a, dict):
        raise InvalidDocument(f"{where}: target and actual must be objects")
    boxes = [b for b in map(_box, _list(m, "cell_boxes")) if b is not None]
    return Metric(
        name=_req_str(m, "name", where),
        target=Target(
            op=_choice(t, "op", OPS + (None,), None, where + ".target"),
            value=_opt_num(t, "value", where + ".target"),
            unit=_opt_str(t, "unit"),
            text=_opt_str(t, "text") or "",
        ),
        actual=Actual(
            value=_opt_num(a, "value", where + ".actual"),
            unit=_opt_str(a, "unit"),
            text=_opt_str(a, "text") or "",
        ),
        status=_choice(m, "status", STATUSES, "unknown", where),
        budget_used=_opt_num(m, "budget_used", where),
        confidence=min(1.0, max(0.0, _opt_num(m, "confidence", where) or 0.0)),
        needs_review=bool(m.get("needs_review", False)),
        board_mark=_choice(m, "board_mark", STATUSES + (None,), None, where),
        review_reasons=tuple(_text(r) for r in _list(m, "review_reasons")),
        cell_boxes=tuple(boxes),
        status_override=_override_from(m.get("status_override"), where),
        contract=_contract_from(m.get("contract"), where + ".contract"),
        review_codes=_codes_from(m, where),
    )


OVERRIDE_STATUSES = ("met", "near_miss", "breach")


def _override_from(o: Any, where: str) -> StatusOverride | None:
    if o is None:
        return None
    where += ".status_override"
    if not isinstance(o, dict):
        raise InvalidDocument(f"{where} must be an object with a status and a reason")
    reason = (_opt_str(o, "reason") or "").strip()
    if not reason:
        raise InvalidDocument(f"{where}.reason is missing: say why the judge is overruled")
    status = _choice(o, "status", OVERRIDE_STATUSES, None, where)
    judged = o.get("judged")
    return StatusOverride(status, reason, judged if judged in STATUSES else None)


def _action_from(a: Any, i: int) -> Action:
    where = f"actions[{i}]"
    if not isinstance(a, dict):
        raise InvalidDocument(f"{where} must be an object")
    return Action(
        text=_req_str(a, "text", where),
        owner=_opt_str(a, "owner"),
        due=_opt_date(a, "due"),
        metric=_opt_str(a, "metric"),
        status=_choice(a, "status", ACTION_STATUSES, "open", where),
        needs_review=bool(a.get("needs_review", False)),
        line_box=_box(a.get("line_box")),
        review_reasons=tuple(_text(r) for r in _list(a, "review_reasons")),
        review_codes=_codes_from(a, where),
    )


def board_to_rows(board: Board) -> list[dict[str, Any]]:
    """The metrics table as flat rows (for CSV and other tabular exports)."""
    rows = []
    for m in board.metrics:
        rows.append(
            {
                "service": board.service,
                "review_date": board.review_date,
                "metric": m.name,
                "target_op": m.target.op,
                "target_value": m.target.value,
                "target_unit": m.target.unit,
                "target_text": m.target.text,
                "actual_value": m.actual.value,
                "actual_unit": m.actual.unit,
                "actual_text": m.actual.text,
                "status": m.status,
                "budget_used": m.budget_used,
                "confidence": m.confidence,
                "needs_review": m.needs_review,
                "board_mark": m.board_mark,
            }
        )
    return rows


__all__ = [
    "SCHEMA",
    "OPS",
    "STATUSES",
    "ACTION_STATUSES",
    "CANONICAL_UNITS",
    "Target",
    "Actual",
    "Metric",
    "StatusOverride",
    "ContractCheck",
    "RootCause",
    "Action",
    "Board",
    "board_to_rows",
]
