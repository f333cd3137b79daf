"""bench/team.toml is the generator's team: its roster and services are the ones the corpus
draws, so `python -m bench --config bench/team.toml` measures a team that keeps its roster."""

from __future__ import annotations

import sys
from pathlib import Path

from boardsnap.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

from boardgen import content  # noqa: E402


def test_the_bench_team_is_the_generators():
    cfg = Config.from_file(ROOT / "bench" / "team.toml")
    assert sorted(cfg.team.members) == sorted(content.OWNERS)
    assert sorted(cfg.team.services) == sorted(content.SERVICES)
