"""The breakdown by hardship: the same scores, photo group by photo group.

Every generated photo records in its truth (`corpus.effects`) the effects that make it harder to
read: a shadow across the board, action lines written touching, a 5 MP or shaken photo, a drying
marker (samples/generate.py, HARDSHIP). A photo belongs to every group whose effect it got, and to
"none" when it got none of them, so the groups overlap and their sizes need not add up to the
corpus. The table shows, per group, the photos with a table in it and the fields the effects are
meant to test: actions found, owners, due dates, metric rows found, title and review date.
"""

from __future__ import annotations

from bench.score import Tally

# (key, label); the order the columns are shown in.
GROUPS = (
    ("shadow", "shadow"),
    ("touching", "touching actions"),
    ("5mp_shaken", "5 MP / shaken"),
    ("drying", "drying marker"),
    ("none", "none of these"),
)
ALL = "all"

# (label, ratio key in Tally.counts or None for a count, count key in Tally.numbers)
ROWS = (
    ("metric rows found", "rows_recall", None),
    ("rows right in every field", "rows_all_right", None),
    ("actions found", "actions_found", None),
    ("action owner", "action_owner", None),
    ("action due date", "action_due", None),
    ("title", "title", None),
    ("review date right or flagged", "review_date_ok", None),
    ("wrong actions not flagged", None, "wrong_actions_unflagged"),
    ("actions lost without a warning", None, "actions_lost_unwarned"),
    ("metric rows lost without a warning", None, "rows_lost_unwarned"),
)


def groups_of(effects: dict | None) -> list[str]:
    """The hardship groups of one photo: those its truth's `corpus.effects` lists (the generator
    decides them, samples/generate.py hardship_groups). A plain corpus, made without the
    hardship effects, lists none: its groups come from the two effects it has, a hard light
    shadow and motion blur."""
    effects = effects or {}
    if "groups" in effects:
        return [g for g in effects["groups"] if g in dict(GROUPS)] or ["none"]
    out = ["shadow"] if effects.get("hard_shadow") else []
    if (effects.get("motion_blur_px") or 0) > 0:
        out.append("5mp_shaken")
    return out or ["none"]


class GroupTallies:
    """One Tally per group (and one for all photos with a table), fed photo by photo."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {key: Tally() for key, _ in GROUPS}
        self.tallies[ALL] = Tally()
        self.photos: dict[str, int] = {key: 0 for key in self.tallies}

    def add(self, effects: dict | None, tally: Tally) -> None:
        for key in [*groups_of(effects), ALL]:
            self.tallies[key] += tally
            self.photos[key] += 1


def _cell(t: Tally, ratio: str | None, number: str | None) -> str:
    if ratio is not None:
        c = t.counts[ratio]
        return "—" if not c.total else f"{c.pct:.1f} % ({c.right}/{c.total})"
    return str(t.number(number or ""))


def render(groups: GroupTallies, label: str) -> str:
    """Markdown: measures as rows, groups as columns (with their photo counts)."""
    cols = [*GROUPS, (ALL, "all")]
    head = [f"{label} by hardship"] + [f"{name} ({groups.photos[key]})" for key, name in cols]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for name, ratio, number in ROWS:
        cells = [_cell(groups.tallies[key], ratio, number) for key, _ in cols]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines) + "\n"
