"""Load on `boardsnap serve`: N photos uploaded at once, results checked, peak memory measured.

    python -m bench.web_load [-n 20] [--workers 2] PHOTO...

Starts the server itself on a free loopback port (never anything but 127.0.0.1), uploads the
photos once, together (warm-up: the baseline peak memory), then N at once, checks that
every upload of a photo gave the same board document as the warm-up did, and prints the wall
time and the server's peak resident memory (VmHWM) before and after the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    data_dir: Path
    token: str | None
    log: Path

    def peak_rss_mb(self) -> float:
        """The server's peak resident set size so far (Linux's VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token or '-'}"}


@contextlib.contextmanager
def running_server(
    data_dir: Path, *, token: str | None = None, workers: int = 2, timeout: float = 90
) -> Iterator[Server]:
    """`boardsnap serve` in a child process on a free loopback port; stopped on exit."""
    port = free_port()
    log = data_dir / "server.log"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    env.pop("BOARDSNAP_TOKEN", None)
    cmd = [
        sys.executable,
        "-m",
        "boardsnap.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir / "data"),
        "--workers",
        str(workers),
    ]
    if token:
        cmd += ["--token", token]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    server = Server(f"http://127.0.0.1:{port}", process, data_dir / "data", token, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if httpx.get(server.url + "/api/services", headers=server.headers()).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in {timeout} s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _upload(client: httpx.AsyncClient, server: Server, photo: Path) -> tuple[int, dict]:
    with photo.open("rb") as fh:
        files = {"photo": (photo.name, fh.read(), "image/jpeg")}
    response = await client.post(server.url + "/api/boards", files=files, headers=server.headers())
    return response.status_code, response.json()


def _content(board: dict) -> str:
    """A board document without what differs between uploads of one photo (nothing should)."""
    return json.dumps(board, sort_keys=True)


@dataclass
class LoadResult:
    n: int
    ok: int
    mismatched: int
    seconds: float
    peak_rss_warm_mb: float
    peak_rss_after_mb: float
    statuses: list[int]


async def _burst(server: Server, photos: list[Path], n: int) -> tuple[list, float]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        t0 = time.perf_counter()
        results = await asyncio.gather(
            *[_upload(client, server, photos[i % len(photos)]) for i in range(n)]
        )
        return results, time.perf_counter() - t0


def run_load(server: Server, photos: list[Path], n: int = 20) -> LoadResult:
    # warm-up: each photo once, all at once (every worker busy: the baseline working set);
    # their documents are the reference for the burst
    expected = {}
    warmup, _ = asyncio.run(_burst(server, photos, len(photos)))
    for photo, (status, body) in zip(photos, warmup, strict=True):
        if status != 201:
            raise RuntimeError(f"{photo.name}: warm-up upload failed with {status}: {body}")
        expected[photo] = _content(body["board"])
    warm = server.peak_rss_mb()
    results, seconds = asyncio.run(_burst(server, photos, n))
    after = server.peak_rss_mb()
    mismatched = 0
    for i, (status, body) in enumerate(results):
        photo = photos[i % len(photos)]
        if status == 201 and _content(body["board"]) != expected[photo]:
            mismatched += 1
    return LoadResult(
        n=n,
        ok=sum(status == 201 for status, _ in results),
        mismatched=mismatched,
        seconds=seconds,
        peak_rss_warm_mb=warm,
        peak_rss_after_mb=after,
        statuses=[status for status, _ in results],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photos", nargs="*", type=Path)
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    photos = args.photos or sorted((ROOT / "samples").glob("sample-0[1-2]*.jpg"))
    with tempfile.TemporaryDirectory() as tmp:
        with running_server(Path(tmp), token=secrets.token_urlsafe(24), workers=args.workers) as s:
            r = run_load(s, photos, args.n)
    print(
        f"{r.ok}/{r.n} uploads read ({r.mismatched} differing from the warm-up) in "
        f"{r.seconds:.1f} s with {args.workers} workers ({r.seconds / r.n:.2f} s a photo); "
        f"server peak RSS {r.peak_rss_warm_mb:.0f} MB after warm-up, "
        f"{r.peak_rss_after_mb:.0f} MB after the burst"
    )


if __name__ == "__main__":
    main()
