"""The benchmark corpus: photos made by samples/generate.py, with their truth beside them.

A folder that already holds a corpus of the same n, seed, size and kind (its `corpus.json` says
so, and every file is there) is reused as it is. The kind: with the hardship effects (the
default) or plain, as the generator made them before they existed (`hard=False`).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from boardsnap.document import Board

REPO = Path(__file__).resolve().parent.parent
MANIFEST = "corpus.json"


@dataclass(frozen=True)
class Sample:
    photo: Path
    truth: Board
    kind: str  # table | blank_board | no_table | no_board
    expect: str  # "ok": an SLA table is on it; "no_table": BoardSnap must say there is none
    effects: dict = field(default_factory=dict)  # the truth's corpus.effects (bench/groups.py)


def truth_path(photo: Path) -> Path:
    return photo.with_name(photo.stem + ".truth.json")


def ensure_corpus(
    folder: Path, n: int, seed: int, long_side: int | None, log, hard: bool = True
) -> tuple[list[Path], float]:
    """Photo paths, and the seconds spent generating them (0 when reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {"n": n, "seed": seed, "long_side": long_side, "hard": hard}
    manifest = folder / MANIFEST
    if manifest.exists():
        try:
            data = json.loads(manifest.read_text())
        except (OSError, json.JSONDecodeError):
            data = {}
        photos = [folder / name for name in data.get("photos", [])]
        if (
            {k: data.get(k) for k in wanted} == wanted
            and photos
            and all(p.exists() and truth_path(p).exists() for p in photos)
        ):
            print(f"bench: reusing the corpus in {folder} ({len(photos)} photos)", file=log)
            return photos, 0.0
    sys.path.insert(0, str(REPO / "samples"))
    import generate  # samples/generate.py

    print(
        f"bench: generating {n} {'' if hard else 'plain '}photos (seed {seed}) into {folder} ...",
        file=log,
        flush=True,
    )
    t0 = time.perf_counter()
    photos = [
        Path(p) for p in generate.generate_corpus(folder, n, seed, long_side=long_side, hard=hard)
    ]
    seconds = time.perf_counter() - t0
    manifest.write_text(json.dumps({**wanted, "photos": [p.name for p in photos]}, indent=1))
    return photos, seconds


def load_sample(photo: Path) -> Sample:
    data = json.loads(truth_path(photo).read_text(encoding="utf-8"))
    corpus = data.get("corpus") or {}
    return Sample(
        photo=photo,
        truth=Board.from_dict(data),
        kind=str(corpus.get("kind", "table")),
        expect=str(corpus.get("expect", "ok")),
        effects=dict(corpus.get("effects") or {}),
    )
