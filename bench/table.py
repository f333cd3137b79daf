"""The one results table: measures as rows, BoardSnap and each peer as columns, with the ratio
BoardSnap / peer beside each peer. Markdown, so the same text goes to stdout and RESULTS.md."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.score import COUNT_MEASURES, RATIO_MEASURES, Tally


@dataclass
class Speed:
    extract: list[float] = field(default_factory=list)  # seconds per photo, reading + parse/judge
    pdf: list[float] = field(default_factory=list)  # seconds per PDF report (BoardSnap only)
    peak_mb: float | None = None  # peak resident memory of the process that read the photos
    init_seconds: float | None = None  # loading the engine or models, once per worker
    # per photo read both ways: BoardSnap's extract CPU time / whole-page tesseract's
    vs_tesseract: list[float] = field(default_factory=list)


@dataclass
class Column:
    label: str
    tally: Tally
    speed: Speed


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "—"
    if b == 0:
        return "=" if a == 0 else "∞"
    return f"{a / b:.2f}×"


def _fmt_count(right: int, total: int) -> str:
    if not total:
        return "—"
    return f"{right}/{total} ({100.0 * right / total:.1f}%)"


def _fmt_s(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def render(columns: list[Column]) -> str:
    """Markdown table; the first column is BoardSnap, the others its peers."""
    base, peers = columns[0], columns[1:]
    head = ["measure", base.label]
    for p in peers:
        head += [p.label, f"BoardSnap / {p.label}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(label: str, cell, value) -> None:
        cells = [label, cell(base)]
        for p in peers:
            cells += [cell(p), _ratio(value(base), value(p))]
        lines.append("| " + " | ".join(cells) + " |")

    for key, label in COUNT_MEASURES[:1]:
        row(
            f"**{label}** (lower is better)",
            lambda c, k=key: f"**{c.tally.number(k)}**",
            lambda c, k=key: c.tally.number(k),
        )
    for key, label in COUNT_MEASURES[1:]:
        row(
            label + " (lower is better)",
            lambda c, k=key: str(c.tally.number(k)),
            lambda c, k=key: c.tally.number(k),
        )
    for key, label in RATIO_MEASURES:
        row(
            label,
            lambda c, k=key: _fmt_count(c.tally.counts[k].right, c.tally.counts[k].total),
            lambda c, k=key: c.tally.counts[k].pct,
        )

    def speed_row(label: str, get) -> None:
        row(label, lambda c: _fmt_s(get(c.speed)), lambda c: get(c.speed))

    speed_row(
        "extract s/photo, median", lambda s: statistics.median(s.extract) if s.extract else None
    )
    speed_row("extract s/photo, p95", lambda s: percentile(s.extract, 95))
    speed_row("PDF report s/photo, median", lambda s: statistics.median(s.pdf) if s.pdf else None)
    speed_row("PDF report s/photo, p95", lambda s: percentile(s.pdf, 95))
    row(
        "extract CPU / whole-page tesseract CPU, same photo (median)",
        lambda c: (
            f"{statistics.median(c.speed.vs_tesseract):.2f}x of {len(c.speed.vs_tesseract)}"
            if c.speed.vs_tesseract
            else "—"
        ),
        lambda c: statistics.median(c.speed.vs_tesseract) if c.speed.vs_tesseract else None,
    )
    speed_row("engine start-up s (once)", lambda s: s.init_seconds)
    row(
        "peak memory MB",
        lambda c: "—" if c.speed.peak_mb is None else f"{c.speed.peak_mb:.0f}",
        lambda c: c.speed.peak_mb,
    )
    return "\n".join(lines) + "\n"


def failure_notes(columns: list[Column]) -> str:
    """One line per tool that failed on some photos: why, how often."""
    out = []
    for c in columns:
        if c.tally.reasons:
            why = ", ".join(f"{r} ×{n}" for r, n in c.tally.reasons.most_common())
            out.append(f"- {c.label} failed on: {why}")
    return "\n".join(out) + ("\n" if out else "")
