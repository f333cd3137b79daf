"""The check page's form and the board document, both ways.

Field names: `service`, `title`, `review_date`; per metric row i `m-i-name`, `m-i-op`,
`m-i-tvalue`, `m-i-tunit`, `m-i-avalue`, `m-i-aunit`, `m-i-ok` (the person checked the row),
`m-i-drop` (not a metric row); per root cause `rc-i-metric`, `rc-i-text` (`rc-new-*` adds one);
per action `a-i-text`, `a-i-owner`, `a-i-due`, `a-i-metric`, `a-i-status`, `a-i-ok`
(`a-new-*` adds one). A row a person changed or ticked as checked no longer needs review;
the board is then judged again, which flags again whatever still cannot be judged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from boardsnap.config import JudgeConfig
from boardsnap.document import (
    ACTION_STATUSES,
    OPS,
    Action,
    Actual,
    Board,
    Metric,
    RootCause,
    Target,
)
from boardsnap.reading import judge

MAX_FIELD = 500  # characters kept of any one field


@dataclass(frozen=True)
class Applied:
    board: Board
    errors: tuple[str, ...]  # one line each, naming the row and the field


def _text(form: Mapping[str, str], key: str) -> str | None:
    value = form.get(key)
    if value is None:
        return None
    # cut before splitting: a field of megabytes is not worked through whole on the event loop
    return " ".join(str(value)[: MAX_FIELD * 4].split())[:MAX_FIELD]


def _number(raw: str, where: str, errors: list[str]) -> tuple[bool, float | None]:
    """(ok, value): an empty field is None; something not a number is an error."""
    if raw == "":
        return True, None
    try:
        value = float(raw.replace(",", ".").replace(" ", ""))
    except ValueError:
        errors.append(f"{where}: {raw!r} is not a number")
        return False, None
    if not math.isfinite(value):
        errors.append(f"{where}: {raw!r} is not a number")
        return False, None
    return True, value


def _date(raw: str, where: str, errors: list[str]) -> tuple[bool, str | None]:
    if raw == "":
        return True, None
    try:
        return True, date.fromisoformat(raw).isoformat()
    except ValueError:
        errors.append(f"{where}: {raw!r} is not a date (YYYY-MM-DD)")
        return False, None


def _unit(raw: str) -> str | None:
    return raw.strip().lower() or None


def quantity_text(op: str | None, value: float | None, unit: str | None) -> str:
    """How a corrected value is written back into the document's `text`."""
    if value is None:
        return ""
    number = f"{value:g}" if abs(value) < 1e15 else str(value)
    amount = f"{number}{unit}" if unit == "%" else f"{number} {unit}" if unit else number
    return f"{op} {amount}" if op else amount


def _metric(m: Metric, i: int, form: Mapping[str, str], errors: list[str]) -> Metric | None:
    p = f"m-{i}-"
    if form.get(p + "drop"):
        return None
    row = f"row {i + 1}"
    name = _text(form, p + "name")
    op = form.get(p + "op")
    tv_raw, av_raw = _text(form, p + "tvalue"), _text(form, p + "avalue")
    tu_raw, au_raw = _text(form, p + "tunit"), _text(form, p + "aunit")

    target, actual, new_name = m.target, m.actual, m.name
    if name:
        new_name = name
    if op is not None or tv_raw is not None or tu_raw is not None:
        op_value = (op if op in OPS else None) if op is not None else target.op
        t_ok, t_value = (
            _number(tv_raw, f"{row} target", errors) if tv_raw is not None else (True, target.value)
        )
        t_unit = _unit(tu_raw) if tu_raw is not None else target.unit
        if t_ok and (op_value, t_value, t_unit) != (target.op, target.value, target.unit):
            target = Target(op_value, t_value, t_unit, quantity_text(op_value, t_value, t_unit))
    if av_raw is not None or au_raw is not None:
        a_ok, a_value = (
            _number(av_raw, f"{row} actual", errors) if av_raw is not None else (True, actual.value)
        )
        a_unit = _unit(au_raw) if au_raw is not None else actual.unit
        if a_ok and (a_value, a_unit) != (actual.value, actual.unit):
            actual = Actual(a_value, a_unit, quantity_text(None, a_value, a_unit))

    changed = (new_name, target, actual) != (m.name, m.target, m.actual)
    out = replace(m, name=new_name, target=target, actual=actual)
    if changed or form.get(p + "ok"):
        # a person has looked at this row: their word replaces the reader's doubts
        out = replace(out, needs_review=False, review_reasons=(), review_codes=(), confidence=1.0)
    return out


def _action(
    a: Action | None, key: str, form: Mapping[str, str], errors: list[str]
) -> Action | None:
    """The action with the fields the form holds (a field left out is left as it was)."""
    p = f"a-{key}-"
    if not any(k.startswith(p) for k in form):
        return a
    text = _text(form, p + "text")
    if text == "" or (a is None and not text):
        return None  # emptied: removed (or a blank new row)
    base = a or Action(text=text or "")
    where = "new action" if a is None else f"action {int(key) + 1}"
    due, owner, metric = base.due, base.owner, base.metric
    if p + "due" in form:
        due_ok, new_due = _date(_text(form, p + "due") or "", where + " due date", errors)
        due = new_due if due_ok else base.due
    if p + "owner" in form:
        owner = (_text(form, p + "owner") or "").lstrip("@") or None
    if p + "metric" in form:
        metric = _text(form, p + "metric") or None
    status = form.get(p + "status", base.status)
    new = replace(
        base,
        text=text or base.text,
        owner=owner,
        due=due,
        metric=metric,
        status=status if status in ACTION_STATUSES else base.status,
    )
    if a is None or new != a or form.get(p + "ok"):
        new = replace(new, needs_review=False, review_reasons=(), review_codes=())
    return new


def _cause(c: RootCause | None, key: str, form: Mapping[str, str]) -> RootCause | None:
    text = _text(form, f"rc-{key}-text")
    if text is None:
        return c
    if not text:
        return None
    return RootCause(metric=_text(form, f"rc-{key}-metric") or None, text=text)


def apply_form(board: Board, form: Mapping[str, str], cfg: JudgeConfig) -> Applied:
    """The board with the form's corrections, judged again, and what could not be taken."""
    errors: list[str] = []
    metrics = [_metric(m, i, form, errors) for i, m in enumerate(board.metrics)]
    causes = [_cause(c, str(i), form) for i, c in enumerate(board.root_causes)]
    causes.append(_cause(None, "new", form))
    actions = [_action(a, str(i), form, errors) for i, a in enumerate(board.actions)]
    actions.append(_action(None, "new", form, errors))

    service = _text(form, "service")
    title = _text(form, "title")
    date_ok, review_date = _date(_text(form, "review_date") or "", "review date", errors)
    updated = replace(
        board,
        service=board.service if service is None else (service or None),
        title=board.title if title is None else (title or None),
        review_date=review_date if (date_ok and "review_date" in form) else board.review_date,
        metrics=tuple(m for m in metrics if m is not None),
        root_causes=tuple(c for c in causes if c is not None),
        actions=tuple(a for a in actions if a is not None),
    )
    judged, _ = judge.rejudge(updated, cfg)  # values a person changed are judged afresh
    return Applied(judged, tuple(errors))


__all__ = ["apply_form", "Applied", "quantity_text"]
