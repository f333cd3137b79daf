"""The corpus generator (samples/generate.py): deterministic, truth valid and judged per
docs/board.md, photos of the promised size and orientation, negatives without metrics, and
enough variety across a corpus."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from boardsnap.document import Board

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import generate  # noqa: E402

SMALL = 320  # long side where resolution does not matter


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("corpus")
    return generate.generate_corpus(out, 40, seed=7, long_side=SMALL)


def truth_of(photo: Path) -> dict:
    return json.loads(photo.with_suffix(".truth.json").read_text(encoding="utf-8"))


# ---- determinism ---------------------------------------------------------------------------


def test_same_seed_same_bytes_and_prefix_shared(tmp_path):
    a = generate.generate_corpus(tmp_path / "a", 3, seed=11, long_side=240)
    b = generate.generate_corpus(tmp_path / "b", 2, seed=11, long_side=240)
    assert [p.name for p in a] == ["board-0000.jpg", "board-0001.jpg", "board-0002.jpg"]
    for pa, pb in zip(a, b, strict=False):
        assert pa.read_bytes() == pb.read_bytes()
        ta, tb = (p.with_suffix(".truth.json").read_text() for p in (pa, pb))
        assert ta == tb


def test_different_seed_different_photos(tmp_path):
    a = generate.generate_corpus(tmp_path / "a", 2, seed=11, long_side=240)
    c = generate.generate_corpus(tmp_path / "c", 2, seed=12, long_side=240)
    for pa, pc in zip(a, c, strict=True):
        assert pa.read_bytes() != pc.read_bytes()
        assert truth_of(pa) != truth_of(pc)


# ---- truth ---------------------------------------------------------------------------------


def test_every_truth_is_a_valid_board_document(corpus):
    for photo in corpus:
        data = truth_of(photo)
        board = Board.from_dict(data)
        assert data["schema"] == "boardsnap.board/1"
        assert board.source == photo.name
        assert set(data) == {
            "schema",
            "source",
            "title",
            "service",
            "review_date",
            "metrics",
            "root_causes",
            "actions",
            "warnings",
            "corpus",
        }
        for m in data["metrics"]:
            assert m["confidence"] == 1.0
            assert m["needs_review"] == (m["status"] == "unknown")
            assert not m.get("review_reasons") and not m.get("cell_boxes")
        for a in data["actions"]:
            assert a["status"] == "open"
            assert a["owner"] is None or a["owner"] == a["owner"].lower()


TO_S = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def expected_status(m: dict) -> tuple[str, float | None]:
    """board.md's judging, written independently from the numbers in the truth."""
    t, a = m["target"], m["actual"]
    op = t["op"]
    if op is None:
        return "unknown", None
    tv, av = t["value"], a["value"]
    if t["unit"] in TO_S and a["unit"] in TO_S:
        av = av * TO_S[a["unit"]] / TO_S[t["unit"]]
    else:
        assert a["unit"] == t["unit"], m
    if op in ("<", "<="):
        used = av / tv
    elif t["unit"] == "%" and tv < 100:
        used = (100 - av) / (100 - tv)
    else:
        used = tv / av
    eps = 1e-9 * max(abs(tv), 1.0)
    holds = {"<": av < tv - eps, "<=": av <= tv + eps, ">": av > tv + eps, ">=": av >= tv - eps}[op]
    if not holds:
        return "breach", used
    return ("near_miss" if used >= 0.9 else "met"), used


def test_truth_statuses_follow_board_md(corpus):
    seen = set()
    for photo in corpus:
        for m in truth_of(photo)["metrics"]:
            status, used = expected_status(m)
            assert m["status"] == status, (photo.name, m)
            if used is None:
                assert m["budget_used"] is None
            else:
                assert m["budget_used"] == pytest.approx(used, abs=0.0006), (photo.name, m)
            seen.add(status)
    assert {"met", "near_miss", "breach"} <= seen


def test_boardsnap_judge_gives_the_truth_statuses(corpus):
    from boardsnap.config import JudgeConfig
    from boardsnap.reading.judge import judge_board

    checked = 0
    for photo in corpus:
        truth = Board.from_dict(truth_of(photo))
        reset = dataclasses.replace(
            truth,
            warnings=(),
            metrics=tuple(
                dataclasses.replace(m, status="unknown", budget_used=None) for m in truth.metrics
            ),
        )
        judged = judge_board(reset, JudgeConfig())
        for want, got in zip(truth.metrics, judged.metrics, strict=True):
            assert got.status == want.status, (photo.name, want)
            assert got.budget_used == want.budget_used, (photo.name, want)
            checked += 1
        assert sorted(judged.warnings) == sorted(truth.warnings), photo.name
    assert checked > 100


def test_board_marks_and_warnings_agree(corpus):
    for photo in corpus:
        data = truth_of(photo)
        disagreements = [
            m
            for m in data["metrics"]
            if m["board_mark"] is not None and m["board_mark"] != m["status"]
        ]
        assert len(data["warnings"]) == len(disagreements)
        if not data["corpus"]["status_column"]:
            assert all(m["board_mark"] is None for m in data["metrics"])


def test_actions_and_root_causes_name_table_metrics(corpus):
    for photo in corpus:
        data = truth_of(photo)
        names = {m["name"] for m in data["metrics"]}
        for rc in data["root_causes"]:
            assert rc["metric"] in names and rc["text"] and not rc["text"].startswith(("-", "*"))
        for a in data["actions"]:
            assert a["metric"] is None or a["metric"] in names
            assert a["due"] is None or a["due"] >= data["review_date"]
            assert "@" not in a["text"] and "(" not in a["text"]


# ---- photos --------------------------------------------------------------------------------


def test_full_size_photo_is_8_to_12_megapixels_with_exif(tmp_path):
    photo = generate.write_photo(tmp_path, "full", 3, 0, None)
    truth = truth_of(photo)
    with Image.open(photo) as im:
        w, h = im.size
        exif = im.getexif()
    # 8-12 MP phone sensors: 3264x2448 (7.99 MP) up to 4032x3024 (12.19 MP)
    assert 7.9e6 <= w * h <= 12.3e6
    assert [w, h] == truth["corpus"]["image_size"]
    assert exif.get(0x0112) == truth["corpus"]["exif_orientation"]
    when = truth["corpus"]["exif_datetime_original"]
    assert exif.get_ifd(0x8769).get(0x9003) == when


def test_small_long_side_downsizes(corpus):
    for photo in corpus[:5]:
        with Image.open(photo) as im:
            assert max(im.size) == SMALL


def test_exif_orientation_round_trips(tmp_path):
    for orientation in (6, 8, 3):
        photo = generate.write_photo(
            tmp_path,
            f"o{orientation}",
            5,
            1,
            400,
            {"exif": orientation, "portrait": orientation != 3},
        )
        truth = truth_of(photo)["corpus"]
        with Image.open(photo) as im:
            assert im.getexif().get(0x0112) == orientation == truth["exif_orientation"]
            stored = np.asarray(im.convert("RGB"), np.float32)
            upright = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), np.float32)
        assert list(upright.shape[1::-1]) == truth["image_size_upright"]
        assert list(stored.shape[1::-1]) == truth["image_size"]
        if orientation in (6, 8):
            assert upright.shape[0] > upright.shape[1]  # a portrait shot
        # points inside the board (centre, and 80 % of the way to each corner) show the same
        # pixels in both coordinate systems
        s_pts = np.asarray(truth["board_corners"])
        u_pts = np.asarray(truth["board_corners_upright"])
        s_c, u_c = s_pts.mean(axis=0), u_pts.mean(axis=0)
        for k in range(5):
            ps = s_c if k == 4 else s_c + 0.8 * (s_pts[k] - s_c)
            pu = u_c if k == 4 else u_c + 0.8 * (u_pts[k] - u_c)
            xs, ys, xu, yu = (int(round(v)) for v in (*ps, *pu))
            if 3 <= xu < upright.shape[1] - 3 and 3 <= yu < upright.shape[0] - 3:
                a = stored[ys - 2 : ys + 3, xs - 2 : xs + 3].mean(axis=(0, 1))
                b = upright[yu - 2 : yu + 3, xu - 2 : xu + 3].mean(axis=(0, 1))
                assert np.abs(a - b).max() < 4.0, (orientation, k)


def test_board_corners_frame_the_bright_board(corpus):
    photo = next(p for p in corpus if truth_of(p)["corpus"]["kind"] == "blank_board")
    c = truth_of(photo)["corpus"]
    with Image.open(photo) as im:
        img = np.asarray(im.convert("L"), np.float32)
    pts = np.asarray(c["board_corners"])
    cx, cy = pts.mean(axis=0)
    inside = img[int(cy) - 3 : int(cy) + 3, int(cx) - 3 : int(cx) + 3].mean()
    # well outside the frame: the wall, darker than the white surface
    fr = np.asarray(c["frame_corners"])
    out_pt = fr[0] + (fr[0] - np.asarray([cx, cy])) * 0.15
    x, y = int(out_pt[0]), int(out_pt[1])
    if 0 <= x < img.shape[1] and 0 <= y < img.shape[0]:
        assert inside > img[y, x]


# ---- negatives and variety -----------------------------------------------------------------


def test_negatives_have_no_metrics(corpus):
    kinds = []
    for i, photo in enumerate(corpus):
        data = truth_of(photo)
        kind = data["corpus"]["kind"]
        kinds.append(kind)
        if i % 10 == 9:
            assert kind in ("blank_board", "no_table", "no_board")
            assert data["metrics"] == [] and data["corpus"]["expect"] == "no_table"
        else:
            assert kind == "table" and data["corpus"]["expect"] == "ok"
            assert 3 <= len(data["metrics"]) == data["corpus"]["table_rows"]
    assert {"blank_board", "no_table", "no_board"} <= set(kinds)


COMPARATOR_FORMS = ["at least", "under", "max", "min", "<=", "=<", ">=", "≤", "≥", "<", ">"]


def comparator_form(text: str) -> str:
    t = text.strip().lower()
    for form in COMPARATOR_FORMS:
        if t.startswith(form):
            return form
    assert re.match(r"^[0-9]|^(three|four|3) nines|^3x9", t), text
    return "absent"


def test_corpus_covers_statuses_comparators_and_fonts(corpus):
    statuses, forms, fonts, units, orientations = set(), set(), set(), set(), set()
    nines = border_less = status_cols = 0
    for photo in corpus:
        data = truth_of(photo)
        c = data["corpus"]
        fonts.update(c["fonts"])
        orientations.add(c["exif_orientation"])
        border_less += c["table_border"] is False
        status_cols += c["status_column"]
        for m in data["metrics"]:
            statuses.add(m["status"])
            forms.add(comparator_form(m["target"]["text"]))
            units.add(m["target"]["unit"])
            nines += "nine" in m["target"]["text"].lower() or "3x9" in m["target"]["text"].lower()
    assert {"met", "near_miss", "breach"} <= statuses
    assert set(COMPARATOR_FORMS) | {"absent"} == forms
    assert len(fonts) >= 4
    assert {"%", "ms", "s", "min", "h", "rps"} <= units
    assert nines and border_less and status_cols
    assert len(orientations) >= 2


def test_committed_samples_are_valid():
    truths = sorted((ROOT / "samples").glob("sample-*.truth.json"))
    assert len(truths) == len(generate.SAMPLE_SPECS)
    kinds = set()
    for t in truths:
        data = json.loads(t.read_text(encoding="utf-8"))
        Board.from_dict(data)
        assert (t.parent / data["source"]).is_file()
        kinds.add(data["corpus"]["kind"])
    assert kinds == {"table", "blank_board", "no_table", "no_board"}
