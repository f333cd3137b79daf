"""How sure a reading is, and why a person should look at it.

Every reason to review carries a code and the field it is about (`ReviewCode`): the sentence is
for people, the code for programs (the second look, the judge, the report decide on codes)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from boardsnap.config import ParseConfig
from boardsnap.document import ReviewCode

_DEFAULT = ParseConfig()

# The field of a doubt raised while one value is read, before it is known to be the target or
# the actual: `Doubt.about` names it.
VALUE = "value"


@dataclass(frozen=True)
class Doubt:
    """How sure a reading is (0..1) and why a person should look at it (empty: no need):
    `reasons` in words and `codes`, one for each reason."""

    certainty: float = 1.0  # under the default [parse] certainty_* factors
    reasons: tuple[str, ...] = ()
    codes: tuple[ReviewCode, ...] = ()
    factors: tuple[str, ...] = ()  # the certainty_* keys it was lowered by, one per lowering

    def lower(
        self, factor: str, reason: str | None = None, code: str = "", field: str = VALUE
    ) -> Doubt:
        """Less sure by the [parse] `certainty_<factor>`; with a reason (and its code, about
        `field`) to review."""
        reasons, codes = self.reasons, self.codes
        if reason and reason not in reasons:
            reasons = reasons + (reason,)
            codes = codes + (ReviewCode(code or "unspecified", field),)
        certainty = self.certainty * _DEFAULT.certainty(factor)
        return Doubt(certainty, reasons, codes, self.factors + (factor,))

    def certainty_in(self, cfg: ParseConfig) -> float:
        """How sure, under the factors of `cfg`."""
        if cfg == _DEFAULT:
            return self.certainty
        return math.prod(cfg.certainty(f) for f in self.factors)

    def about(self, field: str) -> Doubt:
        """The doubts raised while reading one value, said of `field` (target, actual)."""
        codes = tuple(ReviewCode(c.code, field) if c.field == VALUE else c for c in self.codes)
        return Doubt(self.certainty, self.reasons, codes, self.factors)

    def __add__(self, other: Doubt) -> Doubt:
        reasons, codes = self.reasons, self.codes
        for r, c in zip(other.reasons, other.codes, strict=True):
            if r not in reasons:
                reasons, codes = reasons + (r,), codes + (c,)
        certainty = self.certainty * other.certainty
        return Doubt(certainty, reasons, codes, self.factors + other.factors)
