"""Load: 20 photos uploaded at once to the real server all come back right, and the server's
memory stays bounded by its worker count, not by the number of uploads."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web_load import run_load, running_server  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GROWTH_LIMIT_MB = 200  # peak RSS growth allowed from the warm-up (every worker busy) to the burst


def test_twenty_concurrent_uploads(tmp_path):
    photos = [SAMPLES / "sample-01-payments.jpg", SAMPLES / "sample-05-nines.jpg"]
    with running_server(tmp_path, token="load-test-token-0123456789", workers=2) as server:
        result = run_load(server, photos, n=20)
    print(
        f"\n{result.ok}/{result.n} in {result.seconds:.1f} s; peak RSS "
        f"{result.peak_rss_warm_mb:.0f} MB warm, {result.peak_rss_after_mb:.0f} MB after",
        file=sys.stderr,
    )
    assert result.statuses == [201] * 20
    assert result.mismatched == 0  # every upload read exactly as the same photo alone
    growth = result.peak_rss_after_mb - result.peak_rss_warm_mb
    assert growth < GROWTH_LIMIT_MB, f"peak RSS grew {growth:.0f} MB under load"
