"""A batch worker's memory stays flat over photos: real worker code (`convert_job`), real
pipeline and OCR, photos of 10 MP (committed samples scaled up), each worker in a fresh process.

glibc left to itself keeps photo-sized arrays in its heap once one has been freed, and a
worker's memory grew photo after photo (bench: 355 MB after one photo, 550-770 MB after 40).
The worker trims its heap after each photo; with `[limits] worker_mmap_threshold` set (off by
default: it costs CPU, see config.py) such blocks are also mapped on their own
(boardsnap.batch.workers.tune_malloc, release_memory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from boardsnap.batch import workers

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# Run in a child: converts each photo with convert_job, prints the resident memory (MB) after
# each one and the worker's peak.
_CHILD = r"""
import json, sys
from pathlib import Path
from boardsnap.batch.jobs import Job
from boardsnap.batch.workers import convert_job, peak_rss_mb, warm_pipeline
from boardsnap.config import Config

threshold, out, photos = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
out.mkdir(parents=True, exist_ok=True)
cfg = Config().with_overrides(limits={"worker_mmap_threshold": threshold})
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

warm_pipeline(cfg).engine  # as a worker process starts
start, after = rss(), []
for i, p in enumerate(photos):
    job = Job(Path(p), p, out / f"{i}.json", f"{i}.json", "json")
    outcome = convert_job(job, cfg)
    assert outcome.status in ("ok", "no_table"), outcome.reason
    after.append(rss())
print(json.dumps({"start": start, "after": after, "peak": peak_rss_mb()}))
"""


def _run_worker(threshold: int, photos: list[Path], out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(threshold), str(out), *map(str, photos)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def big_photos(tmp_path_factory) -> list[Path]:
    """Three boards (one without a table) at 3648 x 2736 and 3648 x 2052: decoded whole (no
    JPEG draft), as a 10 MP phone photo is."""
    folder = tmp_path_factory.mktemp("big")
    out = []
    for name in ("sample-01-payments", "sample-02-checkout-status", "sample-09-no-table"):
        img = cv2.imread(str(SAMPLES / f"{name}.jpg"))
        h, w = img.shape[:2]
        big = cv2.resize(img, (3648, round(h * 3648 / w)), interpolation=cv2.INTER_CUBIC)
        path = folder / f"{name}.jpg"
        cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
        out.append(path)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_glibc_tuning_takes():
    assert workers.tune_malloc(1 << 18)
    workers.release_memory()  # runs; whether it had anything to give back depends


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_a_worker_gives_each_photos_memory_back(big_photos, tmp_path):
    photos = big_photos * 3  # nine photos
    tuned = _run_worker(1 << 18, photos, tmp_path / "tuned")
    # what the worker holds after a photo, past the first: measured 1-3 MB more over the next
    # eight photos (glibc's own way, [limits] worker_mmap_threshold = 0: 150 MB more, a peak of
    # 403 MB). The bounds are generous against other machines; 400 MB is issue 18's bar.
    assert max(tuned["after"]) - tuned["after"][0] < 30, tuned
    assert tuned["peak"] < 400, tuned
