"""Board documents of one service over three reviews, for the history tests.

Payments API, reviewed 2026-09-15, 2026-10-15 and 2026-11-15. Its p95 latency breaches, then
improves after two latency actions are done; its error rate gets worse after the retry-budget
action is done. The documents are judged by BoardSnap's judge, as `extract` would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from boardsnap.config import JudgeConfig
from boardsnap.document import Board
from boardsnap.reading.judge import judge_board

SERVICE = "Payments API"
DATES = ("2026-09-15", "2026-10-15", "2026-11-15")


def metric(name: str, op: str, target: float, unit: str, actual: float) -> dict[str, Any]:
    return {
        "name": name,
        "target": {"op": op, "value": target, "unit": unit, "text": f"{op} {target:g}{unit}"},
        "actual": {"value": actual, "unit": unit, "text": f"{actual:g}{unit}"},
        "confidence": 0.95,
    }


def action(text: str, metric_name: str | None, owner: str, due: str) -> dict[str, Any]:
    return {"text": text, "owner": owner, "due": due, "metric": metric_name, "status": "open"}


def board(n: int) -> dict[str, Any]:
    """The board document of review n (1, 2 or 3), judged by BoardSnap's own judge."""
    return judge_board(Board.from_dict(_unjudged(n)), JudgeConfig()).to_dict()


def _unjudged(n: int) -> dict[str, Any]:
    p95, uptime, errors = [(260, 99.95, 0.40), (230, 99.92, 0.40), (170, 99.97, 0.46)][n - 1]
    actions = [
        [
            action("add circuit breaker to the card API", "P95 latency", "maria", "2026-09-30"),
            action("retry budget for ledger writes", "Error rate", "raj", "2026-10-10"),
            action("update the on-call runbook", None, "li", "2026-09-20"),
        ],
        [
            # the same as review 1's second action, written a little differently
            action("Retry budget for ledger-writes", "error rate", "raj", "2026-10-30"),
            action("cache card tokens", "P95 latency", "maria", "2026-11-01"),
        ],
        [action("load test before peak season", "P95 latency", "maria", "2026-12-01")],
    ][n - 1]
    return {
        "schema": "boardsnap.board/1",
        "source": f"review-{n}.jpg",
        "title": f"{SERVICE} SLA review {DATES[n - 1]}",
        "service": SERVICE,
        "review_date": DATES[n - 1],
        "metrics": [
            metric("Uptime", ">=", 99.9, "%", uptime),
            metric("P95 latency", "<", 200, "ms", p95),
            metric("Error rate", "<", 0.5, "%", errors),
        ],
        "root_causes": [{"metric": "P95 latency", "text": "slow third-party card API"}],
        "actions": actions,
        "warnings": [],
    }


def write_boards(folder: Path) -> list[Path]:
    paths = []
    for n in (1, 2, 3):
        path = folder / f"review-{n}.json"
        path.write_text(json.dumps(board(n), indent=2))
        paths.append(path)
    return paths


# ---- workers for the multi-process tests (importable, so they run under "spawn") --------------


def save_many(location: str, first: int, count: int, barrier: Any, out: Any) -> None:
    """Save `count` distinct reviews of one service (numbered from `first`) once every worker
    is ready; put the created review ids on `out`."""
    from boardsnap.history.store import History

    boards = []
    for i in range(first, first + count):
        doc = board(1 + i % 3)
        doc["source"] = f"writer-{i}.jpg"
        doc["review_date"] = f"2027-01-{1 + i % 28:02d}"
        boards.append(Board.from_dict(doc))
    with History(location) as store:
        barrier.wait(timeout=60)
        ids = [
            store.save(b, photo_sha256=f"photo-{first + k}").review_id for k, b in enumerate(boards)
        ]
    out.put(ids)


def save_and_hang(location: str, stage: str, reached: Any) -> None:
    """Save review 1, pausing for ever inside the transaction at `stage` (the parent kills us)."""
    import time

    from boardsnap.history import store as history

    def hook(name: str) -> None:
        if name == stage:
            reached.set()
            time.sleep(600)

    with history.History(location) as store:
        history.fault_hook = hook
        store.save(Board.from_dict(board(1)), photo_sha256="killed")


def open_at_once(location: str, barrier: Any, out: Any) -> None:
    """Open the history at `location` at the same instant as the other workers; report how."""
    from boardsnap.errors import BoardSnapError
    from boardsnap.history.store import History

    barrier.wait(timeout=60)
    try:
        with History(location) as store:
            store.reviews()
        out.put("ok")
    except BoardSnapError as exc:
        out.put(str(exc))
