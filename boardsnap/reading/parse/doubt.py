"""How sure a reading is, and why a person should look at it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doubt:
    """How sure a reading is (0..1) and why a person should look at it (empty: no need)."""

    certainty: float = 1.0
    reasons: tuple[str, ...] = ()

    def lower(self, factor: float, reason: str | None = None) -> Doubt:
        reasons = self.reasons
        if reason and reason not in reasons:
            reasons = reasons + (reason,)
        return Doubt(self.certainty * factor, reasons)

    def __add__(self, other: Doubt) -> Doubt:
        reasons = self.reasons + tuple(r for r in other.reasons if r not in self.reasons)
        return Doubt(self.certainty * other.certainty, reasons)
