"""The Python API a script uses (boardsnap.read_photo, render_report, History), on real OCR,
WeasyPrint and a real SQLite file; and `import boardsnap` stays light."""

from __future__ import annotations

import subprocess
import sys

import cv2
from synthetic import synth

import boardsnap


def test_read_render_and_keep_a_review(tmp_path):
    photo = tmp_path / "IMG_2041.jpg"
    cv2.imwrite(str(photo), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])

    board = boardsnap.read_photo(photo)
    assert isinstance(board, boardsnap.Board)
    statuses = {m.name: m.status for m in board.metrics}
    assert statuses["P95 latency"] == "breach" and statuses["Uptime"] == "met"

    pdf = boardsnap.render_report(board, tmp_path / "review.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    html = boardsnap.render_report(board, tmp_path / "review.html", audience="customer")
    assert "maria" not in html.read_text()  # a customer edition names no owner

    with boardsnap.History(tmp_path / "history.db") as history:
        saved = history.save(board)
        assert saved.created and saved.actions_new == 1
        [action] = history.actions(board.service)
        assert action.owner == "maria" and action.status == "open"


def test_a_corrected_document_is_judged_again(tmp_path):
    from dataclasses import replace

    from boardsnap.document import Actual, Metric, Target

    row = Metric("MTTR", Target("<", 2.0, "h", "< 2h"), Actual(1.0, "h", "1h"), status="breach")
    judged = boardsnap.judge_document(boardsnap.Board(source="x.jpg", metrics=(row,)))
    assert judged.metrics[0].status == "met" and judged.metrics[0].budget_used == 0.5
    slow = replace(row, actual=Actual(3.1, "h", "3.1h"))
    assert boardsnap.judge_document(replace(judged, metrics=(slow,))).metrics[0].status == "breach"


def test_importing_boardsnap_loads_nothing_heavy():
    heavy = ("cv2", "weasyprint", "onnxruntime", "click")
    code = f"import sys, boardsnap; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
