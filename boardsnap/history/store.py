"""The review history: every saved review of a service, its actions and what became of them.

An SLA review is one of a series. `History.save` records a judged board (service, date, the
source photo's hash, every metric row, root causes, actions) in one transaction: the whole review
or nothing. Saving the same photo, or the same document, again records nothing new. An action
that repeats an open action of an earlier review of the same service (same metric, similar
text) is the same action carried forward, not a new one.

Action status is tri-state (open, in progress, done); every change is an event in an
append-only audit trail. `History.report_context` gathers what the next report shows: the
previous review's actions and their status, each metric's trend, and for each done action
whether its metric improved after it.

The store runs on SQLite (one file, the default) or PostgreSQL; see `database.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from boardsnap.config import HistoryConfig
from boardsnap.document import ACTION_STATUSES, STATUSES, Board
from boardsnap.errors import InvalidDocument, NotFound
from boardsnap.history.database import Database, connect
from boardsnap.history.migrations import migrate, now
from boardsnap.history.records import (
    ActionEvent,
    ActionRecord,
    HistoryContext,
    MetricRecord,
    MetricTrend,
    Remediation,
    ReviewRecord,
    ReviewSummary,
    SaveResult,
    TrendPoint,
    document_sha256,
    file_sha256,
)
from boardsnap.history.textmatch import normalise_key, normalise_text, text_similarity
from boardsnap.history.trends import action_remediation, metric_trend

log = logging.getLogger(__name__)

# Fault injection for the tests: called with a stage name at points inside the save
# transaction ("review", "metrics", "actions"). Tests set it to pause or kill a saving process.
fault_hook: Callable[[str], None] | None = None

# ---- the store -------------------------------------------------------------------------------


class History:
    """The review history at `location`: a path (SQLite), a postgresql:// URL, or None for
    $BOARDSNAP_DB, else the XDG data folder. The schema is migrated on open."""

    def __init__(self, location: str | Path | None = None, cfg: HistoryConfig | None = None):
        self.cfg = cfg or HistoryConfig()
        self.db: Database = connect(location, self.cfg.busy_timeout, self.cfg.connect_timeout)
        try:
            migrate(self.db)
        except BaseException:
            self.db.close()
            raise

    @property
    def where(self) -> str:
        return self.db.where

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- saving ------------------------------------------------------------------------------

    def save(self, board: Board, photo_sha256: str | None = None) -> SaveResult:
        """Record `board` as a review. The same photo or document again: `created=False`."""
        service = (board.service or "").strip()
        if not service:
            raise InvalidDocument(
                "the board names no service, so it cannot join a service's history",
                path=board.source or None,
                fix='set "service" in the board document (or write it in the board\'s title)',
            )
        doc_hash = document_sha256(board)
        db = self.db
        with db.write():
            existing = self._find_review(doc_hash, photo_sha256)
            if existing is not None:
                return SaveResult(existing, False)
            same_day = db.one(
                "SELECT id FROM reviews WHERE service_key = ? AND review_date = ? AND source = ? "
                "ORDER BY id",
                (normalise_key(service), board.review_date or "-", board.source or ""),
            )
            if same_day is not None:
                # Most likely a corrected document of a photo already saved. Both are kept
                # (nothing saved is lost), but say so: the earlier one may need no longer count.
                log.warning(
                    "%s: review %d holds the same service, date and photo name; saving this as "
                    "another review (a corrected document?)",
                    board.source or "board",
                    same_day[0],
                )
            saved_at = now()
            review_id = db.insert(
                "INSERT INTO reviews (service, service_key, review_date, title, source, "
                "photo_sha256, document_sha256, document, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    service,
                    normalise_key(service),
                    board.review_date,
                    board.title,
                    board.source or "",
                    photo_sha256,
                    doc_hash,
                    board.to_json(indent=None),
                    saved_at,
                ),
            )
            _fault("review")
            for position, m in enumerate(board.metrics):
                db.execute(
                    "INSERT INTO metric_results (review_id, position, name, name_key, target_op, "
                    "target_value, target_unit, target_text, actual_value, actual_unit, "
                    "actual_text, status, budget_used, needs_review, override_reason, "
                    "judged_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        review_id,
                        position,
                        m.name,
                        normalise_key(m.name),
                        m.target.op,
                        m.target.value,
                        m.target.unit,
                        m.target.text,
                        m.actual.value,
                        m.actual.unit,
                        m.actual.text,
                        m.status,
                        m.budget_used,
                        int(m.needs_review),
                        m.status_override.reason if m.status_override else None,
                        m.status_override.judged if m.status_override else None,
                    ),
                )
            for position, cause in enumerate(board.root_causes):
                db.execute(
                    "INSERT INTO root_causes (review_id, position, metric, text) "
                    "VALUES (?, ?, ?, ?)",
                    (review_id, position, cause.metric, cause.text),
                )
            _fault("metrics")
            new, linked, done = self._save_actions(board, review_id, saved_at)
            _fault("actions")
        log.info(
            "%s: saved as review %d of %s in %s (%d new actions, %d carried forward)",
            board.source or "board",
            review_id,
            service,
            db.where,
            new,
            linked,
        )
        return SaveResult(review_id, True, new, linked, done)

    def _find_review(self, doc_hash: str, photo_sha256: str | None) -> int | None:
        row = self.db.one(
            "SELECT id FROM reviews WHERE document_sha256 = ? OR photo_sha256 = ? ORDER BY id",
            (doc_hash, photo_sha256 or "-"),
        )
        return int(row[0]) if row else None

    def _matches(self, board: Board, review_id: int | None) -> list[tuple[int, str] | None]:
        """For each of the board's actions, the (id, status) of the action of an earlier review
        of the service that it writes again (same metric, similar text), or None: a new one.

        Done actions are matched too: an action written again after it was done stays done
        (reopening is a person's act, `actions set N open`), and keeps its id."""
        day = board.review_date
        candidates = [
            (cid, c_metric, c_text, c_status)
            for cid, c_metric, c_text, c_status, c_day in self.db.query(
                "SELECT a.id, a.metric_key, a.text_key, a.status, r.review_date FROM actions a "
                "JOIN reviews r ON r.id = a.review_id "
                "WHERE a.service_key = ? AND r.id <> ? ORDER BY a.id",
                (normalise_key(board.service), review_id or -1),
            )
            if day is None or c_day is None or c_day <= day
        ]
        claimed: set[int] = set()
        matches: list[tuple[int, str] | None] = []
        for action in board.actions:
            metric_key = normalise_key(action.metric)
            text_key = normalise_text(action.text)
            best, best_score = None, self.cfg.action_match
            for cid, c_metric, c_text, c_status in candidates:
                if cid in claimed or c_metric != metric_key:
                    continue
                score = text_similarity(text_key, c_text)
                # the higher score wins; on a tie the later one, unless only the earlier is
                # still in work
                if score > best_score or (
                    score == best_score
                    and (best is None or c_status != "done" or best[1] == "done")
                ):
                    best, best_score = (cid, c_status), score
            if best is not None:
                claimed.add(best[0])
            matches.append(best)
        return matches

    def _save_actions(self, board: Board, review_id: int, at: str) -> tuple[int, int, int]:
        db = self.db
        service_key = normalise_key(board.service)
        new = linked = done = 0
        for position, (action, match) in enumerate(
            zip(board.actions, self._matches(board, review_id), strict=True)
        ):
            if match is None:
                action_id = db.insert(
                    "INSERT INTO actions (review_id, service_key, metric, metric_key, text, "
                    "text_key, owner, due, status, updated_at, note) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        review_id,
                        service_key,
                        action.metric,
                        normalise_key(action.metric),
                        action.text,
                        normalise_text(action.text),
                        action.owner,
                        action.due,
                        action.status,
                        at,
                        "",
                    ),
                )
                self._event(action_id, action.status, "recorded from the board", "board", review_id)
                new += 1
            else:
                action_id, status = match
                # The latest board's owner and date are the current ones; each review keeps its
                # own in review_actions.
                db.execute(
                    "UPDATE actions SET owner = COALESCE(?, owner), due = COALESCE(?, due) "
                    "WHERE id = ?",
                    (action.owner, action.due, action_id),
                )
                # A board that marks it further along (in progress, done) moves it; a board
                # never moves it back (a plain re-listing is "open"): reopening is a person's.
                if _PROGRESS[action.status] > _PROGRESS[status]:
                    self._set_status(action_id, action.status, "marked on the board", at)
                    self._event(action_id, action.status, "marked on the board", "board", review_id)
                    status = action.status
                linked += 1
                done += status == "done"
            db.execute(
                "INSERT INTO review_actions (review_id, action_id, position, text, owner, due) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (review_id, action_id, position, action.text, action.owner, action.due),
            )
        return new, linked, done

    def _event(
        self, action_id: int, status: str, note: str, origin: str, review_id: int | None
    ) -> None:
        self.db.execute(
            "INSERT INTO action_events (action_id, at, status, note, origin, review_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (action_id, now(), status, note, origin, review_id),
        )

    def _set_status(self, action_id: int, status: str, note: str, at: str) -> None:
        self.db.execute(
            "UPDATE actions SET status = ?, note = ?, updated_at = ? WHERE id = ?",
            (status, note, at, action_id),
        )

    # ---- actions -----------------------------------------------------------------------------

    def set_action_status(self, action_id: int, status: str, note: str = "") -> ActionRecord:
        """Move an action to `status`, appending the change to its audit trail."""
        if status not in ACTION_STATUSES:
            raise InvalidDocument(
                f"unknown action status {status!r}", fix="use open, in_progress or done"
            )
        with self.db.write():
            if self.db.one("SELECT 1 FROM actions WHERE id = ?", (action_id,)) is None:
                raise self._no_action(action_id)
            at = now()
            self._set_status(action_id, status, note, at)
            self._event(action_id, status, note, "cli", None)
        return self.action(action_id)

    def action(self, action_id: int, today: date | None = None) -> ActionRecord:
        records = self._actions("a.id = ?", (action_id,), today)
        if not records:
            raise self._no_action(action_id)
        return records[0]

    def actions(
        self,
        service: str | None = None,
        open_only: bool = False,
        overdue: bool = False,
        today: date | None = None,
    ) -> list[ActionRecord]:
        """Actions, oldest first; `open_only`: not done; `overdue`: past due and not done."""
        where, params = ["1 = 1"], []
        if service:
            where.append("a.service_key = ?")
            params.append(normalise_key(service))
        if open_only or overdue:
            where.append("a.status <> 'done'")
        records = self._actions(" AND ".join(where), tuple(params), today)
        return [r for r in records if r.overdue] if overdue else records

    def action_events(self, action_id: int) -> list[ActionEvent]:
        if self.db.one("SELECT 1 FROM actions WHERE id = ?", (action_id,)) is None:
            raise self._no_action(action_id)
        rows = self.db.query(
            "SELECT id, action_id, at, status, note, origin, review_id FROM action_events "
            "WHERE action_id = ? ORDER BY id",
            (action_id,),
        )
        return [ActionEvent(*row) for row in rows]

    def _actions(self, where: str, params: tuple, today: date | None) -> list[ActionRecord]:
        as_of = (today or date.today()).isoformat()
        rows = self.db.query(
            "SELECT a.id, r.service, a.review_id, r.review_date, a.metric, a.text, a.owner, "
            "a.due, a.status, a.updated_at, a.note FROM actions a "
            f"JOIN reviews r ON r.id = a.review_id WHERE {where} ORDER BY a.id",
            params,
        )
        listed: dict[int, list[int]] = {}
        if rows:
            ids = [r[0] for r in rows]
            marks = ", ".join("?" for _ in ids)
            for action_id, review_id in self.db.query(
                f"SELECT action_id, review_id FROM review_actions WHERE action_id IN ({marks}) "
                "ORDER BY review_id",
                ids,
            ):
                listed.setdefault(action_id, []).append(review_id)
        return [
            ActionRecord(
                id=row[0],
                service=row[1],
                review_id=row[2],
                review_date=row[3],
                metric=row[4],
                text=row[5],
                owner=row[6],
                due=row[7],
                status=row[8],
                overdue=bool(row[7]) and row[8] != "done" and row[7] < as_of,
                updated_at=row[9],
                note=row[10],
                reviews=tuple(listed.get(row[0], ())),
            )
            for row in rows
        ]

    def _no_action(self, action_id: int) -> NotFound:
        return NotFound(
            f"no action {action_id} in the history",
            path=self.where,
            fix="list them with: boardsnap actions",
        )

    # ---- reviews -----------------------------------------------------------------------------

    def services(self) -> list[str]:
        rows = self.db.query("SELECT service, service_key, id FROM reviews ORDER BY id")
        latest: dict[str, str] = {}
        for service, key, _ in rows:
            latest[key] = service  # the most recent spelling
        return sorted(latest.values(), key=str.casefold)

    def metric_names(self) -> list[str]:
        """Every metric name of a saved review's rows, as last written."""
        rows = self.db.query("SELECT name, name_key FROM metric_results ORDER BY id")
        latest: dict[str, str] = {}
        for name, key in rows:
            if name and name.strip():
                latest[key] = name.strip()
        return sorted(latest.values(), key=str.casefold)

    def owners(self) -> list[str]:
        """Everyone who has owned an action in the history, as last written."""
        rows = self.db.query("SELECT owner FROM actions WHERE owner IS NOT NULL ORDER BY id")
        latest: dict[str, str] = {}
        for (owner,) in rows:
            if owner and owner.strip():
                latest[owner.strip().lower()] = owner.strip()
        return sorted(latest.values(), key=str.casefold)

    def reviews(self, service: str | None = None) -> list[ReviewRecord]:
        """Saved reviews with their metric rows, oldest first (undated ones first)."""
        with self.db.read():
            if service:
                rows = self.db.query(
                    f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE service_key = ?",
                    (normalise_key(service),),
                )
            else:
                rows = self.db.query(f"SELECT {_REVIEW_COLUMNS} FROM reviews")
            metrics: dict[int, list[MetricRecord]] = {}
            if rows:
                ids = [r[0] for r in rows]
                marks = ", ".join("?" for _ in ids)
                for row in self.db.query(
                    "SELECT review_id, name, target_op, target_value, target_unit, target_text, "
                    "actual_value, actual_unit, actual_text, status, budget_used, "
                    "override_reason, judged_status "
                    f"FROM metric_results WHERE review_id IN ({marks}) "
                    "ORDER BY review_id, position",
                    ids,
                ):
                    metrics.setdefault(row[0], []).append(MetricRecord(*row[1:]))
        records = [ReviewRecord(*row, metrics=tuple(metrics.get(row[0], ()))) for row in rows]
        return sorted(records, key=_review_order)

    def review_summaries(
        self, query: str | None = None, service: str | None = None
    ) -> list[ReviewSummary]:
        """Saved reviews with their verdict counts: by service, newest first within each
        (undated ones last). `service` keeps one service's; `query` keeps the reviews in which
        every word of it occurs in the service, a metric's name, or an action's text or owner
        (as written on that review), ignoring case, accents and spacing, on any database."""
        terms = normalise_key(query).split()
        where, params = "", ()
        if service:
            where, params = " WHERE r.service_key = ?", (normalise_key(service),)
        with self.db.read():
            rows = self.db.query(
                "SELECT r.id, r.service, r.review_date, r.title, r.source, r.photo_sha256, "
                f"r.document_sha256, r.saved_at FROM reviews r{where}",
                params,
            )
            metric_rows = self.db.query(
                "SELECT m.review_id, m.name, m.status FROM metric_results m "
                f"JOIN reviews r ON r.id = m.review_id{where} ORDER BY m.review_id, m.position",
                params,
            )
            action_rows = self.db.query(
                "SELECT ra.review_id, ra.text, ra.owner FROM review_actions ra "
                f"JOIN reviews r ON r.id = ra.review_id{where} "
                "ORDER BY ra.review_id, ra.position",
                params,
            )
        counts: dict[int, dict[str, int]] = {}
        texts: dict[int, list[tuple[str, str]]] = {}
        for review_id, name, status in metric_rows:
            per = counts.setdefault(review_id, dict.fromkeys(STATUSES, 0))
            per[status if status in per else "unknown"] += 1
            texts.setdefault(review_id, []).append(("metric", name))
        listed: dict[int, int] = {}
        for review_id, text, owner in action_rows:
            listed[review_id] = listed.get(review_id, 0) + 1
            texts.setdefault(review_id, []).append(("action", text))
            if owner:
                texts.setdefault(review_id, []).append(("owner", owner))
        out = []
        for row in rows:
            fields = [("service", row[1]), *texts.get(row[0], [])]
            matches = _search_matches(fields, terms)
            if matches is None:
                continue
            out.append(
                ReviewSummary(
                    *row,
                    **counts.get(row[0], {}),
                    actions=listed.get(row[0], 0),
                    matches=matches,
                )
            )
        out.sort(key=lambda r: (r.review_date or "", r.id), reverse=True)
        out.sort(key=lambda r: normalise_key(r.service))  # stable: newest first per service
        return out

    # ---- what the report shows ---------------------------------------------------------------

    def report_context(
        self, board: Board, photo_sha256: str | None = None
    ) -> HistoryContext | None:
        """The history the report of `board` shows; None when the service has no earlier
        review. The board itself may be saved already (then its own review is not "earlier")."""
        if not (board.service or "").strip():
            return None
        own = self._find_review(document_sha256(board), photo_sha256)
        all_reviews = self.reviews(board.service)
        if own is not None and own not in {r.id for r in all_reviews}:
            own = None  # saved under another service's name: not part of this series
        if own is not None:
            index = next(i for i, r in enumerate(all_reviews) if r.id == own)
            earlier = all_reviews[:index]
        else:
            earlier = [
                r
                for r in all_reviews
                if board.review_date is None
                or r.review_date is None
                or r.review_date <= board.review_date
            ]
        if not earlier:
            return None
        previous = earlier[-1]
        as_of = date.fromisoformat(board.review_date) if board.review_date else None
        service_actions = self.actions(board.service, today=as_of)
        # The previous review's actions, and any older one still not done.
        earlier_ids = {r.id for r in earlier}
        previous_actions = tuple(
            a
            for a in service_actions
            if previous.id in a.reviews or (a.status != "done" and earlier_ids & set(a.reviews))
        )

        current = ReviewRecord(
            id=own or 0,
            service=board.service or "",
            review_date=board.review_date,
            title=board.title,
            source=board.source,
            photo_sha256=photo_sha256,
            saved_at="",
            metrics=tuple(_metric_record(m) for m in board.metrics),
        )
        series = [*earlier, current]
        shown = series[-self.cfg.trend_reviews :]
        trends = tuple(metric_trend(m.name, shown) for m in board.metrics)
        remediation = tuple(
            item
            for a in service_actions
            if a.status == "done" and a.metric
            for item in [action_remediation(a, series)]
            if item is not None
        )
        known = {a.id: a for a in service_actions}
        if own is not None:
            listed = dict(
                self.db.query(
                    "SELECT position, action_id FROM review_actions WHERE review_id = ?", (own,)
                )
            )
            ids = [listed.get(i) for i in range(len(board.actions))]
        else:
            ids = [m[0] if m else None for m in self._matches(board, None)]
        return HistoryContext(
            board_actions=tuple(known.get(i) if i is not None else None for i in ids),
            service=board.service or "",
            as_of=board.review_date,
            previous=previous,
            reviews_shown=len(shown),
            previous_actions=previous_actions,
            trends=trends,
            remediation=remediation,
        )


_PROGRESS = {"open": 0, "in_progress": 1, "done": 2}

_REVIEW_COLUMNS = "id, service, review_date, title, source, photo_sha256, saved_at"


def _review_order(r: ReviewRecord) -> tuple[str, int]:
    return (r.review_date or "", r.id)


def _search_matches(
    fields: list[tuple[str, str]], terms: list[str]
) -> tuple[tuple[str, str], ...] | None:
    """The (kind, text) fields holding a search word; None when a word is in none of them.
    No words: everything matches, nothing is named."""
    if not terms:
        return ()
    folded = [(kind, text, normalise_key(text)) for kind, text in fields]
    if not all(any(t in key for _, _, key in folded) for t in terms):
        return None
    seen: set[tuple[str, str]] = set()
    out = []
    for kind, text, key in folded:
        if any(t in key for t in terms) and (kind, text) not in seen:
            seen.add((kind, text))
            out.append((kind, text))
    return tuple(out)


def _fault(stage: str) -> None:
    if fault_hook is not None:
        fault_hook(stage)


def _metric_record(m: Any) -> MetricRecord:
    return MetricRecord(
        name=m.name,
        target_op=m.target.op,
        target_value=m.target.value,
        target_unit=m.target.unit,
        target_text=m.target.text,
        actual_value=m.actual.value,
        actual_unit=m.actual.unit,
        actual_text=m.actual.text,
        status=m.status,
        budget_used=m.budget_used,
        override_reason=m.status_override.reason if m.status_override else None,
        judged_status=m.status_override.judged if m.status_override else None,
    )


__all__ = [
    "History",
    "SaveResult",
    "ReviewRecord",
    "MetricRecord",
    "ActionRecord",
    "ActionEvent",
    "TrendPoint",
    "MetricTrend",
    "Remediation",
    "HistoryContext",
    "normalise_key",
    "normalise_text",
    "text_similarity",
    "document_sha256",
    "file_sha256",
]
