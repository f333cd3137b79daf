"""Run a JSON-lines worker over photos in child processes, with a time limit per photo.

A worker is a command that takes photo paths as arguments, prints `{"ready": true, ...}` once
its engine is loaded, then one JSON object per photo, in order, each with a "photo" key (see
bench/peers_worker.py and bench/boardsnap_worker.py). This module splits the photos over
`workers` processes, waits at most `timeout` seconds for each photo's line, and when a worker
hangs (killed) or dies, records that photo as failed with the reason and starts a new worker on
the photos left. Each process's own peak memory is in its lines (`maxrss_mb`), so a worker's peak
is its own, not the benchmark's.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

STARTUP_TIMEOUT = 600.0  # seconds for a worker to import its libraries and load models


def run_pool(
    command: list[str],
    photos: list[Path],
    *,
    workers: int,
    timeout: float,
    label: str,
    log_path: Path,
    env: dict[str, str] | None = None,
    progress: Callable[[str, dict], None] | None = None,
) -> tuple[dict[str, dict], list[dict]]:
    """Records by photo path (str), and the ready line of every worker process started."""
    shares = [photos[i::workers] for i in range(max(1, workers))]
    results: dict[str, dict] = {}
    startups: list[dict] = []
    lock = threading.Lock()
    log_path.parent.mkdir(parents=True, exist_ok=True)

    def run_share(share: list[Path], index: int) -> None:
        with open(log_path.with_suffix(f".{index}.log"), "a", encoding="utf-8") as log:
            for record in _run_share(command, share, timeout, log, env, startups, lock):
                with lock:
                    results[record["photo"]] = record
                if progress:
                    progress(label, record)

    threads = [
        threading.Thread(target=run_share, args=(share, i), daemon=True)
        for i, share in enumerate(shares)
        if share
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, startups


def _run_share(command, share, timeout, log, env, startups, lock):
    remaining = [str(p) for p in share]
    while remaining:
        proc = subprocess.Popen(
            command + remaining,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group, so a kill takes its children too
        )
        lines = _LineReader(proc)
        t0 = time.perf_counter()
        ready = lines.next(STARTUP_TIMEOUT)
        if ready is None or not ready.get("ready"):
            reason = _why_stopped(proc, lines, "did not start")
            _kill(proc)
            for photo in remaining:  # a worker that cannot start will not read any photo
                yield {"photo": photo, "ok": False, "failure": reason}
            return
        with lock:
            ready.setdefault("init_seconds", round(time.perf_counter() - t0, 3))
            startups.append(ready)
        while remaining:
            record = lines.next(timeout)
            if record is None:
                reason = _why_stopped(proc, lines, f"timeout {timeout:.0f}s")
                _kill(proc)
                yield {"photo": remaining.pop(0), "ok": False, "failure": reason}
                break  # a new worker for the photos left
            if record.get("photo") != remaining[0]:
                _kill(proc)
                yield {"photo": remaining.pop(0), "ok": False, "failure": "worker out of step"}
                break
            remaining.pop(0)
            yield record
        else:
            proc.wait(timeout=30)
            return
        print(f"[{' '.join(command[:2])}] restarting worker", file=log, flush=True)


class _LineReader:
    """Reads a child's stdout line by line with a deadline per line."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.buffer = b""
        self.eof = False
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ)

    def next(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while True:
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if not line.strip():
                    continue
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue  # not ours: libraries that print past the redirection
            if self.eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                self.eof = True
            self.buffer += chunk


def _why_stopped(proc: subprocess.Popen, lines: _LineReader, otherwise: str) -> str:
    if lines.eof:
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return otherwise
        if code < 0:
            try:
                return f"crash ({signal.Signals(-code).name})"
            except ValueError:
                return f"crash (signal {-code})"
        return f"crash (exit {code})"
    return otherwise


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"worker {proc.pid} did not stop", file=sys.stderr)
