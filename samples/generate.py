"""Realistic, deterministic corpus of whiteboard photos with their truth documents.

    python samples/generate.py --out DIR --n N --seed S [--long-side PX]
    python samples/generate.py --samples DIR      # the committed sample set

Each photo `<name>.jpg` comes with `<name>.truth.json`: the board document of docs/board.md plus
a `corpus` key with generator metadata (kind, expected outcome, fonts, pens, EXIF orientation,
board/frame/table corners, effects). Photo i depends only on (seed, i) (and long_side), so
corpora of different sizes share prefixes. See samples/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from boardgen import board as B  # noqa: E402
from boardgen import content as C  # noqa: E402
from boardgen import ink  # noqa: E402
from boardgen import photo as P  # noqa: E402

NEGATIVE_KINDS = ("blank_board", "no_table", "no_board")
SAMPLES_SEED = 2026
SAMPLES_LONG_SIDE = 1600
SAMPLES_QUALITY = 85

# The committed set: (file stem, overrides). Overrides force what a sample is meant to show;
# everything else is drawn from the sample's own random stream.
SAMPLE_SPECS = [
    (
        "sample-01-payments",
        {
            "service": "Payments API",
            "rows": 5,
            "status_col": False,
            "border": True,
            "exif": 1,
            "fill": 0.8,
            "font": "Humor Sans",
            "intents": ["breach", "met", "near", "met", "met"],
            "families": ["latency", "errors", "uptime", "mttr", "throughput"],
        },
    ),
    (
        "sample-02-checkout-status",
        {
            "service": "Checkout",
            "rows": 5,
            "status_col": True,
            "mark_disagree": True,
            "border": True,
            "exif": 1,
            "font": "DkgHandwriting Bold",
            "intents": ["met", "near", "breach", "met", "breach"],
        },
    ),
    (
        "sample-03-search-portrait",
        {
            "service": "Search",
            "rows": 4,
            "exif": 6,
            "portrait": True,
            "font": "Comic Neue",
            "status_col": False,
        },
    ),
    (
        "sample-04-auth-noborder",
        {
            "service": "Auth service",
            "rows": 5,
            "border": False,
            "exif": 1,
            "font": "Because We Learn",
            "status_col": False,
        },
    ),
    (
        "sample-05-nines",
        {
            "service": "Orders API",
            "rows": 5,
            "nines": True,
            "absent_comparators": True,
            "exif": 1,
            "font": "Breip",
            "families": ["uptime", "latency", "errors", "ttfr", "success"],
            "status_col": False,
        },
    ),
    (
        "sample-06-notifications-glare",
        {
            "service": "Notifications",
            "rows": 4,
            "glare": 3,
            "hard_shadow": True,
            "fill": 1.06,
            "exif": 1,
            "font": "Comic Neue Bold",
            "unit_mix": True,
        },
    ),
    (
        "sample-07-billing-units",
        {
            "service": "Billing",
            "rows": 6,
            "unit_mix": True,
            "exif": 3,
            "font": "DkgHandwriting",
            "status_col": True,
        },
    ),
    ("sample-08-blank-board", {"kind": "blank_board", "exif": 1}),
    ("sample-09-no-table", {"kind": "no_table", "exif": 1, "font": "Humor Sans"}),
    ("sample-10-no-board", {"kind": "no_board", "exif": 1}),
]


def kind_for(i: int) -> str:
    """Every 10th photo (i = 9, 19, ...) is a negative, rotating through the three kinds."""
    if i % 10 == 9:
        return NEGATIVE_KINDS[(i // 10) % 3]
    return "table"


def _choose_font(rng, opts: dict) -> ink.Font:
    if opts.get("font"):
        return ink.font_by_name(opts["font"])
    fs = ink.fonts()
    w = np.array([0.35 if f.caps else 1.0 for f in fs])
    return fs[int(rng.choice(len(fs), p=w / w.sum()))]


# Hardship: how often each effect of a hand and a phone that make reading harder is drawn. The
# committed samples have none of them (they were made before; see `hard` in make_photo).
HARDSHIP = {
    "drying_marker": 0.30,  # one pen drying out: faint, patchy strokes
    "cast_shadow": 0.30,  # a shadow's straight edge across the table (boards with a table)
    "five_mp": 0.15,  # a 5 MP photo
    "shaken": 0.12,  # camera shake: motion blur
    "touching_actions": 0.30,  # action lines written close enough to touch (boards with actions)
}


def plan_hardship(rng, kind: str) -> dict:
    """Which hardship effects photo i gets, from a random stream of its own ([seed, i, 5]), so
    the layout, content, camera and light of the photo are those it has without them."""
    fx = {
        "hand_jitter": float(rng.uniform(0.6, 1.4)),  # every board: a hand varies glyph by glyph
        "drying_marker": bool(rng.random() < HARDSHIP["drying_marker"]),
        "dry_level": float(rng.uniform(0.45, 0.75)),
        "dry_patch": float(rng.uniform(0.4, 0.9)),
        "dry_pen_pick": float(rng.random()),
        "cast_shadow": bool(rng.random() < HARDSHIP["cast_shadow"]) and kind == "table",
        "cast": P.plan_cast_shadow(rng),
        "five_mp": bool(rng.random() < HARDSHIP["five_mp"]),
        "shaken": bool(rng.random() < HARDSHIP["shaken"]),
        "shake_px": float(rng.uniform(5, 14)),  # at full resolution
        "shake_ang": float(rng.uniform(0, 180)),
        "touching_actions": bool(rng.random() < HARDSHIP["touching_actions"]) and kind == "table",
        "touch_gap": float(rng.uniform(1.12, 1.32)),
    }
    return fx


def hardship_groups(effects: dict) -> list[str]:
    """The bench's hardship groups a photo belongs to (bench/groups.py shows them), from its
    `corpus.effects`: shadow (a cast shadow or a hard light shadow), touching (action lines),
    5mp_shaken (a 5 MP photo or motion blur), drying (a drying marker); none when it is in none."""
    out = []
    if effects.get("cast_shadow") or effects.get("hard_shadow"):
        out.append("shadow")
    if effects.get("touching_actions"):
        out.append("touching")
    if effects.get("five_mp") or (effects.get("motion_blur_px") or 0) > 0:
        out.append("5mp_shaken")
    if effects.get("drying_marker"):
        out.append("drying")
    return out or ["none"]


def make_photo(
    seed: int,
    i: int,
    long_side: int | None = None,
    overrides: dict | None = None,
    source: str = "photo.jpg",
):
    """Generate photo i of seed. Returns (upright uint8 RGB image, truth dict, save options).

    overrides["hard"] (default True) turns the hardship effects (HARDSHIP, the hand varying
    glyph by glyph) on; with it False the photo is the one the generator made before they
    existed, byte for byte (the committed samples, the "plain" corpus of older bench runs)."""
    opts = dict(overrides or {})
    hard = bool(opts.pop("hard", True))
    rng = np.random.default_rng([seed, i, 1])  # content and layout
    rng_cam = np.random.default_rng([seed, i, 2])  # camera, orientation, resolution
    rng_light = np.random.default_rng([seed, i, 3])  # light, lens, scene
    rng_px = np.random.default_rng([seed, i, 4])  # resolution-dependent noise arrays
    kind = opts.get("kind") or kind_for(i)
    font = _choose_font(rng, opts)
    fx = plan_hardship(np.random.default_rng([seed, i, 5]), kind) if hard else None
    if fx and opts.get("hardship"):  # tests force an effect: {"cast_shadow": True, "cast": {...}}
        forced = dict(opts["hardship"])
        fx["cast"] = {**fx["cast"], **forced.pop("cast", {})}
        fx.update(forced)
    rng_fx_px = np.random.default_rng([seed, i, 6])  # arrays of the hardship effects

    # orientation and resolution
    portrait = bool(opts.get("portrait", rng_cam.random() < 0.22))
    o_draw = rng_cam.random()
    if portrait:
        orientation = 6 if o_draw < 0.7 else (8 if o_draw < 0.85 else 1)
    else:
        orientation = 3 if o_draw < 0.05 else 1
    if "exif" in opts:
        orientation = int(opts["exif"])
        portrait = bool(opts.get("portrait", orientation in (6, 8)))
    W0, H0 = P._pick(rng_cam, P.RESOLUTIONS)
    if fx and fx["five_mp"]:
        W0, H0 = P.FIVE_MP
    if portrait:
        W0, H0 = H0, W0
    scale = 1.0 if not long_side else long_side / max(W0, H0)
    W, H = int(round(W0 * scale)), int(round(H0 * scale))
    quality = int(opts.get("quality") or rng_cam.integers(75, 93))
    phone = P._pick(rng_cam, P.PHONES)
    cam = P.plan_camera(rng_cam, portrait, opts)
    light = P.plan_light(rng_light, opts)
    if fx:  # shake is a hardship of its own: on for the shaken photos, off for the rest
        light["motion"] = fx["shake_px"] if fx["shaken"] else 0.0
        light["motion_ang"] = fx["shake_ang"]
    scene = P.plan_scene(rng_light)
    shadow = (
        float(rng_light.uniform(-0.006, 0.006)),
        float(rng_light.uniform(0.002, 0.01)),
        float(rng_light.uniform(0.15, 0.35)),
    )

    if kind == "table":
        content = C.make_table_content(rng, opts, font.caps)
    else:
        content = C.make_negative_content(rng, kind, font.caps)
    when = P.exif_when(rng_cam, content.review_date)

    meta: dict = {"kind": kind, "expect": "ok" if kind == "table" else "no_table"}
    geo_up: dict = {}
    W2, H2 = (W + 1) // 2, (H + 1) // 2  # the wall / desk is made at half resolution
    if kind == "no_board":
        half, extra = P.make_desk(rng_light, rng_px, W2, H2)
        img = cv2.resize(half, (W, H), interpolation=cv2.INTER_LINEAR)
        meta.update(extra)
        P.apply_light(img, light, None)
        fonts_used, pens_used, plan = [], [], None
    else:
        touch = fx["touch_gap"] if fx and fx["touching_actions"] and content.actions else None
        plan = B.plan_board(rng, content, font, opts, touch_gap=touch)
        if fx:
            rng_hand = np.random.default_rng([seed, i, 7])
            for op in plan.ops:
                if op[0] == "text":
                    ink.roughen_text(op[1], rng_hand, fx["hand_jitter"])
            if fx["drying_marker"] and plan.pens:
                pen = plan.pens[int(fx["dry_pen_pick"] * len(plan.pens))]
                plan.dry = {"pen": pen, "level": fx["dry_level"], "patch": fx["dry_patch"]}
        fonts_used, pens_used = plan.fonts, plan.pens
        cw, ch = plan.canvas_units
        frame_h = plan.BH + 2 * plan.F
        off = np.array([plan.F, plan.F])
        if plan.table_corners:
            must = np.asarray(plan.table_corners + plan.title_box) + off
        else:
            must = (
                np.array([[0, 0], [B.BW, 0], [B.BW, plan.BH], [0, plan.BH]]) * 0.5
                + off
                + np.array([B.BW, plan.BH]) * 0.25
            )
        M_u, fill = P.homography(cam, (cw, ch), frame_h, W, H, must)
        quad = P.apply_h(M_u, [[0, 0], [cw, 0], [cw, frame_h], [0, frame_h]])
        px_per_unit = max(np.hypot(*(quad[1] - quad[0])), np.hypot(*(quad[2] - quad[3]))) / cw
        r = float(np.clip(px_per_unit * 1.05, 0.05, 1.0))
        rgba8, geo = B.render_board(plan, r, rng_px, rng_fx_px)
        M = M_u @ np.diag([1 / r, 1 / r, 1.0])
        frame_quad = P.apply_h(M, geo["frame"])
        half = P.make_wall(scene, rng_px, W2, H2, frame_quad * (W2 / W))
        # the board's drop shadow on the wall
        k = 8
        hs, ws = max(8, H // k), max(8, W // k)
        a_small = cv2.warpPerspective(
            rgba8[..., 3], np.diag([1 / k, 1 / k, 1.0]) @ M, (ws, hs), flags=cv2.INTER_LINEAR
        ).astype(np.float32) * (1 / 255.0)
        sh = np.float32([[1, 0, shadow[0] * ws], [0, 1, shadow[1] * hs]])
        sh_mask = cv2.GaussianBlur(cv2.warpAffine(a_small, sh, (ws, hs)), (0, 0), 0.006 * ws + 1)
        half *= (1 - shadow[2] * cv2.resize(sh_mask, (W2, H2)))[..., None]
        img = cv2.resize(half, (W, H), interpolation=cv2.INTER_LINEAR)
        del half
        warped = cv2.warpPerspective(
            rgba8, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
        )
        a = warped[..., 3].astype(np.float32) * (1 / 255.0)
        img *= (1 - a)[..., None]
        del a
        rgbf = warped[..., :3].astype(np.float32)
        del warped
        cv2.scaleAdd(rgbf, 1 / 255.0, img, dst=img)
        del rgbf
        P.apply_light(img, light, a_small)
        geo_up = {"board": P.apply_h(M, geo["surface"]), "frame": frame_quad}
        if geo["table"]:
            geo_up["table"] = P.apply_h(M, geo["table"])
        if fx and fx["cast_shadow"] and "table" in geo_up:
            p0, d0, n0 = P.cast_shadow_line(fx["cast"], geo_up["table"], geo_up["board"])
            P.apply_cast_shadow(img, fx["cast"], p0, n0)
            meta["cast_shadow"] = {
                "point_upright": [round(float(v), 1) for v in p0],
                "direction": [round(float(v), 4) for v in d0],
                "dark_side_normal": [round(float(v), 4) for v in n0],
                "darkening": round(fx["cast"]["dark"], 3),
            }
        meta["camera"] = {k2: round(v, 3) for k2, v in cam.items()} | {"fill": round(fill, 3)}
        meta["render_px_per_unit"] = round(r, 4)
    img8 = P.apply_lens(img, light, rng_px, scale)
    del img

    # truth
    truth = C.truth_document(content, source)
    sw, sh_ = (H, W) if orientation in (6, 8) else (W, H)
    corpus = {
        "generator": "samples/generate.py",
        "seed": seed,
        "index": i,
        "kind": kind,
        "expect": meta["expect"],
        "fonts": fonts_used,
        "pen_colours": pens_used,
        "exif_orientation": orientation,
        "exif_datetime_original": when,
        "phone": f"{phone[0]} {phone[1]}",
        "jpeg_quality": quality,
        "image_size": [sw, sh_],
        "image_size_upright": [W, H],
        "corners_note": (
            "*_corners are [x, y] in the stored JPEG pixel array (before the EXIF "
            "orientation is applied); *_corners_upright after it. Order: top-left, "
            "top-right, bottom-right, bottom-left of the board as written on. "
            "board = white writing surface inside the frame; frame = outer edge "
            "of the aluminium frame; table = outer rectangle of the table grid "
            "(drawn or not). Points may lie outside the image."
        ),
    }
    for key in ("board", "frame", "table"):
        if key in geo_up:
            up = geo_up[key]
            corpus[f"{key}_corners"] = P.to_stored_xy(up, orientation, W, H)
            corpus[f"{key}_corners_upright"] = [
                [round(float(x), 1), round(float(y), 1)] for x, y in up
            ]
        else:
            corpus[f"{key}_corners"] = None
            corpus[f"{key}_corners_upright"] = None
    if "board" in geo_up:
        b = geo_up["board"]
        corpus["board_cut_off"] = bool(
            (b[:, 0] < 0).any()
            or (b[:, 0] > W - 1).any()
            or (b[:, 1] < 0).any()
            or (b[:, 1] > H - 1).any()
        )
    corpus["table_border"] = plan.border if plan and kind == "table" else None
    corpus["table_rows"] = plan.rows if plan and kind == "table" else 0
    corpus["table_cols"] = plan.cols if plan and kind == "table" else 0
    corpus["table_header_rows"] = 1 if kind == "table" else 0
    corpus["status_column"] = bool(content.status_col)
    corpus["effects"] = {
        "glare_blobs": len(light["glare"]) if kind != "no_board" else 0,
        "glare_streak": light["streak"] and kind != "no_board",
        "hard_shadow": light["hard_shadow"],
        "blur_sigma": round(light["blur"] * scale, 2),
        "motion_blur_px": round(light["motion"] * scale, 1),
        "noise": round(light["noise"], 4),
        "ghost_marks": len(plan.ghosts) if plan else 0,
        "wall": meta.get("scene", "wall"),
    }
    if fx:
        corpus["effects"].update(
            {
                "hand_jitter": round(fx["hand_jitter"], 3) if plan else 0.0,
                "drying_marker": plan.dry["pen"] if plan and plan.dry else None,
                "cast_shadow": meta.get("cast_shadow"),
                "five_mp": fx["five_mp"],
                "shaken": fx["shaken"],
                "touching_actions": bool(plan and plan.action_gap is not None),
            }
        )
        if plan and plan.dry:
            corpus["effects"]["drying"] = {
                "level": round(fx["dry_level"], 3),
                "patch": round(fx["dry_patch"], 3),
            }
        if plan and plan.action_gap is not None:
            corpus["effects"]["action_line_gap"] = round(plan.action_gap, 3)
        corpus["effects"]["groups"] = hardship_groups(corpus["effects"])
    if "camera" in meta:
        corpus["camera"] = meta["camera"]
    truth["corpus"] = corpus
    return (
        img8,
        truth,
        {"orientation": orientation, "quality": quality, "when": when, "phone": phone},
    )


def write_photo(
    out_dir: Path,
    name: str,
    seed: int,
    i: int,
    long_side: int | None,
    overrides: dict | None = None,
) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.jpg"
    img8, truth, so = make_photo(seed, i, long_side, overrides, source=path.name)
    P.save_jpeg(path, img8, so["orientation"], so["quality"], so["when"], so["phone"])
    (out_dir / f"{name}.truth.json").write_text(
        json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def photo_name(i: int) -> str:
    return f"board-{i:04d}"


def generate_corpus(
    out_dir: Path, n: int, seed: int, long_side: int | None = None, hard: bool = True
) -> list[Path]:
    """Write n photos (out_dir/<name>.jpg + <name>.truth.json); return the photo paths in order.
    hard=False: without the hardship effects (the corpus older bench runs measured)."""
    ov = None if hard else {"hard": False}
    return [write_photo(Path(out_dir), photo_name(i), seed, i, long_side, ov) for i in range(n)]


def generate_samples(out_dir: Path) -> list[Path]:
    """The committed sample set (fixed seed, long side 1600 px, JPEG quality 85)."""
    out = []
    for i, (name, ov) in enumerate(SAMPLE_SPECS):
        ov = dict(ov, quality=SAMPLES_QUALITY, hard=False)
        out.append(write_photo(Path(out_dir), name, SAMPLES_SEED, i, SAMPLES_LONG_SIDE, ov))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="output folder for a corpus")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--long-side",
        type=int,
        default=None,
        help="downsize: long side of the photos in pixels (default: full 8-12 MP)",
    )
    ap.add_argument("--samples", type=Path, help="regenerate the committed sample set here")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical)")
    ap.add_argument(
        "--plain",
        action="store_true",
        help="without the hardship effects: the corpus as generated before they existed",
    )
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.samples:
        paths = generate_samples(args.samples)
    elif args.out:
        if args.jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(args.jobs) as ex:
                ov = {"hard": False} if args.plain else None
                futs = [
                    ex.submit(
                        write_photo, args.out, photo_name(i), args.seed, i, args.long_side, ov
                    )
                    for i in range(args.n)
                ]
                paths = [f.result() for f in futs]
        else:
            paths = generate_corpus(
                args.out, args.n, args.seed, args.long_side, hard=not args.plain
            )
    else:
        ap.error("give --out DIR (with --n/--seed) or --samples DIR")
    dt = time.time() - t0
    print(
        f"wrote {len(paths)} photos in {dt:.1f} s ({dt / max(1, len(paths)):.2f} s/photo)",
        file=sys.stderr,
    )
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
