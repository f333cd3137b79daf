"""Fuzz target: the photo loader on arbitrary bytes.

Whatever the bytes, `load_photo` returns an upright 8-bit BGR image or raises `BadInput` (the
one-line error the CLI prints with exit code 3); any other exception is a crash. The pixel limit
is lowered to 4 MP so that a fuzzed header claiming a large size is refused quickly (the limit
itself is the same code path as the default 80 MP).

    .venv/bin/python fuzz/fuzz_load.py -max_total_time=300 -rss_limit_mb=2048 fuzz/corpus/load

(see fuzz/README.md)
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import numpy as np
    from PIL import Image

    from boardsnap.config import LoadConfig
    from boardsnap.errors import BadInput
    from boardsnap.reading.load import load_photo

    Image.init()  # import every format plugin here, so they are instrumented too

CFG = LoadConfig(max_pixels=4_000_000, work_long_side=400)
_DIR = tempfile.mkdtemp(prefix="boardsnap-fuzz-")
_SUFFIXES = (".jpg", ".png", ".webp", ".tif", ".gif", ".heic", ".bmp")


def one_input(data: bytes) -> None:
    suffix = _SUFFIXES[data[0] % len(_SUFFIXES)] if data else ".jpg"
    path = os.path.join(_DIR, "photo" + suffix)
    with open(path, "wb") as handle:
        handle.write(data[1:])
    try:
        photo = load_photo(path, CFG)
    except BadInput as exc:
        assert "\n" not in str(exc) and "photo" in str(exc), str(exc)
        return
    img = photo.image
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3, img.shape
    assert max(img.shape[:2]) <= CFG.work_long_side


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
