"""What is written on a board, and its truth (the board document of docs/board.md).

Every row's status is chosen first (met / near miss / breach / tie), then an actual value is
picked to produce it, and finally status and budget_used are *computed* from the values as
written, with a small implementation of board.md's judging (`judge_row`). Truth strings are the
strings drawn on the board (upper-cased as a whole when the board's font only has capitals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

NEAR_MISS_AT = 0.9

SERVICES = [
    "Payments API",
    "Checkout",
    "Search",
    "Auth service",
    "Orders API",
    "Notifications",
    "Billing",
    "Identity",
    "Mobile backend",
    "Inventory API",
    "Shipping",
    "Ledger",
]
OWNERS = [
    "maria",
    "dev",
    "li",
    "sam",
    "priya",
    "jonas",
    "ana",
    "tom",
    "kenji",
    "fatima",
    "omar",
    "eva",
    "raj",
    "lena",
    "marc",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

TO_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
# how a canonical unit may be written on a board
UNIT_FORMS = {
    "ms": ["ms", "ms", "ms", "msec"],
    "s": ["s", "s", "sec", "secs"],
    "min": ["min", "min", "mins", "m"],
    "h": ["h", "h", "hr", "hrs", "hours"],
    "d": ["d", "days", "days"],
    "rps": ["rps", "rps", "req/s", "qps"],
    "%": ["%"],
    None: [""],
}
# written comparator -> op
COMPARATORS = {
    "<": "<",
    "<=": "<=",
    "≤": "<=",
    "=<": "<=",
    "under": "<",
    "max": "<=",
    ">": ">",
    ">=": ">=",
    "≥": ">=",
    "at least": ">=",
    "min": ">=",
}
LOWER_FORMS = (
    ["<", "<=", "≤", "=<", "under", "max", ""],
    [0.28, 0.12, 0.1, 0.06, 0.08, 0.08, 0.28],
)
HIGHER_FORMS = ([">", ">=", "≥", "at least", "min", ""], [0.15, 0.2, 0.12, 0.1, 0.08, 0.35])


@dataclass
class Family:
    key: str
    names: list[str]
    direction: str  # "lower" | "higher" | "unknown"
    targets: list[tuple[float, str | None]]  # (value, canonical unit)
    causes: list[str]
    actions: list[str]


FAMILIES = [
    Family(
        "latency",
        [
            "P95 latency",
            "p95 latency",
            "P99 latency",
            "p99 latency",
            "P50 latency",
            "P90 latency",
            "API latency",
            "Response time",
            "Avg response time",
        ],
        "lower",
        [
            (100, "ms"),
            (150, "ms"),
            (200, "ms"),
            (250, "ms"),
            (300, "ms"),
            (400, "ms"),
            (500, "ms"),
            (800, "ms"),
            (1, "s"),
            (1.5, "s"),
            (2, "s"),
        ],
        [
            "slow third-party card API",
            "GC pauses after deploy",
            "cold cache after failover",
            "N+1 queries in cart service",
            "noisy neighbour on db host",
        ],
        [
            "add circuit breaker",
            "warm cache on deploy",
            "fix N+1 queries",
            "tune GC settings",
            "move db to own host",
        ],
    ),
    Family(
        "errors",
        ["Error rate", "5xx rate", "5xx errors", "Errors", "API error rate"],
        "lower",
        [(0.1, "%"), (0.2, "%"), (0.5, "%"), (1, "%"), (2, "%")],
        [
            "bad config push",
            "expired TLS cert on edge",
            "retry storm from mobile app",
            "schema migration locked table",
        ],
        [
            "add canary deploys",
            "alert on cert expiry",
            "validate config in CI",
            "add retry backoff",
        ],
    ),
    Family(
        "mttr",
        ["MTTR"],
        "lower",
        [(30, "min"), (45, "min"), (60, "min"), (1, "h"), (2, "h"), (4, "h")],
        ["pager routing broken", "runbook out of date", "no weekend on-call overlap"],
        ["fix pager routing", "update runbook", "add weekend on-call"],
    ),
    Family(
        "mtta",
        ["MTTA"],
        "lower",
        [(5, "min"), (10, "min"), (15, "min")],
        ["alerts went to old channel", "pager app muted at night"],
        ["route alerts to new channel", "test paging weekly"],
    ),
    Family(
        "ttfr",
        ["TTFR", "TTR", "Resolution time"],
        "lower",
        [(15, "min"), (1, "h"), (4, "h"), (8, "h"), (24, "h"), (1, "d"), (3, "d"), (5, "d")],
        ["support queue understaffed", "tickets misrouted", "holiday backlog"],
        ["hire 2nd support shift", "auto-triage tickets", "clear backlog"],
    ),
    Family(
        "downtime",
        ["Downtime"],
        "lower",
        [(20, "min"), (45, "min"), (60, "min"), (4, "h")],
        ["maintenance overran", "db failover took too long"],
        ["rehearse maintenance", "test failover monthly"],
    ),
    Family(
        "queue",
        ["Queue time"],
        "lower",
        [(2, "s"), (5, "s"), (10, "s"), (1, "min"), (2, "min")],
        ["worker pool too small", "stuck consumer"],
        ["scale worker pool", "alert on lag"],
    ),
    Family(
        "uptime",
        ["Uptime", "Availability", "API availability", "Site uptime"],
        "higher",
        [(99.0, "%"), (99.5, "%"), (99.9, "%"), (99.95, "%"), (99.99, "%")],
        ["DNS outage at provider", "region outage", "bad deploy rolled back late"],
        ["multi-region DNS", "faster rollback", "test failover monthly"],
    ),
    Family(
        "success",
        ["Success rate", "Login success rate", "Job success rate"],
        "higher",
        [(98.0, "%"), (99.0, "%"), (99.5, "%"), (99.9, "%")],
        ["token refresh bug", "flaky payment provider"],
        ["fix token refresh", "add second provider"],
    ),
    Family(
        "throughput",
        ["Throughput", "Peak throughput"],
        "higher",
        [(200, "rps"), (500, "rps"), (1000, "rps"), (1500, "rps"), (2000, "rps")],
        ["autoscaling limit hit", "rate limiter misconfigured"],
        ["raise ASG max", "load test before peak"],
    ),
    Family(
        "apdex",
        ["Apdex"],
        "higher",
        [(0.7, None), (0.75, None), (0.8, None), (0.85, None)],
        ["slow search page", "big images on home page"],
        ["lazy-load images", "profile page"],
    ),
    Family(
        "other",
        ["Backlog", "Open tickets", "Deploys", "On-call pages", "Cost per req"],
        "unknown",
        [(40, None), (25, None), (12, None), (60, None)],
        ["unclear ownership"],
        ["agree on owner"],
    ),
]
FAMILY = {f.key: f for f in FAMILIES}


# ---- judging (board.md) ------------------------------------------------------------------------


def _conv(value: float, unit: str | None) -> float:
    return value * TO_SECONDS.get(unit, 1.0) if unit in TO_SECONDS else value


def _g12(x: float) -> float:
    """12 significant digits: float noise off (0.07 s is 70 ms, not 70.00000000000001)."""
    return float(f"{x:.12g}")


def _in_target_unit(aval: float, aunit: str | None, tunit: str | None) -> float:
    if aunit in TO_SECONDS and tunit in TO_SECONDS and aunit != tunit:
        return _g12(aval * TO_SECONDS[aunit] / TO_SECONDS[tunit])
    return aval


def budget_used(op: str, tval: float, tunit: str | None, aval: float, aunit: str | None) -> float:
    t, a = tval, _in_target_unit(aval, aunit, tunit)
    if op in ("<", "<="):
        used = a / t
    elif tunit == "%" and t < 100:
        used = (100 - a) / (100 - t)
    else:
        used = t / a
    return _g12(used)


def round3(x: float) -> float:
    """Half up on the decimal value, as board documents round budget_used."""
    return float(Decimal(repr(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def judge_row(op: str | None, tval, tunit, aval, aunit) -> tuple[str, float | None]:
    """(status, budget_used rounded to 3 places) for one row, per board.md."""
    if op is None or tval is None or aval is None:
        return "unknown", None
    t, a = tval, _in_target_unit(aval, aunit, tunit)
    holds = {"<": a < t, "<=": a <= t, ">": a > t, ">=": a >= t}[op]
    used = budget_used(op, tval, tunit, aval, aunit)
    if not holds:
        status = "breach"
    elif used >= NEAR_MISS_AT:
        status = "near_miss"
    else:
        status = "met"
    return status, round3(used)


# ---- formatting --------------------------------------------------------------------------------


def fmt_num(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def decimals_for(value: float, unit: str | None, direction: str, target: float) -> int:
    if unit == "%":
        if direction == "higher":
            room = max(100 - target, 1e-4)
            return max(1, math.ceil(-math.log10(room)) + (2 if room < 0.05 else 1))
        return 2
    if unit is None:
        return 2 if value < 5 else 0
    if unit in ("ms", "rps"):
        return 0
    return 1 if value >= 10 else 2


def fmt_date(d: date, form: str) -> str:
    mon = MONTHS[d.month - 1]
    return {
        "iso": d.isoformat(),
        "dmy": f"{d.day} {mon} {d.year}",
        "mdy": f"{mon} {d.day} {d.year}",
        "us": f"{d.month}/{d.day}/{d.year}",
        "md": f"{d.month}/{d.day}",
        "mon_d": f"{mon} {d.day}",
        "d_mon": f"{d.day} {mon}",
    }[form]


# ---- the board's content -----------------------------------------------------------------------


@dataclass
class Row:
    name: str
    target_text: str
    actual_text: str
    op: str | None
    tval: float | None
    tunit: str | None
    aval: float | None
    aunit: str | None
    status: str
    used: float | None
    mark_text: str = ""  # what is written in the Status column ("" = nothing)
    mark_kind: str = ""  # "tick" | "cross" | "word" | ""
    board_mark: str | None = None
    family: str = ""


@dataclass
class Content:
    kind: str
    caps: bool
    title: str | None = None
    service: str | None = None
    review_date: date | None = None
    rows: list[Row] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    status_col: bool = False
    causes_heading: str = ""
    causes: list[tuple[str, str, str]] = field(default_factory=list)  # (line, metric, text)
    actions_heading: str = ""
    actions: list[dict] = field(default_factory=list)  # line, text, owner, due, metric
    warnings: list[str] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)  # for no_table boards

    def up(self, s: str) -> str:
        return s.upper() if self.caps else s


def _pick(rng, seq, p=None):
    if p is not None:
        p = [x / sum(p) for x in p]
        return seq[int(rng.choice(len(seq), p=p))]
    return seq[int(rng.integers(len(seq)))]


def _make_row(rng, fam: Family, name: str, opts: dict) -> Row:
    tval, tunit = fam.targets[int(rng.integers(len(fam.targets)))]
    upper_cell = rng.random() < 0.12
    # comparator as written
    nines = None
    if fam.direction == "lower":
        comp = _pick(rng, *LOWER_FORMS)
    elif fam.direction == "higher":
        comp = _pick(rng, *HIGHER_FORMS)
    else:
        comp = ""
    if opts.get("absent_comparators") and rng.random() < 0.8 and fam.direction != "unknown":
        comp = ""
    if fam.key == "uptime" and (rng.random() < 0.22 or opts.get("nines")):
        nines = _pick(rng, ["three nines", "3 nines", "3x9", "four nines", "three nines"])
        tval, tunit = (99.99, "%") if nines == "four nines" else (99.9, "%")
        if rng.random() < 0.7 or opts.get("absent_comparators"):
            comp = ""
    op = COMPARATORS.get(comp) if comp else {"lower": "<=", "higher": ">="}.get(fam.direction)
    # target text
    if nines:
        body = nines
    else:
        uform = _pick(rng, UNIT_FORMS[tunit])
        if uform == "hours" and tval == 1:
            uform = "h"
        if uform == "days" and tval == 1:
            uform = "d"
        space = (
            " "
            if (uform.isalpha() and len(uform) > 2 and rng.random() < 0.6) or rng.random() < 0.3
            else ""
        )
        if uform == "%":
            space = " " if rng.random() < 0.15 else ""
        if not uform:
            space = ""
        body = f"{fmt_num(tval, 3)}{space}{uform}"
    if comp:
        sep = " " if comp[0].isalpha() or rng.random() < 0.6 else ""
        ttext = f"{comp}{sep}{body}"
    else:
        ttext = body
    if upper_cell and not body.endswith("m"):
        ttext = ttext.upper()

    # actual: intended outcome first, then a value producing it
    direction = fam.direction
    intent = _pick(rng, ["met", "near", "breach", "tie"], [0.52, 0.2, 0.23, 0.05])
    if opts.get("intent"):
        intent = opts["intent"]
    aunit = tunit
    if (
        tunit in TO_SECONDS
        and rng.random() < (0.5 if opts.get("unit_mix") else 0.18)
        and intent != "tie"
    ):
        alts = {"ms": ["s"], "s": ["ms"], "min": ["h", "s"], "h": ["min", "d"], "d": ["h"]}[tunit]
        aunit = _pick(rng, alts)
    aval = None
    for _attempt in range(30):
        if intent == "tie":
            u = 1.0
        elif intent == "met":
            u = (
                rng.uniform(0.2, 0.84)
                if direction != "higher" or tunit == "%"
                else rng.uniform(0.55, 0.86)
            )
        elif intent == "near":
            u = rng.uniform(0.91, 0.99)
        else:
            u = rng.uniform(1.04, 2.2)
        if fam.key == "apdex":
            u = max(u, tval / 0.98)  # an Apdex score is at most 1
        if direction == "unknown":
            a_t = tval * rng.uniform(0.6, 1.5)
        elif direction == "lower":
            a_t = u * tval
        elif tunit == "%":
            a_t = 100 - u * (100 - tval)
        else:
            a_t = tval / u
        a = _conv(a_t, tunit) / _conv(1.0, aunit) if aunit in TO_SECONDS else a_t
        dec = decimals_for(a, aunit, direction, tval)
        if intent == "tie":
            a = tval
            dec = 3
        txt_val = fmt_num(a, dec)
        aval = float(txt_val)
        if aval <= 0 and direction != "lower":
            continue
        if direction == "unknown" or intent == "tie":
            break
        used = budget_used(op, tval, tunit, aval, aunit)
        if abs(used - NEAR_MISS_AT) > 0.006 and abs(used - 1.0) > 0.006:
            break
    # actual text
    if aunit is None:
        atext = txt_val
    elif aunit == "%":
        if rng.random() < 0.08:
            atext = txt_val  # unit left off; truth unit is the target's (%)
        else:
            atext = txt_val + (" %" if rng.random() < 0.15 else "%")
    else:
        uform = _pick(rng, UNIT_FORMS[aunit])
        if uform in ("hours", "days") and aval == 1:
            uform = uform[0]
        space = " " if rng.random() < 0.35 else ""
        atext = f"{txt_val}{space}{uform}"
    if upper_cell and not atext.endswith("m"):
        atext = atext.upper()
    if intent == "tie" and not nines:
        # a tie is written exactly like the target's number and unit
        atext = body.upper() if upper_cell and not body.endswith("m") else body
    status, used = judge_row(op, tval, tunit, aval, aunit)
    return Row(
        name=name,
        target_text=ttext,
        actual_text=atext,
        op=op,
        tval=float(tval),
        tunit=tunit,
        aval=aval,
        aunit=aunit,
        status=status,
        used=used,
        family=fam.key,
    )


def _due_form(rng, review: date, due: date) -> str:
    form = _pick(rng, ["md", "mon_d", "d_mon", "iso"], [0.4, 0.25, 0.2, 0.15])
    s = fmt_date(due, form)
    r = rng.random()
    if r < 0.18:
        s = "due " + s
    elif r < 0.3:
        s = "by " + s
    return s


def make_table_content(rng, opts: dict, caps: bool) -> Content:
    c = Content(kind="table", caps=caps)
    c.service = opts.get("service") or _pick(rng, SERVICES)
    c.review_date = date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
    dform = _pick(rng, ["iso", "dmy", "mdy", "us"])
    sla = _pick(rng, ["SLA review", "SLA review", "SLA Review"])
    c.title = c.up(f"{c.service} {sla} {fmt_date(c.review_date, dform)}")
    c.service = c.up(c.service)

    nrows = opts.get("rows") or int(rng.choice([3, 4, 4, 5, 5, 6, 7]))
    keys = [f.key for f in FAMILIES if f.key != "other"]
    weights = {
        "latency": 3,
        "errors": 2.5,
        "uptime": 2.5,
        "mttr": 1.2,
        "mtta": 0.6,
        "ttfr": 1,
        "downtime": 0.6,
        "queue": 0.6,
        "success": 1,
        "throughput": 1,
        "apdex": 0.6,
    }
    rows: list[Row] = []
    used_names: set[str] = set()
    forced = list(opts.get("families", []))
    for r in range(nrows):
        if forced:
            fam = FAMILY[forced.pop(0)]
        elif rng.random() < 0.03:
            fam = FAMILY["other"]
        else:
            fam = FAMILY[_pick(rng, keys, [weights[k] for k in keys])]
        for _ in range(20):
            name = _pick(rng, fam.names)
            if name.lower() not in used_names:
                break
            fam = FAMILY[_pick(rng, keys, [weights[k] for k in keys])]
        name = name if fam.key != "latency" or rng.random() < 0.85 else name.lower()
        used_names.add(name.lower())
        row_opts = dict(opts)
        intents = opts.get("intents")
        if intents and r < len(intents):
            row_opts["intent"] = intents[r]
        row = _make_row(rng, fam, c.up(name), row_opts)
        row.target_text = c.up(row.target_text)
        row.actual_text = c.up(row.actual_text)
        rows.append(row)
    c.rows = rows

    # header and optional status column
    c.status_col = bool(opts.get("status_col", rng.random() < 0.25))
    header = ["Metric", "Target", "Actual"]
    if rng.random() < 0.2:
        header = [h.upper() for h in header]
    if c.status_col:
        header.append(_pick(rng, ["Status", "Status", "Notes", "status"]))
        style = _pick(rng, ["marks", "words", "mixed"])
        for i, row in enumerate(rows):
            if row.status == "unknown" or rng.random() < 0.12:
                continue
            shown = {"met": "met", "near_miss": "near_miss", "breach": "breach"}[row.status]
            if rng.random() < 0.08 or (opts.get("mark_disagree") and i == 1):
                shown = _pick(rng, [s for s in ("met", "near_miss", "breach") if s != shown])
            use_marks = style == "marks" or (style == "mixed" and rng.random() < 0.5)
            if shown == "near_miss":
                row.mark_kind, row.mark_text = (
                    "word",
                    _pick(rng, ["near miss", "near miss", "Near miss"]),
                )
            elif use_marks:
                row.mark_kind = "tick" if shown == "met" else "cross"
            else:
                row.mark_kind = "word"
                row.mark_text = (
                    _pick(rng, ["OK", "met", "Met"])
                    if shown == "met"
                    else _pick(rng, ["BREACH", "BREACH", "breach"])
                )
            row.mark_text = c.up(row.mark_text)
            row.board_mark = shown
            if shown != row.status:
                # worded as boardsnap.reading.judge words it
                c.warnings.append(
                    f"row {i + 1} ({row.name}): the board says "
                    f"{shown.replace('_', ' ')}, the numbers say "
                    f"{row.status.replace('_', ' ')}"
                )
    c.header = [c.up(h) for h in header]

    # root causes and actions
    bad = [r for r in rows if r.status in ("breach", "near_miss")]
    bullet = _pick(rng, ["- ", "- ", "* ", "• "])
    if bad or rng.random() < 0.3:
        c.causes_heading = c.up(
            _pick(rng, ["Root causes", "Root causes:", "Root cause", "Why?", "Root causes"])
        )
        for r in bad:
            if rng.random() < 0.85 or r is bad[0]:
                text = _pick(rng, FAMILY[r.family].causes)
                c.causes.append((c.up(f"{bullet}{r.name}: ") + c.up(text), r.name, c.up(text)))
    c.actions_heading = c.up(_pick(rng, ["Actions", "Actions:", "Action items", "Remediation"]))
    targets = [r for r in bad if rng.random() < 0.9] or rows[:1]
    if rng.random() < 0.3:
        targets = targets + [None]
    for r in targets[:5]:
        words = (
            _pick(rng, FAMILY[r.family].actions)
            if r
            else _pick(rng, ["review dashboards", "write postmortem", "share report"])
        )
        metric = r.name if r and rng.random() < 0.9 else None
        owner = _pick(rng, OWNERS) if rng.random() < 0.85 else None
        due = (
            c.review_date + timedelta(days=int(rng.integers(3, 60))) if rng.random() < 0.8 else None
        )
        parts = [words]
        sep = _pick(rng, [" ", " ", " - ", ", "])
        owner_txt = due_txt = None
        if owner:
            shown_owner = owner.capitalize() if rng.random() < 0.15 else owner
            owner_txt = _pick(
                rng,
                [f"@{shown_owner}", f"@{shown_owner}", f"({shown_owner})", f"owner: {shown_owner}"],
            )
        if due:
            due_txt = _due_form(rng, c.review_date, due)
        tail = [t for t in (owner_txt, due_txt) if t]
        if len(tail) == 2 and rng.random() < 0.25:
            tail.reverse()
        line = sep.join(parts + tail)
        if metric:
            line = f"{metric}: {line}"
        line = c.up(bullet + line)
        c.actions.append(
            {
                "line": line,
                "text": c.up(words),
                "owner": owner,
                "due": due.isoformat() if due else None,
                "metric": metric,
            }
        )
    return c


NO_TABLE_TITLES = [
    "Q4 planning",
    "Retro",
    "Architecture sketch",
    "Incident timeline",
    "Team offsite ideas",
    "Migration plan",
    "On-call handover",
]
NO_TABLE_WORDS = [
    "API gw",
    "Auth",
    "Cache",
    "DB",
    "Queue",
    "Workers",
    "CDN",
    "Search",
    "Mobile",
    "Kafka",
    "Billing",
    "Ledger",
    "Ops",
    "S3",
    "LB",
]
NO_TABLE_BULLETS = [
    "more pairing",
    "fewer meetings",
    "fix flaky tests",
    "docs for onboarding",
    "cut release every week",
    "celebrate wins",
    "better alerts",
    "move to k8s",
    "shadow on-call first",
    "draft RFC by Friday",
    "clean up feature flags",
]


def make_negative_content(rng, kind: str, caps: bool) -> Content:
    c = Content(kind=kind, caps=caps)
    if kind == "no_table":
        c.title = c.up(_pick(rng, NO_TABLE_TITLES))
        words = list(rng.permutation(NO_TABLE_WORDS))[: int(rng.integers(4, 7))]
        bullets = list(rng.permutation(NO_TABLE_BULLETS))[: int(rng.integers(3, 6))]
        c.free_text = [c.up(str(w)) for w in words] + ["|"] + [c.up("- " + str(b)) for b in bullets]
    return c


def truth_document(c: Content, source: str) -> dict:
    metrics = []
    for r in c.rows:
        metrics.append(
            {
                "name": r.name,
                "target": {"op": r.op, "value": r.tval, "unit": r.tunit, "text": r.target_text},
                "actual": {"value": r.aval, "unit": r.aunit, "text": r.actual_text},
                "status": r.status,
                "budget_used": r.used,
                "confidence": 1.0,
                "needs_review": r.status == "unknown",
                "board_mark": r.board_mark,
            }
        )
    return {
        "schema": "boardsnap.board/1",
        "source": source,
        "title": c.title,
        "service": c.service,
        "review_date": c.review_date.isoformat() if c.review_date else None,
        "metrics": metrics,
        "root_causes": [{"metric": m, "text": t} for _line, m, t in c.causes],
        "actions": [
            {
                "text": a["text"],
                "owner": a["owner"],
                "due": a["due"],
                "metric": a["metric"],
                "status": "open",
                "needs_review": False,
            }
            for a in c.actions
        ],
        "warnings": list(c.warnings),
    }
