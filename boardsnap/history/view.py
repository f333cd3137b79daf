"""The review history as the report shows it: `HistoryContext` → the `history` variable of
templates/partials/history.html.j2, including each metric's trend as a small hand-drawn inline
SVG chart (no plotting library, nothing fetched: it prints the same in WeasyPrint and in a
browser)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from markupsafe import Markup

from boardsnap.history.store import ActionRecord, HistoryContext, MetricTrend, Remediation
from boardsnap.report.redact import metric_key

ACTION_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done"}
ACTION_ICONS = {"open": "\u25cb", "in_progress": "\u25d0", "done": "\u2713"}
DIRECTION_LABELS = {"better": "\u2713 better", "worse": "\u2717 worse", "unchanged": "= unchanged"}
VERDICTS = {
    "improved": ("\u2713", "Helped"),
    "unchanged": ("\u2013", "No change"),
    "worse": ("\u2717", "Got worse"),
    "not measured": ("?", "Not measured"),
}
STATUS_COLOURS = {
    "met": "#15803d",
    "near_miss": "#b45309",
    "breach": "#b91c1c",
    "unknown": "#6b7280",
}

CHART_W, CHART_H, PAD_X, PAD_Y = 168, 44, 6, 7


def build(ctx: HistoryContext, redact: Iterable[str] = (), internal: bool = True) -> dict[str, Any]:
    """The template's `history` variable.

    Metrics named in `redact` are left out everywhere (their trends, and the actions and
    remediation verdicts for them); for a reader outside the team (`internal` false) owners
    are shown only as "assigned" and status notes are left out.
    """
    hidden = {metric_key(n) for n in redact}

    def shown(metric: str | None) -> bool:
        return metric_key(metric) not in hidden if metric else True

    actions = [
        _action(a, ctx.previous.id, internal) for a in ctx.previous_actions if shown(a.metric)
    ]
    return {
        "service": ctx.service,
        "previous_date": ctx.previous.review_date or "undated",
        "previous_source": ctx.previous.source if internal else None,
        "reviews_shown": ctx.reviews_shown,
        "previous_actions": actions,
        "overdue_count": sum(a["overdue"] for a in actions),
        "trends": [_trend(t) for t in ctx.trends if shown(t.name)],
        "remediation": [_remediation(r) for r in ctx.remediation if shown(r.metric)],
    }


def _action(a: ActionRecord, previous_id: int, internal: bool) -> dict[str, Any]:
    return {
        "id": a.id,
        "text": a.text,
        "metric": a.metric,
        "owner": a.owner if internal or not a.owner else "assigned",
        "due": a.due,
        "status": a.status,
        "label": ACTION_LABELS.get(a.status, a.status),
        "icon": ACTION_ICONS.get(a.status, "?"),
        "overdue": a.overdue,
        "note": a.note if internal else None,
        "carried": len(a.reviews) > 1,
        "older": previous_id not in a.reviews,
        "first_date": a.review_date or "an undated review",
    }


def _trend(t: MetricTrend) -> dict[str, Any]:
    values = [p.actual_value for p in t.points]
    previous = t.points[-2]
    return {
        "name": t.name,
        "svg": trend_svg(t),
        "series": " \u2192 ".join(_amount(v, t.unit) if v is not None else "n/a" for v in values),
        "change": _signed(t.change, t.unit) if t.change is not None else None,
        "since": previous.review_date or "the previous review",
        "direction": t.direction or "unknown",
        "direction_label": DIRECTION_LABELS.get(t.direction or "", "not comparable"),
    }


def _remediation(r: Remediation) -> dict[str, Any]:
    icon, label = VERDICTS.get(r.verdict, ("?", r.verdict))
    return {
        "id": r.action.id,
        "text": r.action.text,
        "metric": r.metric,
        "before": _point_text(r.before.actual_value, r.before.actual_text, r.before.status),
        "before_date": r.before.review_date or "undated",
        "after": (
            _point_text(r.after.actual_value, r.after.actual_text, r.after.status)
            if r.after
            else "not measured"
        ),
        "after_date": (r.after.review_date or "this review") if r.after else "",
        "verdict": r.verdict.replace(" ", "_"),
        "icon": icon,
        "label": label,
    }


def _point_text(value: float | None, text: str, status: str) -> str:
    shown = text or ("n/a" if value is None else _number(value))
    return f"{shown} ({status.replace('_', ' ')})"


# ---- the chart ---------------------------------------------------------------------------------


def trend_svg(t: MetricTrend) -> Markup:
    """A small line chart of the metric's actual per review: the target as a dashed line, each
    review a dot coloured by its status (and the last one larger), missing readings left out."""
    values = [p.actual_value for p in t.points]
    known = [v for v in values if v is not None]
    scale_values = known + ([t.target_value] if t.target_value is not None else [])
    label = escape(
        f"{t.name}: "
        + ", ".join(
            f"{p.review_date or 'undated'} {_amount(p.actual_value, t.unit)}"
            if p.actual_value is not None
            else f"{p.review_date or 'undated'} n/a"
            for p in t.points
        )
        + (f"; target {_amount(t.target_value, t.unit)}" if t.target_value is not None else "")
    )
    parts = [
        f'<svg class="hx-chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" '
        f'height="{CHART_H}" viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<rect x="0.5" y="0.5" width="{CHART_W - 1}" height="{CHART_H - 1}" fill="#f9fafb" '
        'stroke="#e5e7eb"/>',
    ]
    if scale_values:
        low, high = min(scale_values), max(scale_values)
        if high - low < 1e-12:
            low, high = low - 1, high + 1
        margin = (high - low) * 0.08
        low, high = low - margin, high + margin
        n = len(values)
        step = (CHART_W - 2 * PAD_X) / max(n - 1, 1)

        def x(i: int) -> float:
            return PAD_X + i * step if n > 1 else CHART_W / 2

        def y(v: float) -> float:
            return PAD_Y + (high - v) / (high - low) * (CHART_H - 2 * PAD_Y)

        if t.target_value is not None:
            ty = y(t.target_value)
            parts.append(
                f'<line x1="{PAD_X / 2:.1f}" y1="{ty:.1f}" x2="{CHART_W - PAD_X / 2:.1f}" '
                f'y2="{ty:.1f}" stroke="#6b7280" stroke-width="0.8" stroke-dasharray="3 2"/>'
            )
        # The line joins consecutive readings; a missing one breaks it.
        run: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is not None:
                run.append(f"{x(i):.1f},{y(v):.1f}")
                continue
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="#1f2937" '
                    'stroke-width="1.4" stroke-linejoin="round"/>'
                )
            run = []
        for i, (p, v) in enumerate(zip(t.points, values, strict=True)):
            if v is None:
                continue
            r = 3.4 if i == n - 1 else 2.4
            colour = STATUS_COLOURS.get(p.status, STATUS_COLOURS["unknown"])
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{r}" fill="{colour}" '
                'stroke="#ffffff" stroke-width="0.8"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _amount(value: float | None, unit: str | None) -> str:
    if value is None:
        return "n/a"
    number = _number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def _signed(value: float, unit: str | None) -> str:
    if abs(value) < 1e-12:
        return "\u00b10" + (unit if unit == "%" else f" {unit}" if unit else "")
    sign = "+" if value > 0 else "\u2212"
    return sign + _amount(abs(value), unit)


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


__all__ = ["build", "trend_svg"]
