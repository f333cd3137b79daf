"""A metric across reviews: its points, its direction (better, worse, unchanged) and whether
an action's metric improved by the next review."""

from __future__ import annotations

from boardsnap import units
from boardsnap.history.records import (
    ActionRecord,
    MetricRecord,
    MetricTrend,
    Remediation,
    ReviewRecord,
    TrendPoint,
)
from boardsnap.history.textmatch import normalise_key

_EPSILON = 1e-9


def find_metric(review: ReviewRecord, name: str) -> MetricRecord | None:
    key = normalise_key(name)
    return next((m for m in review.metrics if normalise_key(m.name) == key), None)


def _convert(value: float | None, unit: str | None, to: str | None) -> float | None:
    """`value` in `unit` expressed in `to`; None when the units cannot be compared. Durations
    are compared across units in a trend (0.2 s is 200 ms): boardsnap/units.py."""
    return units.convert(value, unit, to)


def _point(review: ReviewRecord, metric: MetricRecord | None, unit: str | None) -> TrendPoint:
    review_id = review.id or None  # 0: the reported board, not saved
    if metric is None:
        return TrendPoint(review_id, review.review_date, None, "", "unknown", None)
    return TrendPoint(
        review_id=review_id,
        review_date=review.review_date,
        actual_value=_convert(metric.actual_value, metric.actual_unit or unit, unit),
        actual_text=metric.actual_text,
        status=metric.status,
        budget_used=metric.budget_used,
    )


def metric_trend(name: str, shown: list[ReviewRecord]) -> MetricTrend:
    latest = find_metric(shown[-1], name)
    unit = (latest.actual_unit or latest.target_unit) if latest else None
    points = tuple(_point(r, find_metric(r, name), unit) for r in shown)
    before, now_ = points[-2], points[-1]
    change = None
    if before.actual_value is not None and now_.actual_value is not None:
        change = round(now_.actual_value - before.actual_value, 9)
    return MetricTrend(
        name=latest.name if latest else name,
        unit=unit,
        target_op=latest.target_op if latest else None,
        target_value=(
            _convert(latest.target_value, latest.target_unit or unit, unit) if latest else None
        ),
        points=points,
        change=change,
        direction=_direction(before, now_, latest.target_op if latest else None),
    )


def _direction(before: TrendPoint, after: TrendPoint, op: str | None) -> str | None:
    """better | worse | unchanged, by error budget used (lower is better whichever way the
    target points), else by the actual value and the target's direction."""
    if before.budget_used is not None and after.budget_used is not None:
        delta = after.budget_used - before.budget_used
    elif before.actual_value is not None and after.actual_value is not None and op:
        delta = after.actual_value - before.actual_value
        if op in (">", ">="):
            delta = -delta
    else:
        return None
    if abs(delta) <= _EPSILON:
        return "unchanged"
    return "worse" if delta > 0 else "better"


_VERDICTS = {"better": "improved", "worse": "worse", "unchanged": "unchanged"}


def action_remediation(action: ActionRecord, series: list[ReviewRecord]) -> Remediation | None:
    """The action's metric at the last review that listed it, against the next review."""
    listed = [i for i, r in enumerate(series) if r.id in action.reviews and r.id != 0]
    if not listed or listed[-1] + 1 >= len(series) or action.metric is None:
        return None
    before_review, after_review = series[listed[-1]], series[listed[-1] + 1]
    before_metric = find_metric(before_review, action.metric)
    if before_metric is None:
        return None
    unit = before_metric.actual_unit or before_metric.target_unit
    before = _point(before_review, before_metric, unit)
    after_metric = find_metric(after_review, action.metric)
    if after_metric is None:
        return Remediation(action, before_metric.name, before, None, "not measured")
    after = _point(after_review, after_metric, unit)
    direction = _direction(before, after, after_metric.target_op or before_metric.target_op)
    verdict = _VERDICTS.get(direction or "", "not measured")
    return Remediation(action, before_metric.name, before, after, verdict)


__all__ = ["action_remediation", "find_metric", "metric_trend"]
