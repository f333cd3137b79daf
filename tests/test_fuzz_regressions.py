"""Inputs the fuzzers (fuzz/) once crashed on, replayed through the same checks without atheris."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from boardsnap.config import LoadConfig
from boardsnap.errors import BadInput
from boardsnap.reading.load import load_photo

REGRESSIONS = Path(__file__).resolve().parents[1] / "fuzz" / "regressions"
SUFFIXES = (".jpg", ".png", ".webp", ".tif", ".gif", ".heic", ".bmp")  # as fuzz/fuzz_load.py
FUZZ_CFG = LoadConfig(max_pixels=4_000_000, work_long_side=400)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("load-*")), ids=lambda p: p.name)
@pytest.mark.parametrize("cfg", [FUZZ_CFG, LoadConfig()], ids=["fuzz-limits", "defaults"])
def test_loader_regressions(path, cfg, tmp_path):
    data = path.read_bytes()
    photo_path = tmp_path / ("photo" + SUFFIXES[data[0] % len(SUFFIXES)])
    photo_path.write_bytes(data[1:])
    try:
        photo = load_photo(photo_path, cfg)
    except BadInput as exc:
        assert "\n" not in str(exc) and "photo" in str(exc)
        return
    assert photo.image.dtype == np.uint8 and photo.image.shape[2] == 3


def test_there_are_regressions_to_replay():
    assert list(REGRESSIONS.glob("load-*"))
