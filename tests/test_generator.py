"""The corpus generator (samples/generate.py): deterministic, truth valid and judged per
docs/board.md, photos of the promised size and orientation, negatives without metrics, and
enough variety across a corpus."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import cv2
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
    # 8-12 MP phone sensors: 3264x2448 (7.99 MP) up to 4032x3024 (12.19 MP); 5 MP when the
    # photo got that hardship (HARDSHIP["five_mp"])
    if truth["corpus"]["effects"]["five_mp"]:
        assert sorted((w, h)) == [1944, 2592]
    else:
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


# ---- hardship: a hand that varies, a drying marker, shadows, 5 MP, shake, touching lines -----

HARD_KEYS = {
    "hand_jitter",
    "drying_marker",
    "cast_shadow",
    "five_mp",
    "shaken",
    "touching_actions",
    "groups",
}


def test_every_photo_records_its_hardship_effects(corpus):
    seen = {k: 0 for k in ("drying_marker", "cast_shadow", "five_mp", "shaken", "touching_actions")}
    groups = set()
    for photo in corpus:
        c = truth_of(photo)["corpus"]
        fx = c["effects"]
        assert HARD_KEYS <= set(fx), photo.name
        for key in seen:
            seen[key] += bool(fx[key])
        groups.update(fx["groups"])
        assert (fx["groups"] == ["none"]) == (
            not any(fx[k] for k in seen) and not fx["hard_shadow"]
        )
        if fx["drying_marker"]:
            assert fx["drying_marker"] in c["pen_colours"]
        if fx["cast_shadow"]:
            assert c["kind"] == "table"
            assert 0.25 <= fx["cast_shadow"]["darkening"] <= 0.6
        if fx["touching_actions"]:
            assert c["kind"] == "table" and 1.1 <= fx["action_line_gap"] <= 1.35
        if fx["shaken"]:
            assert fx["motion_blur_px"] > 0
        else:
            assert fx["motion_blur_px"] == 0
        if c["kind"] != "no_board":
            assert 0.6 <= fx["hand_jitter"] <= 1.4
    # each effect on some photos and not all (rates: HARDSHIP; 40 photos)
    for key, n in seen.items():
        assert 0 < n < len(corpus), (key, n)
    assert {"shadow", "touching", "5mp_shaken", "drying", "none"} <= groups


def test_hardship_effects_vary_between_seeds(tmp_path):
    def effects(seed):
        out = []
        for i in range(8):
            _img, truth, _ = generate.make_photo(seed, i, 200)
            fx = truth["corpus"]["effects"]
            out.append(
                (fx["hand_jitter"], fx["drying_marker"], bool(fx["cast_shadow"]), fx["five_mp"])
            )
        return out

    assert effects(21) != effects(22)


def test_hardship_leaves_content_and_layout_as_they_were():
    """The effects come from streams of their own: the same photo with and without them has the
    same truth (board document, corners, camera), only its effects differ."""
    for i in range(4):
        img_h, t_h, _ = generate.make_photo(31, i, 400)
        img_p, t_p, _ = generate.make_photo(31, i, 400, {"hard": False})
        ch, cp = t_h.pop("corpus"), t_p.pop("corpus")
        assert t_h == t_p
        assert ch["fonts"] == cp["fonts"] and ch["pen_colours"] == cp["pen_colours"]
        if not ch["effects"]["five_mp"]:
            for key in ("board_corners", "table_corners", "camera", "image_size"):
                assert ch.get(key) == cp.get(key), key
        assert not HARD_KEYS & set(cp["effects"])


def test_a_cast_shadow_darkens_its_side_of_the_board():
    seed = 7
    i = next(
        k
        for k in range(40)
        if generate.kind_for(k) == "table"
        and (fx := generate.plan_hardship(np.random.default_rng([seed, k, 5]), "table"))[
            "cast_shadow"
        ]
        and not fx["five_mp"]
    )
    img_h, t_h, _ = generate.make_photo(seed, i, 800)
    img_p, _t, _ = generate.make_photo(seed, i, 800, {"hard": False})
    cs = t_h["corpus"]["effects"]["cast_shadow"]
    p, n = np.asarray(cs["point_upright"]), np.asarray(cs["dark_side_normal"])
    board = np.asarray(t_h["corpus"]["board_corners_upright"], np.float32)
    ratios = {1: [], -1: []}
    for side in (1, -1):
        for t in np.linspace(-60, 60, 7):
            d = np.array([-n[1], n[0]])
            q = p + side * 40 * n + t * d
            x, y = int(q[0]), int(q[1])
            if cv2.pointPolygonTest(board, (float(x), float(y)), False) <= 0:
                continue
            a = img_h[y - 3 : y + 4, x - 3 : x + 4].astype(float).mean()
            b = img_p[y - 3 : y + 4, x - 3 : x + 4].astype(float).mean()
            ratios[side].append(a / b)
    assert ratios[1] and ratios[-1]
    assert np.median(ratios[1]) < 1 - 0.6 * cs["darkening"]  # the dark side: in the shadow
    assert np.median(ratios[-1]) > 0.9  # the lit side: as it was


def _glyph_boxes(mask):
    n, _lab, stats, _c = cv2.connectedComponentsWithStats((mask > 127).astype(np.uint8))
    return stats[1:]


def test_the_hand_varies_glyph_by_glyph():
    """The same digit written ten times: a roughened hand gives glyphs of more varied height,
    width and slant than the font's one glyph with the plain jitter."""
    from boardgen import ink

    font = (
        ink.font_by_name("Comic Neue")
        if any(f.name == "Comic Neue" for f in ink.fonts())
        else ink.fonts()[0]
    )
    spreads = {}
    for rough in (False, True):
        rng = np.random.default_rng(5)
        item = ink.plan_text(rng, "1 1 1 1 1 1 1 1 1 1 1 1", font, 1.0, slope=0.0)
        if rough:
            ink.roughen_text(item, np.random.default_rng(6), 1.0)
            assert item.slant is not None and np.ptp(item.slant) > 5
            assert np.ptp(item.wid) > 0.2
        mask, _x, _y = ink.render_text(item, 60.0, 0.11)
        boxes = _glyph_boxes(mask)
        assert len(boxes) == 12
        spreads[rough] = (
            np.std(boxes[:, cv2.CC_STAT_HEIGHT]),
            np.std(boxes[:, cv2.CC_STAT_WIDTH]),
            np.std(boxes[:, cv2.CC_STAT_AREA] / boxes[:, cv2.CC_STAT_HEIGHT]),
        )
    plain, rough = spreads[False], spreads[True]
    assert rough[0] > 1.5 * plain[0]  # heights
    assert rough[1] > 1.5 * plain[1]  # widths (slant and stroke)
    assert rough[2] > 1.5 * plain[2]  # stroke width (ink per unit of height)


def test_a_drying_marker_leaves_fainter_ink():
    from boardgen import board as B

    a = np.full((200, 300), 0.9, np.float32)
    dry = B._drying(a, {"pen": "blue", "level": 0.6, "patch": 0.7}, 1.0, np.random.default_rng(1))
    assert dry.max() <= 0.6 * 0.9 + 1e-6
    assert dry.mean() < 0.45 * 0.9  # faint on average
    assert dry.std() > 0.05  # and patchy, not evenly lighter
    assert (dry < 0.35 * 0.9).mean() > 0.1  # with blotches where little ink was laid


def test_touching_action_lines_are_written_closer():
    """Truth of a touching-actions board: its action lines sit closer than the other notes."""
    k = next(
        k
        for k in range(40)
        if generate.kind_for(k) == "table"
        and generate.plan_hardship(np.random.default_rng([7, k, 5]), "table")["touching_actions"]
    )
    _img, truth, _ = generate.make_photo(7, k, 200)
    fx = truth["corpus"]["effects"]
    if len(truth["actions"]) >= 2:
        assert fx["touching_actions"] and fx["action_line_gap"] < 1.35
        assert "touching" in fx["groups"]


def test_samples_render_unchanged(tmp_path):
    """The committed samples have no hardship effects: made again, they are the committed
    photos (pixel for pixel, up to the last-bit differences of the JPEG and resampling
    libraries between machines) and the same truth, byte for byte."""
    paths = generate.generate_samples(tmp_path)
    assert len(paths) == len(generate.SAMPLE_SPECS)
    for made in paths:
        committed = ROOT / "samples" / made.name
        with Image.open(made) as a, Image.open(committed) as b:
            pa, pb = np.asarray(a, np.int16), np.asarray(b, np.int16)
        assert pa.shape == pb.shape, made.name
        diff = np.abs(pa - pb)
        assert diff.mean() < 0.05 and diff.max() <= 16, (made.name, diff.mean(), diff.max())
        t_made = made.with_suffix("").with_suffix(".truth.json")
        assert (
            t_made.read_bytes() == committed.with_suffix("").with_suffix(".truth.json").read_bytes()
        )
