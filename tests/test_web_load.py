"""Load: 20 photos uploaded at once to the real server all come back right, and the server's
memory stays bounded by its worker count, not by the number of uploads."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web_load import run_load, running_server  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GROWTH_LIMIT_MB = 200  # peak RSS growth allowed from the warm-up (every worker busy) to the burst


READER_PEAK_MB = 1200  # one photo reader process, OCR models loaded (as the CLI's bound)


def readers(pid: int) -> dict[int, float]:
    """The server's photo reader processes (spawned children) and their peak RSS in MB."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            proc = Path(f"/proc/{child}")
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
                status = (proc / "status").read_text()
                hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
                found[int(child)] = int(hwm.split()[1]) / 1024
    return found


def test_twenty_concurrent_uploads(tmp_path):
    photos = [SAMPLES / "sample-01-payments.jpg", SAMPLES / "sample-05-nines.jpg"]
    with running_server(tmp_path, token="load-test-token-0123456789", workers=2) as server:
        before = readers(server.process.pid)
        result = run_load(server, photos, n=20)
        after = readers(server.process.pid)
    # photos are read in worker processes: as many as workers, the same ones before and after
    # the burst (none died or was replaced), each within the bound
    assert len(before) == 2 and set(after) == set(before), (before, after)
    assert max(after.values()) < READER_PEAK_MB, after
    print(f"readers' peak RSS {sorted(round(v) for v in after.values())} MB", file=sys.stderr)
    print(
        f"\n{result.ok}/{result.n} in {result.seconds:.1f} s; peak RSS "
        f"{result.peak_rss_warm_mb:.0f} MB warm, {result.peak_rss_after_mb:.0f} MB after",
        file=sys.stderr,
    )
    assert result.statuses == [201] * 20
    assert result.mismatched == 0  # every upload read exactly as the same photo alone
    growth = result.peak_rss_after_mb - result.peak_rss_warm_mb
    assert growth < GROWTH_LIMIT_MB, f"peak RSS grew {growth:.0f} MB under load"
