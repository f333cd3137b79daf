"""The paths that keep one extract fast (issue 18): what is loaded once per process stays loaded,
and each shortcut gives exactly what the long way gave. Counts and equalities, never timings."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

import boardsnap
from boardsnap.doctor import check_rapidocr
from boardsnap.reading import detector, recogniser

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "sample-01-payments.jpg"


@pytest.fixture
def sessions_made(monkeypatch):
    """The model files of every ONNX Runtime session made while the test runs, from an empty
    cache (emptied again after it, so no counting session outlives the test)."""
    made: list[str] = []
    real = ort.InferenceSession

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, path, *args, **kwargs):
            made.append(Path(path).name)
            super().__init__(path, *args, **kwargs)

    monkeypatch.setattr(ort, "InferenceSession", Counting)
    recogniser.clear_cache()
    yield made
    recogniser.clear_cache()


def test_a_second_read_in_one_process_builds_no_new_session(sessions_made):
    first = boardsnap.read_photo(SAMPLE)
    after_first = Counter(sessions_made)
    assert after_first[recogniser.model_path("rec").name] == 1
    assert set(after_first.values()) == {1}  # the detector too, if used, once
    second = boardsnap.read_photo(SAMPLE)
    assert Counter(sessions_made) == after_first  # nothing built again
    assert second.to_json() == first.to_json()


def test_engines_made_again_share_the_loaded_models(sessions_made):
    a, b = recogniser.Recogniser(), recogniser.Recogniser()
    assert a._session is b._session
    assert a.alphabet is b.alphabet
    d1, d2 = detector.Detector(960), detector.Detector(640)
    assert d1._session is d2._session
    assert Counter(sessions_made) == {
        recogniser.model_path("rec").name: 1,
        recogniser.model_path("det").name: 1,
    }


def test_the_doctor_probe_reuses_the_readers_model(sessions_made):
    recogniser.Recogniser()
    assert check_rapidocr().ok
    assert len(sessions_made) == 1


def test_another_thread_setting_is_another_session(sessions_made):
    rec = recogniser.model_path("rec")
    assert recogniser.shared_session(rec, 1) is recogniser.shared_session(rec, 1)
    assert recogniser.shared_session(rec, 2) is not recogniser.shared_session(rec, 1)
    assert len(sessions_made) == 2


def _add_at_fold(target: np.ndarray, columns: int, p: np.ndarray) -> np.ndarray:
    """The folding as it was written first (np.add.at), the reference for the fast one."""
    kept = np.nonzero(target != columns - 1)[0]
    cols = np.zeros((p.shape[0], columns), np.float32)
    np.add.at(cols.T, target[kept], p[:, kept].T)
    cols[:, -1] = np.clip(1.0 - cols.sum(axis=1), 0.0, 1.0)
    return cols


def test_class_folding_gives_the_very_sums_of_add_at():
    model = recogniser._rec_model(recogniser.model_path())
    chars = model.session.get_modelmeta().custom_metadata_map["character"].splitlines()
    _, target = recogniser.Alphabet.of_model(tuple(chars))
    columns = model.alphabet.other + 1
    kept_to = target[target != columns - 1]
    assert np.bincount(kept_to).max() >= 2  # some columns do gather several classes
    crop = np.full((48, 200), 255, np.uint8)
    cv2.putText(crop, "99.95%", (5, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    x = np.repeat(recogniser._normalised(crop), 3, axis=0)[None]  # a grey crop: one channel
    real = model.session.run(None, {model.input: x})[0][0]
    rng = np.random.default_rng(18)
    spread = rng.dirichlet(np.full(len(target), 0.01), size=30).astype(np.float32)
    for p in (real, spread):
        assert np.array_equal(model.fold(p), _add_at_fold(target, columns, p))


def _written(text: str, size: tuple[int, int] = (60, 260)) -> np.ndarray:
    image = np.full(size, 255, np.uint8)
    cv2.putText(image, text, (8, size[0] - 16), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2)
    return cv2.GaussianBlur(image, (3, 3), 0)


def test_a_grey_crop_reads_as_its_three_channel_copy():
    rec = recogniser.Recogniser()
    crops = [
        _written("< 200 ms"),
        _written("99.95%", (70, 180)),
        _written("@dana 12/03", (50, 420)),
    ]
    grey = rec.frames(crops)
    bgr = rec.frames([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops])
    assert recogniser._normalised(crops[0]).shape[0] == 1  # fed as one channel, filled to three
    for g, b in zip(grey, bgr, strict=True):
        assert np.array_equal(g.probs, b.probs)
    assert [f.best_path()[0] for f in grey] == [f.best_path()[0] for f in bgr]


def test_the_detector_finds_the_same_lines_on_grey_as_on_its_copy():
    page = np.full((600, 900), 255, np.uint8)
    for i, line in enumerate(["ACTIONS", "fix the pager @sam 12/03", "root cause: DNS"]):
        cv2.putText(page, line, (40, 120 + 150 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    det = detector.Detector(960)
    grey = det.quads(page)
    assert len(grey) >= 3
    bgr = det.quads(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    assert len(grey) == len(bgr)
    assert all(np.array_equal(a, b) for a, b in zip(grey, bgr, strict=True))


def test_a_reading_imports_neither_package_metadata_nor_the_doctor():
    """importlib.metadata (email, csv, zipfile...) and the doctor are for --version, reports
    and `boardsnap doctor`; a cold extract does not pay for them."""
    probe = (
        "import sys, boardsnap\n"
        f"boardsnap.read_photo({str(SAMPLE)!r})\n"
        "print(sorted(m for m in ('importlib.metadata', 'boardsnap.doctor') if m in sys.modules))\n"
        "print(boardsnap.__version__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    ).stdout.splitlines()
    assert out[0] == "[]"
    assert out[1] == importlib.metadata.version("boardsnap")  # and asked, it is there


def test_the_tesseract_engines_still_find_their_language_data():
    from boardsnap.config import OcrConfig
    from boardsnap.doctor import find_tessdata
    from boardsnap.reading import ocr

    assert ocr.find_tessdata is find_tessdata
    engine = ocr.make_engine(OcrConfig(engine="tesserocr"))
    try:
        assert engine.read_line(_written("SLA 99.9"))[0].replace(" ", "") == "SLA99.9"
    finally:
        engine.close()
    assert ocr.RapidOcrEngine(OcrConfig()).version == importlib.metadata.version("rapidocr")


@pytest.mark.parametrize("orientation", [None, 1, 3, 6, 8, 9])
def test_an_upright_photo_is_not_transposed_and_every_photo_loads_as_before(
    tmp_path, monkeypatch, orientation
):
    from PIL import Image, ImageOps

    from boardsnap.config import LoadConfig
    from boardsnap.reading import load

    rng = np.random.default_rng(orientation or 0)
    picture = Image.fromarray(rng.integers(0, 256, (300, 400, 3), np.uint8))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    path = tmp_path / "photo.png"
    picture.save(path, exif=exif)
    with Image.open(path) as img:  # the long way: always transposed, channels flipped by numpy
        expected = np.ascontiguousarray(
            np.asarray(ImageOps.exif_transpose(img).convert("RGB"))[:, :, ::-1]
        )
    calls = []
    real = ImageOps.exif_transpose
    monkeypatch.setattr(ImageOps, "exif_transpose", lambda im: calls.append(1) or real(im))
    photo = load.load_photo(path, LoadConfig())
    assert np.array_equal(photo.image, expected)
    assert len(calls) == (1 if orientation in (3, 6, 8) else 0)


def test_the_detector_in_bands_finds_each_line_once_as_it_does_whole():
    """A tall region looked at in bands (the detector's memory grows with its input): every
    line is found once, where the whole region finds it, those across a band's edge too."""
    page = np.full((1700, 1300), 250, np.uint8)
    lines = [f"- action {i}: fix the pager @sam 12/{i + 1:02d}" for i in range(14)]
    for i, line in enumerate(lines):
        cv2.putText(page, line, (40, 106 + 115 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.7, 20, 3)
    whole = detector.Detector(960).quads(page)
    banded = detector.Detector(960, tile_rows=320, tile_overlap=128)
    ratio = 960 / 1700
    first = int(320 / ratio)  # the first band's rows
    # the premise: more than one band, and a line cut by the first band's lower edge
    assert page.shape[0] * ratio > 320 + 128
    assert any(q[:, 1].max() >= first - 3 for q in banded._quads(page[:first], ratio))
    tiled = banded.quads(page)
    assert len(whole) == len(lines) == len(tiled)
    for a, b in zip(whole, tiled, strict=True):
        assert np.abs(a - b).max() <= 6, (a, b)
