"""The whole reading: the board document, not yet judged."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import date
from typing import TypeVar

from boardsnap.document import Action, Board, Metric, ReviewCode, RootCause
from boardsnap.geometry import Box
from boardsnap.reading.parse.actions import (
    _has_owner,
    match_owner,
    owner_word_at_end,
    read_action,
    read_root_cause,
)
from boardsnap.reading.parse.context import ParseContext
from boardsnap.reading.parse.dates import find_date
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.headings import (
    _role_of,
    after_causes_match,
    column_roles,
    heading_of,
    lone_action_heading,
    notes_header,
)
from boardsnap.reading.parse.names import _BULLET, match_metric_name
from boardsnap.reading.parse.rows import (
    _POSITIONAL,
    _cell,
    _conf,
    build_metric,
    split_row_line,
)
from boardsnap.reading.parse.titles import (
    REVIEW_SIGNS,
    _fuzzy_title_word,
    _looks_like_title,
    known_service,
    review_date,
    starts_with_service,
)
from boardsnap.reading.parse.under import row_under_table
from boardsnap.reading.parse.values import _has_number, normalise, read_value
from boardsnap.reading.results import OcrText, Reading

_Line = TypeVar("_Line", Action, RootCause)  # what a free line of the board is read as


def parse_reading(reading: Reading, ctx: ParseContext) -> Board:
    """The board document from what OCR read, not judged (every status is "unknown")."""
    warnings: list[str] = []
    parsed, rows_unread = _table_metrics(reading.cells, ctx)
    metrics: list[Metric] = [m for m, _ in parsed]
    row_warnings: list[list[str]] = [list(w) for _, w in parsed]
    table_read = bool(metrics)
    warnings.extend(_header_said(reading.cells) if table_read else ())
    warnings.extend(rows_unread if table_read else ())

    lines = [ln for ln in reading.lines if normalise(ln.text)]
    title_lines, body = _split_title(lines, ctx)
    rows = [r for r in reading.cells if any(normalise(c.text) for c in r)]
    if table_read and not _side_by_side(rows):  # a last row under the last rule, read as lines
        under, used = row_under_table(reading.cells, body, ctx)
        if under is not None:
            metrics.append(under[0])
            row_warnings.append(under[1])
            body = [ln for i, ln in enumerate(body) if i not in used]
    title, service, review, title_doubt, review_far, due_from = _title_of(
        title_lines, ctx, warnings
    )

    names = [m.name for m in metrics]
    root_causes: list[RootCause] = []
    actions: list[Action] = []
    section: str | None = None
    headed: dict[str, str] = {}  # each section's heading as read
    heading_box: dict[str, Box | None] = {}  # ... and where it stands
    unread: list[str] = []  # writing read as nothing the document holds
    for k, line in enumerate(body):
        text = normalise(line.text)
        kind, after = heading_of(text, ctx.parse.heading_match, ctx.parse.heading_alone_match)
        if kind is None and section == "root" and "actions" not in headed:
            after_it = normalise(body[k + 1].text) if k + 1 < len(body) else ""
            if _guessed_actions_heading(line, text, heading_box.get("root"), after_it, ctx):
                section = "actions"
                headed["actions"] = text
                warnings.append(
                    f"actions: {text!r} taken for the Actions heading (a lone word after the "
                    "root causes); check the board"
                )
                continue
        if kind is not None:
            section = kind
            headed.setdefault(kind, text)
            heading_box.setdefault(kind, line.box)
            if not after:
                continue
            text = after
        if section is None and not table_read:
            row = _line_metric(line, text, ctx)
            if row is not None:
                metric, warns = row
                metrics.append(metric)
                row_warnings.append(warns)
                names.append(metric.name)
                continue
            if _is_header_line(text):
                continue
        if _is_action(text, section, ctx):
            action, doubt = read_action(
                text,
                due_from,
                names,
                ctx.date_order,
                ctx.name_match,
                review_doubtful=bool(title_doubt is not None and title_doubt.reasons),
                review_year_doubtful=review_far,
                team=ctx.team,
                owner_word_match=ctx.owner_word_match,
            )
            if action is None:
                if re.search(r"[A-Za-z0-9]", text):
                    unread.append(text)  # an owner or a date alone ("(kenji)"): whose is unclear
                continue
            actions.append(_checked_action(action, line, ctx, under_causes=section == "root"))
            continue
        cause, cause_doubt = read_root_cause(text, names, ctx.name_match)
        if cause is None:
            continue
        if section == "root" or cause.metric is not None:
            root_causes.append(_checked_cause(cause, cause_doubt, line, ctx))
        else:
            unread.append(text)  # in no section, and like no row, action or cause

    warnings.extend(_empty_sections(headed, root_causes, actions))
    if unread:
        warnings.append(_unread_lines(unread, ctx))
    warnings.extend(_row_labelled(metrics, row_warnings))
    return Board(
        source=ctx.source,
        title=title,
        service=service,
        review_date=review.isoformat() if review else None,
        metrics=tuple(metrics),
        root_causes=tuple(root_causes),
        actions=tuple(actions),
        warnings=tuple(warnings),
    )


def _title_of(
    title_lines: list[OcrText], ctx: ParseContext, warnings: list[str]
) -> tuple[str | None, str | None, date | None, Doubt | None, bool, date | None]:
    """The title, its service and review date, the date's doubt, whether it is far from the
    photo's, and the day due dates without a year are counted from; what the board must say of
    them added to `warnings`."""
    title = " ".join(normalise(ln.text) for ln in title_lines) or None
    service, review, title_doubt, review_far, due_from = review_date(title, ctx)
    service, corrected = known_service(service, ctx.services, ctx.service_match)
    said = corrected or _service_doubt(service, title_lines, ctx)
    if said:
        warnings.append(said)
    if title_doubt is not None and title_doubt.reasons:
        warnings.append("review date: " + "; ".join(title_doubt.reasons))
    if not service:
        warnings.append("service: no service name read in the title")
    return title, service, review, title_doubt, review_far, due_from


def _row_labelled(metrics: list[Metric], row_warnings: list[list[str]]) -> list[str]:
    """Each row's warnings, prefixed by the row they are about ("row 2 (Uptime): ...")."""
    said = []
    for i, (metric, warns) in enumerate(zip(metrics, row_warnings, strict=True), start=1):
        label = f"row {i} ({metric.name})" if metric.name else f"row {i}"
        said.extend(f"{label}: {w}" for w in warns)
    return said


def _line_metric(line: OcrText, text: str, ctx: ParseContext) -> tuple[Metric, list[str]] | None:
    """A metric row read from a line of text ("P95 latency < 200ms 240ms"), when there is no
    ruled table: only a line that names an SLA metric is one."""
    parts = split_row_line(text)
    if (
        parts is None
        or _is_header_line(text)
        or match_metric_name(parts[0], ctx.name_match)[1] < ctx.name_match
    ):
        return None
    name_t, target_t, actual_t, rest_t = parts
    conf = line.confidence
    metric, warns = build_metric(
        OcrText(name_t, conf),
        OcrText(target_t, conf),
        OcrText(actual_t, conf),
        OcrText(rest_t, conf) if rest_t else None,
        ctx,
    )
    if line.box is not None:
        metric = replace(metric, cell_boxes=(tuple(int(v) for v in line.box),))
    return metric, warns


def _checked_action(
    action: Action, line: OcrText, ctx: ParseContext, under_causes: bool = False
) -> Action:
    """An action with the doubts of its line (read with low confidence, a due date's digit or
    an owner's letter read unsurely, an owner on no roster, found among the root causes: its
    Actions heading unread) and where the line is."""
    doubt = _line_doubt(Doubt(reasons=action.review_reasons, codes=action.review_codes), line, ctx)
    if under_causes:
        doubt = doubt.lower(
            "ocr",
            "read under the Root causes heading, taken for an action by its owner or due date "
            "(its Actions heading was not read?)",
            "action.under_causes",
            "text",
        )
    for field, unsure in (
        ("due", _unsure_date_digit(line, action.due, ctx)),
        ("owner", _unsure_owner_letter(line, action.owner, ctx.low_digit_confidence)),
    ):
        if unsure:  # one character misread makes another date or person, the line's mean sure
            doubt = doubt.lower("ocr", f"{field}: {unsure}", f"{field}.unsure_character", field)
    owner = action.owner
    if ctx.team and owner is not None:
        member, exact = match_owner(owner, ctx.team, ctx.owner_match)
        if not exact:  # corrected to a member, or on no roster: a person checks
            why = (
                f"owner {owner!r} read as {member}"
                if member
                else f"owner {owner!r} not on the team"
            )
            doubt = doubt.lower("ocr", why, "owner.not_on_team", "owner")
            owner = member or owner
    return _placed(replace(action, owner=owner), doubt, line)


def _checked_cause(cause: RootCause, doubt: Doubt, line: OcrText, ctx: ParseContext) -> RootCause:
    """A root cause with the doubts of its metric and its line, and where the line is."""
    return _placed(cause, _line_doubt(doubt, line, ctx), line)


def _line_doubt(doubt: Doubt, line: OcrText, ctx: ParseContext) -> Doubt:
    """`doubt`, lowered when the line was read with low OCR confidence."""
    if _conf(line) < ctx.low_confidence:
        why = f"line read with low OCR confidence ({_conf(line):.2f})"
        doubt = doubt.lower("ocr", why, "ocr.low_confidence", "text")
    return doubt


def _placed(item: _Line, doubt: Doubt, line: OcrText) -> _Line:
    """An action or a root cause with its line's box (for the report's evidence crop) and, when
    there is any doubt, flagged with its reasons and codes."""
    box = tuple(int(v) for v in line.box) if line.box is not None else item.line_box
    if not doubt.reasons:
        return replace(item, line_box=box)
    return replace(
        item,
        needs_review=True,
        line_box=box,
        review_reasons=doubt.reasons,
        review_codes=doubt.codes,
    )


def _service_doubt(service: str | None, title_lines: list[OcrText], ctx: ParseContext) -> str:
    """What the document must say of a service read as written: not one of the team's services
    (when the team's are known), or a letter of it read unsurely; "" when nothing."""
    if not service:
        return ""
    if ctx.services and service not in ctx.services:
        return f"service: {service!r} is not one of the team's services; check the title"
    for line in title_lines:
        at = line.text.lower().find(service.lower())
        confs = line.char_confidences[at : at + len(service)] if at >= 0 else ()
        if confs and min(confs) < ctx.low_digit_confidence:
            i = min(range(len(confs)), key=confs.__getitem__)
            return (
                f"service: the {line.text[at + i]!r} of {service!r} is unsure "
                f"({confs[i]:.2f}); check the title"
            )
    return ""


def _unsure_date_digit(line: OcrText, due: str | None, ctx: ParseContext) -> str | None:
    """Which digit or month letter of the due date written on `line` OCR read less surely than
    `low_digit_confidence`, in words, if any (only where the date is found in the text as read,
    so that a metric's digits, "p99", do not count). A month's letter decides the date as a
    digit does: "JUL" and "JUN" differ by one."""
    if due is None or not line.char_confidences:
        return None
    hit = find_date(line.text, ctx.date_order)
    if hit is None:
        return None
    span = line.text[hit.start : hit.end]
    confs = line.char_confidences[hit.start : hit.end]
    unsure = [(c, i) for i, (ch, c) in enumerate(zip(span, confs, strict=False)) if ch.isalnum()]
    if not unsure or min(unsure)[0] >= ctx.low_digit_confidence:
        return None
    conf, i = min(unsure)
    return f"the {span[i]!r} at character {i + 1} is unsure ({conf:.2f})"


def _unsure_owner_letter(line: OcrText, owner: str | None, limit: float) -> str | None:
    """Which letter of the owner's name OCR read less surely than `limit`, in words, if any."""
    if owner is None or not line.char_confidences:
        return None
    at = line.text.lower().rfind(owner.lower())
    if at < 0:
        return None
    confs = line.char_confidences[at : at + len(owner)]
    if not confs or min(confs) >= limit:
        return None
    i = min(range(len(confs)), key=confs.__getitem__)
    return f"the {line.text[at + i]!r} of {owner!r} is unsure ({confs[i]:.2f})"


def _same_title_again(first: str, second: str, date_order: str) -> bool:
    """Whether the line under a title is the whole title read again, the first a piece of it
    (a piece of the title's ink the detector missed, read on its own): the second says SLA or
    review and has a date, and holds the first's words."""
    words = re.findall(r"\w+", first.lower())
    return (
        bool(words)
        and REVIEW_SIGNS.search(second) is not None
        and find_date(second, date_order) is not None
        and all(w in re.findall(r"\w+", second.lower()) for w in words)
    )


def _review_title(text: str) -> bool:
    """Whether a line reads as an SLA review's title: "SLA" and "review" (or a misreading of it
    one letter off) on it."""
    words = re.findall(r"\w+", text)
    return any(w.lower() == "sla" for w in words) and any(
        w.lower() == "review" or _fuzzy_title_word(w) for w in words if w.lower() != "sla"
    )


def _is_action(text: str, section: str | None, ctx: ParseContext) -> bool:
    """Whether a line is an action: under the Actions heading; in no section, with an owner or a
    date, unless it reads as an SLA review's title; among the causes (an action whose heading
    was not read), with an '@owner', an owner and a date, "owner NAME" at its end or "due
    DATE"."""
    return (
        section == "actions"
        or (
            section is None
            and (
                _has_owner(text)
                or (find_date(text, ctx.date_order) is not None and not _review_title(text))
            )
        )
        or (
            section == "root"
            and (
                re.search(r"(?:^|\s)[@©®]\w", text) is not None
                or (_has_owner(text) and find_date(text, ctx.date_order) is not None)
                or owner_word_at_end(text)
                or _due_date(text, ctx)
            )
        )
    )


# "due" and a date, an action's words ("due to DNS" is a cause's)
_DUE = re.compile(r"\bdue\b\s*[:=.\-]?\s*", re.IGNORECASE)


def _due_date(text: str, ctx: ParseContext) -> bool:
    """Whether "due" is followed at once by a date."""
    for m in _DUE.finditer(text):
        hit = find_date(text[m.end() :], ctx.date_order)
        if hit is not None and hit.start == 0:
            return True
    return False


def _unread_lines(texts: list[str], ctx: ParseContext, shown: int = 4) -> str:
    """The warning for lines of writing read as no title, row, root cause or action (a heading
    misread, a line read as garbage): what they said, so that nothing goes without a word. When
    one of them names a metric or writes a value with its unit ("APIERAR RATE", "198%": a faint
    table's row read in pieces), or is the table's column headings ("Metric", "Target Actuail":
    the table found below its header, seed 2026 photo 14), a row of the table may be among
    them too."""
    quoted = ", ".join(repr(t if len(t) <= 40 else t[:39] + "…") for t in texts[:shown])
    more = f" and {len(texts) - shown} more" if len(texts) > shown else ""
    lines = "line" if len(texts) == 1 else "lines"
    rows = any(
        match_metric_name(t)[1] >= ctx.name_match
        or read_value(t, in_cell=False).unit
        or _column_headings(t)
        for t in texts
    )
    what = "a row of the table, an action or a cause" if rows else "an action or a cause"
    return (
        f"unread: {len(texts)} {lines} of writing read as no title, row, cause or action "
        f"({quoted}{more}): {what} may be among them; check the board"
    )


def _column_headings(text: str) -> bool:
    """Whether a line is nothing but one to three column headings of a table ("Metric",
    "Target Actual")."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    return 1 <= len(words) <= 3 and all(_role_of(w) is not None for w in words)


def _empty_sections(
    headed: dict[str, str], causes: list[RootCause], actions: list[Action]
) -> list[str]:
    """A warning for each section heading (Root causes, Actions) with nothing of its kind read
    on the board: its lines were cut off by the photo or the view, or not read; and for actions
    found among the root causes with no Actions heading read (it faded, or was misread past
    recognition): the lines after it were read as causes unless they showed an owner or a date,
    so more actions may be among the causes."""
    out = []
    among = sum(any(c.code == "action.under_causes" for c in a.review_codes) for a in actions)
    if among and "actions" not in headed:
        out.append(
            f"actions: {among} read among the root causes and no Actions heading read: more "
            "actions may have been read as root causes; check the board"
        )
    for kind, heading in headed.items():
        if actions if kind == "actions" else causes:
            continue
        what = "actions" if kind == "actions" else "root causes"
        out.append(
            f"{what}: nothing read under the heading {heading!r}: cut off by the photo or the "
            "view, or unreadable; check the board"
        )
    return out


def _table_metrics(
    cells: tuple[tuple[OcrText, ...], ...], ctx: ParseContext
) -> tuple[list[tuple[Metric, list[str]]], list[str]]:
    """The table's metric rows with their warnings, and what the board must say of its rows
    that hold writing but read as no metric (`_row_unread`)."""
    rows = [r for r in cells if any(normalise(c.text) for c in r)]
    if not rows:
        return [], []
    blocks = _side_by_side(rows)
    if blocks:
        parts = [_table_metrics(block, ctx) for block in blocks]
        return [m for read, _ in parts for m in read], [w for _, said in parts for w in said]
    roles: dict[str, int] | None = None
    start = 0
    for i, row in enumerate(rows[:2]):
        roles = column_roles(row)
        if roles is not None:
            start = i + 1
            break
    if roles is None:
        roles = dict(_POSITIONAL)
    header = _cell(rows[start - 1], roles.get("mark")) if start else None
    notes = header is not None and notes_header(header.text)  # free text beside the rows
    out = []
    unread: list[str] = []
    for row in rows[start:]:
        if column_roles(row) is not None:
            continue  # a header repeated
        name_cell = _cell(row, roles.get("name"))
        target_cell = _cell(row, roles.get("target"))
        actual_cell = _cell(row, roles.get("actual"))
        mark_cell = _cell(row, roles.get("mark"))
        merged = None
        if target_cell is not None and roles.get("target") == roles.get("actual"):
            target_cell, actual_cell = _two_values(target_cell)
            merged = "target and actual"
        elif name_cell is not None and roles.get("name") == roles.get("target"):
            name_cell, target_cell = _name_and_value(name_cell)
            merged = "name and target"
        if not any(
            normalise(c.text) for c in (name_cell, target_cell, actual_cell) if c is not None
        ):
            continue  # only a mark or a note: no row
        if not _plausible_row(name_cell, target_cell, actual_cell) and not _named_sla_row(
            name_cell, ctx
        ):
            if not start or not _any_value(target_cell, actual_cell):
                # said, not lost, when the grid is taken for the SLA table (a named metric in
                # it, or a header); else a box of a drawing, and the grid no table at all. The
                # first row of a grid whose header was not read is that header misread ("Miic |
                # Forget | Actua"), unless both its values hold a number
                headed = not start and row is rows[0] and not _both_values(target_cell, actual_cell)
                unread.extend(() if headed else _row_unread(row, out))
                continue
            # under the table's header with a number in its values: a metric row whose name
            # was not read ("e | 00 | 197m"), kept and flagged by its name's doubt
        metric, warns = build_metric(name_cell, target_cell, actual_cell, mark_cell, ctx, notes)
        if merged:  # cut apart by the parser: a repair, worth a look like any other
            reason = f"{merged} read from one cell (the line between the columns not seen)"
            code = ReviewCode("cell.split", "row" if merged.startswith("target") else "target")
            metric = replace(
                metric,
                needs_review=True,
                review_reasons=(*metric.review_reasons, reason),
                review_codes=(*metric.review_codes, code),
            )
        out.append((metric, warns))
    if (
        start == 0
        and not any(match_metric_name(m.name)[1] >= ctx.name_match for m, _ in out)
        and not _guessed_header(rows)
    ):
        return [], []  # no header and no SLA metric named: some other grid on the board
    return out, unread


def _any_value(target: OcrText | None, actual: OcrText | None) -> bool:
    """Whether a row's target or actual cell holds a number."""
    return _has_number(" ".join(c.text for c in (target, actual) if c is not None))


def _both_values(target: OcrText | None, actual: OcrText | None) -> bool:
    """Whether a row's target and actual cells both hold a number."""
    return all(c is not None and _has_number(c.text) for c in (target, actual))


def _row_unread(row: tuple[OcrText, ...], before: list[tuple[Metric, list[str]]]) -> list[str]:
    """The board's word on a row of the SLA table that holds writing (two letters or digits at
    least) but reads as no metric: where it stands and what was read."""
    texts = [normalise(c.text) for c in row]
    if sum(len(re.findall(r"[A-Za-z0-9]", t)) for t in texts) < 2:
        return []  # a speck, a stray stroke
    where = f"after row {len(before)} ({before[-1][0].name})" if before else "before row 1"
    read = " | ".join(texts)
    return [f"table: a row {where} read as no metric ({read!r}); check the board"]


def _header_said(cells: tuple[tuple[OcrText, ...], ...]) -> list[str]:
    """The board's word on a header it guessed (`_guessed_header`), or none."""
    if not _guessed_header(cells):
        return []
    first = next(r for r in cells if any(normalise(c.text) for c in r))
    head = " | ".join(normalise(c.text) for c in first)
    return [
        f"table: its header read as {head!r}; its columns taken as metric, target, actual in that"
        " order; check the board"
    ]


def _guessed_header(rows: list[tuple[OcrText, ...]] | tuple[tuple[OcrText, ...], ...]) -> bool:
    """Whether a table's first row is its header misread past `column_roles` ("Metrie | Tu |
    Adud" on a shaken photo): no digit in it, and two rows or more under it with a number in
    both the target's and the actual's places, when its first cell is the metric column's word;
    when none of its words was read ("MaAc | T | Actu/"), two rows or more that write a
    commitment in the target's place (a comparator and a number: "<2 s", "<=0.2 %") beside a
    number, as only an SLA table does. Its columns are then taken in the usual order (metric,
    target, actual), and the board says so."""
    rows = [r for r in rows if any(normalise(c.text) for c in r)]
    if len(rows) < 3 or len(rows[0]) < 3 or column_roles(rows[0]) is not None:
        return False
    head = rows[0]
    if any(_has_number(c.text) for c in head):
        return False
    under = [r for r in rows[1:] if len(r) >= 3 and _has_number(r[2].text)]
    if _role_of(head[0].text) == "name":
        return sum(_has_number(r[1].text) for r in under) >= 2
    return sum(_commitment(r[1].text) for r in under) >= 2


def _commitment(text: str) -> bool:
    """Whether a cell writes a commitment: a number with its comparator (or its word: "under",
    "max") written before it, or nines ("four nines"), as the value reader reads it."""
    value = read_value(text)
    return value.value is not None and (value.op_written or "nine" in text.lower())


def _side_by_side(
    rows: list[tuple[OcrText, ...]],
) -> list[tuple[tuple[OcrText, ...], ...]] | None:
    """Two tables drawn side by side whose rules line up are segmented as one grid; its header
    then names the metric column twice (Metric | Target | Actual | Metric | ...). Split it into
    one block of columns per table, each read as a table of its own."""
    for row in rows[:2]:
        if column_roles(row) is None:
            continue
        names = [i for i, c in enumerate(row) if _role_of(c.text) == "name"]
        if len(names) < 2:
            return None
        bounds = [0, *names[1:], max(len(r) for r in rows)]
        return [tuple(tuple(r[a:b]) for r in rows) for a, b in itertools.pairwise(bounds)]
    return None


_VALUE_START = re.compile(
    r"[<>≤≥=]|(?<=\s)(?:\d|under\b|below\b|max\b|min\b|at\s*(?:least|most)\b|"
    r"(?:one|two|three|four|five|six)\s+nines?\b)",
    re.IGNORECASE,
)


def _name_and_value(cell: OcrText) -> tuple[OcrText, OcrText]:
    """A cell holding the metric name and its target ("MTTR ≤ 2 h", "P95 latency 150ms", the line
    between the columns not seen), cut where the first value that runs to the end begins."""
    text = normalise(cell.text)
    for m in _VALUE_START.finditer(text):
        name, value = text[: m.start()].strip(), text[m.start() :].strip()
        v = read_value(value, in_cell=False)
        if sum(c.isalpha() for c in name) >= 2 and v.value is not None and not v.rest.strip():
            return replace(cell, text=name, char_confidences=()), replace(
                cell, text=value, char_confidences=()
            )
    return cell, replace(cell, text="", char_confidences=())


def _two_values(cell: OcrText) -> tuple[OcrText, OcrText]:
    """A cell holding a target and an actual ("< 0.5% 0.57%", the column line between them not
    seen), cut after the first value; the actual is empty when no second value follows."""
    text = normalise(cell.text)
    rest = read_value(text, in_cell=False).rest.strip()
    cut = text.rfind(rest) if rest else -1
    if cut <= 0:
        return cell, replace(cell, text="", char_confidences=())
    chars = cell.char_confidences if len(cell.char_confidences) == len(text) else ()

    def part(a: int, b: int) -> OcrText:
        return replace(cell, text=text[a:b].strip(), char_confidences=())

    target, actual = part(0, cut), part(cut, len(text))
    if chars:  # each part keeps its characters' confidences when nothing was stripped
        if len(target.text) == cut:
            target = replace(target, char_confidences=chars[:cut])
        if len(actual.text) == len(text) - cut:
            actual = replace(actual, char_confidences=chars[cut:])
    return target, actual


def _plausible_row(name: OcrText | None, target: OcrText | None, actual: OcrText | None) -> bool:
    """A metric row names something and writes a commitment or a result as a number."""
    if name is None or len(re.findall(r"[A-Za-z]", name.text)) < 2:
        return False
    values = " ".join(c.text for c in (target, actual) if c is not None)
    return _has_number(values) or "nine" in values.lower()


def _named_sla_row(name: OcrText | None, ctx: ParseContext) -> bool:
    """A row that names an SLA metric but holds no number (not filled in, or wiped): kept as a
    row to review, so that it is not silently missing from the report."""
    return name is not None and match_metric_name(name.text, ctx.name_match)[1] >= ctx.name_match


def _is_header_line(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    return (
        not _has_number(text)
        and len(words) >= 2
        and sum(_role_of(w) is not None for w in words) >= 2
    )


def _guessed_actions_heading(
    line: OcrText, text: str, causes_heading: Box | None, next_text: str, ctx: ParseContext
) -> bool:
    """Whether a line under the root causes, before any Actions heading, is that heading misread
    further than `heading_of` takes: a lone word like it, more alike when it does not stand
    where the Root causes heading does or does not start with its A, less when the line after
    it (`next_text`) reads as an action (an '@owner', a due date, which no cause has). That
    line is looked at only for a word like the heading: this runs on every line of the causes."""
    p = ctx.parse
    match = after_causes_match(text, line.box, causes_heading, p)
    if lone_action_heading(text, match, p.heading_alone_match, p.heading_word_match):
        return True
    lower = p.heading_before_action_match
    return (
        lower < match
        and bool(next_text)
        and lone_action_heading(text, lower, p.heading_alone_match, p.heading_word_match)
        and _is_action(next_text, "root", ctx)
    )


def _split_title(lines: list[OcrText], ctx: ParseContext) -> tuple[list[OcrText], list[OcrText]]:
    if not lines:
        return [], []
    if len(lines) > 1 and len(re.findall(r"[A-Za-z0-9]", normalise(lines[0].text))) < 2:
        # a speck above the title ("0" at the view's top edge) is no title: it stays in the
        # body, where it is said as unread
        title, body = _split_title(lines[1:], ctx)
        return title, [lines[0], *body]
    date_order = ctx.date_order
    first = normalise(lines[0].text)
    second = normalise(lines[1].text) if len(lines) > 1 else ""

    def plain(t: str) -> bool:  # could be part of a title: no heading, bullet, owner or row
        return (
            bool(t)
            and heading_of(t)[0] is None
            and not _BULLET.match(t)
            and not _has_owner(t)
            and split_row_line(t) is None
        )

    first_title = heading_of(first)[0] is None and (
        _looks_like_title(first, date_order)
        # the team's service first, the title's other words misread (even as a row's numbers:
        # "Checkout A evew Ma 27 206"), on a line with no bullet or owner
        or (
            not _BULLET.match(first)
            and not _has_owner(first)
            and starts_with_service(first, ctx.services, ctx.service_match)
        )
    )
    if second and _same_title_again(first, second, date_order):
        return lines[1:2], lines[2:]  # "Checkout" / "Checkout SLA review 2 Aug 2026"
    if first_title:
        hit = find_date(first, date_order)
        if (
            second
            and plain(second)
            and hit is None
            and find_date(second, date_order) is not None
            and len(second.split()) <= 4
        ):
            return lines[:2], lines[2:]  # "Payments API SLA review" / "2026-11-20"
        return lines[:1], lines[1:]
    if second and plain(first) and plain(second) and _looks_like_title(second, date_order):
        return lines[:2], lines[2:]  # "Payments API" / "SLA review 2026-11-20"
    return [], lines
