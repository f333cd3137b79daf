"""`boardsnap doctor`: checks pass on a complete system and say how to fix a broken one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from boardsnap import doctor
from boardsnap.doctor import Check, all_ok, find_tessdata, run_checks


def test_everything_is_installed_here():
    checks = run_checks()
    names = [c.name for c in checks]
    assert names == [
        "onnxruntime",
        "rapidocr",
        "tesseract",
        "english data",
        "tesserocr",
        "opencv",
        "weasyprint",
        "pdftoppm",
    ]
    failed = [c for c in checks if not c.ok]
    assert failed == [], failed
    assert all_ok(checks)
    assert all(c.fix is None for c in checks)


def test_empty_path_reports_missing_tesseract(monkeypatch):
    monkeypatch.setenv("PATH", "")
    checks = {c.name: c for c in run_checks()}
    tesseract = checks["tesseract"]
    assert not tesseract.ok and tesseract.required
    assert "not on PATH" in tesseract.detail
    assert tesseract.fix == "sudo apt-get install -y tesseract-ocr tesseract-ocr-eng"
    assert not checks["pdftoppm"].ok and not checks["pdftoppm"].required
    assert "poppler-utils" in checks["pdftoppm"].fix
    assert not all_ok(list(checks.values()))


def test_mac_gets_a_brew_line(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert doctor.check_tesseract().fix == "brew install tesseract"


def test_old_tesseract_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\necho 'tesseract 3.05.02' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    check = doctor.check_tesseract()
    assert not check.ok and "3.5.2 at" in check.detail and "too old" in check.detail
    assert check.fix and "tesseract-ocr" in check.fix


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("tesseract 5.3.0\n leptonica-1.82.0", (5, 3, 0)),
        ("tesseract v5.0.0-alpha-20201231", (5, 0, 0)),
        ("tesseract 4.1.1", (4, 1, 1)),
        ("tesseract 3.05", (3, 5)),
        ("nothing here", None),
    ],
)
def test_version_parsing(text, version):
    assert doctor._parse_version(text) == version


def test_find_tessdata_prefers_explicit_then_env(monkeypatch, tmp_path):
    explicit = tmp_path / "mine"
    explicit.mkdir()
    (explicit / "eng.traineddata").write_bytes(b"x")
    env = tmp_path / "env" / "tessdata"  # TESSDATA_PREFIX may name the parent of tessdata/
    env.mkdir(parents=True)
    (env / "eng.traineddata").write_bytes(b"x")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "env"))
    assert find_tessdata("eng", str(explicit)) == str(explicit)
    assert find_tessdata() == str(env)
    assert find_tessdata(language="xyz") is None


def test_find_tessdata_none_when_nothing_anywhere(monkeypatch, tmp_path):
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    monkeypatch.setattr(doctor, "TESSDATA_GLOBS", (str(tmp_path / "*"),))
    assert find_tessdata() is None
    check = doctor.check_english_data()
    assert not check.ok and check.fix == "sudo apt-get install -y tesseract-ocr-eng"


def test_find_tessdata_finds_the_system_data():
    folder = find_tessdata()
    assert folder is not None and not folder.endswith("/")
    assert (Path(folder) / "eng.traineddata").is_file()


def test_missing_weasyprint_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` fail
    check = doctor.check_weasyprint()
    assert not check.ok and check.fix and "pip install" in check.fix


def test_a_crashing_check_is_reported_not_raised(monkeypatch):
    def boom() -> Check:
        raise RuntimeError("probe broke")

    monkeypatch.setattr(doctor, "CHECKS", (boom, doctor.check_opencv))
    checks = run_checks()
    assert [c.ok for c in checks] == [False, True]
    assert "probe broke" in checks[0].detail


def test_the_default_engine_reads_a_rendered_line():
    check = doctor.check_rapidocr()
    assert check.ok and check.required, check
    assert "_rec_" in check.detail and "_det_" in check.detail
    assert repr(doctor.PROBE_TEXT).replace(" ", "") in check.detail.replace(" ", "")


def test_missing_rapidocr_models_are_named_with_the_fix(monkeypatch, tmp_path):
    from boardsnap.reading import recogniser

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "PP-OCRv6_det_small.onnx").write_bytes(b"")

    def only_det(kind="rec"):
        found = sorted((tmp_path / "models").glob(f"*{kind}*.onnx"))
        if not found:
            raise ImportError(f"no {kind} model in the rapidocr package at {tmp_path / 'models'}")
        return found[0]

    monkeypatch.setattr(recogniser, "model_path", only_det)
    check = doctor.check_rapidocr()
    assert not check.ok and "no rec model" in check.detail
    assert check.fix == doctor.RAPIDOCR_FIX


def test_a_recogniser_that_misreads_fails_the_check(monkeypatch):
    monkeypatch.setattr(doctor, "_read_probe", lambda: ("< 2OO rns", 0.41))
    check = doctor.check_rapidocr()
    assert not check.ok and "'< 2OO rns'" in check.detail and check.fix
