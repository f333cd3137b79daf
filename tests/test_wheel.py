"""The built wheel ships the report templates, and the installed package finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_FILES = sorted(
    p.relative_to(ROOT / "templates").as_posix()
    for p in (ROOT / "templates").rglob("*")
    if p.is_file()
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), ROOT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    wheels = list(out.glob("boardsnap-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_templates_are_in_the_wheel(wheel):
    assert {"report.html.j2", "report.css"} <= set(TEMPLATE_FILES)
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in TEMPLATE_FILES:
        assert f"boardsnap/templates/{name}" in names
    assert "boardsnap/report/render.py" in names and "boardsnap/doctor.py" in names
    assert "boardsnap/schema/board.schema.json" in names  # boardsnap validate's contract
    assert "boardsnap/py.typed" in names  # the Python API is typed


def test_installed_layout_renders_from_packaged_templates(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import boardsnap.report.render as r\n"
        "from boardsnap.config import ReportConfig\n"
        "from boardsnap.document import Board\n"
        f"expected = {str(site / 'boardsnap' / 'templates')!r}\n"
        "assert str(r.templates_dir()) == expected, r.templates_dir()\n"
        "html = r.render_html(Board(source='x.jpg', service='Payments API'), ReportConfig())\n"
        "assert 'Payments API' in html and '@page' in html\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
