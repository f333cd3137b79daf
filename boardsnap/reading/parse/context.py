"""The parse stage's settings, taken from the config by the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from boardsnap.config import JudgeConfig, ParseConfig


@dataclass(frozen=True)
class ParseContext:
    source: str
    fallback_date: date | None = None  # EXIF capture date, else the file's date
    date_order: str = "mdy"  # how short dates such as 12/01 are read: mdy | dmy
    low_confidence: float = 0.6  # OCR confidence below which a field needs review
    low_digit_confidence: float = 0.7  # a digit read less surely than this needs review
    name_match: float = 0.8  # similarity from which a read name is taken as a known name
    review_date_apart_days: int = 183  # a title's date this far from fallback_date is doubtful
    capture_date: date | None = None  # EXIF capture date: the day the board was photographed
    review_capture_days: int = 7  # a title's date this far before the capture date is doubtful
    team: tuple[str, ...] = ()  # the roster of owners ([team] members), when given
    owner_match: float = 0.6  # similarity from which a read owner is taken as a member
    owner_word_match: float = 0.8  # ... and an unmarked last word of an action line
    services: tuple[str, ...] = ()  # the services the team reviews ([team] services, history)
    service_match: float = 0.75  # similarity from which a read service is taken as a known one
    metrics: tuple[str, ...] = ()  # metric names the team writes beyond the vocabulary's
    parse: ParseConfig = field(default_factory=ParseConfig)  # the rules' certainty factors
    # the judge's near-miss threshold: whether a doubtful digit changes the verdict
    near_miss_at: float = JudgeConfig().near_miss_at
