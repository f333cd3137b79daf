"""The paths that keep one extract fast (issue 18): what is loaded once per process stays loaded,
and each shortcut gives exactly what the long way gave. Counts and equalities, never timings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnxruntime as ort
import pytest

import boardsnap
from boardsnap.doctor import check_rapidocr
from boardsnap.reading import recogniser

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
    d1, d2 = recogniser.Detector(960), recogniser.Detector(640)
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
    assert recogniser._session(rec, 1) is recogniser._session(rec, 1)
    assert recogniser._session(rec, 2) is not recogniser._session(rec, 1)
    assert len(sessions_made) == 2
