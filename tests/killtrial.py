"""Kill a command at random moments and check that what it writes is complete or absent.

    stats = kill_trials(Spawn(argv), output, check, trials=20, seed=1)
    with Forkserver(["report", "IMG.jpg", "-o", "r.pdf"]) as fs:  # boardsnap, imports done once
        stats = kill_trials(fs, output, check, trials=20)

Every run is a real process: `Spawn` starts `argv`; `Forkserver` forks one from a process that has
already imported BoardSnap and its libraries (the run itself, from the CLI's `main` on, is the
same; only the seconds of importing are skipped, so that the trials spend their time writing).
`output` is the file it writes; `check(path)` raises
AssertionError unless the file is complete and usable (a PDF that parses to its last page, a JSON
document that loads, a database that passes its integrity check). Before every trial `output`
holds an earlier complete version (`previous` bytes) when given, so a kill must leave either that
version or a complete new one, never a mix. The process gets SIGKILL (no handler, no cleanup) at
a moment drawn from the whole run, half of the trials in its last third, where the writing is.
After the trials one more run must finish and leave no temporary file behind: leftovers of the
killed runs must not trip up a later run.

Reusable for any writer (batch reports, history saves): pass its argv, its output and a checker.
Writers whose state carries over from run to run (a history database, a batch folder a rerun
resumes) use `kill_after(starter, delay)` and check the whole state themselves after each kill
(tests/test_kill_trials_batch_save.py).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TrialStats:
    trials: int = 0
    killed: int = 0  # SIGKILL landed while the process ran
    finished: int = 0  # the process had already ended (not killed)
    absent: int = 0  # no output after the trial
    previous: int = 0  # the earlier version, intact
    complete: int = 0  # a complete new version
    temps_left: int = 0  # temporary files killed runs left (each removed by the next run)
    seconds: float = 0.0  # one full run, measured before the trials
    broken: list[str] = field(default_factory=list)  # what the checker refused, per trial

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.trials} trials ({self.killed} killed while running, "
            f"{self.finished} had finished): "
            f"{self.complete} complete new, {self.previous} previous kept, {self.absent} absent, "
            f"{len(self.broken)} broken; "
            f"{self.temps_left} left a temp file (the next run removed it)"
        )


def default_temps(output: Path) -> list[Path]:
    """Temporary files of boardsnap.fileio beside `output` (`.NAME.PID-RANDOM.tmp`)."""
    pattern = re.compile(re.escape(f".{output.name}.") + r".*\.tmp")
    return [p for p in output.parent.iterdir() if pattern.fullmatch(p.name)]


class Spawn:
    """Each run a new process of `argv`."""

    def __init__(self, argv: Sequence[str], env: dict | None = None):
        self.argv, self.env = list(argv), env

    def start(self) -> tuple[int, Callable[[], int]]:
        proc = subprocess.Popen(
            self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env
        )
        return proc.pid, proc.wait


_ZYGOTE = r"""
import importlib, json, os, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
from boardsnap.cli import main
args = json.loads(sys.argv[2])
out = os.fdopen(os.dup(1), "w", buffering=1)
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 1)
out.write("ready\n")
for _ in sys.stdin:
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0); os.dup2(null, 1); os.dup2(null, 2)
        sys.argv = ["boardsnap", *args]
        try:
            main()
        except SystemExit as exc:
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        os._exit(0)
    out.write(f"{pid}\n")
    sys.stdin.readline()  # reaped only when told: until then the pid stays this child's
    _, status = os.waitpid(pid, 0)
    out.write(f"{os.waitstatus_to_exitcode(status)}\n")
"""

PRELOAD = (
    "boardsnap.reading.pipeline",
    "boardsnap.report.render",
    "weasyprint",
    "rapidocr",
    "rapidocr.main",
    "onnxruntime",
    "tesserocr",
    "pandas",
)


class Forkserver:
    """Runs of `boardsnap ARGS`, each a process forked from one that imported `preload`."""

    def __init__(
        self, args: Sequence[str], env: dict | None = None, preload: Sequence[str] = PRELOAD
    ):
        import json
        import sys

        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, json.dumps(list(preload)), json.dumps(list(args))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def start(self) -> tuple[int, Callable[[], int]]:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline())

        def wait() -> int:
            self.proc.stdin.write("reap\n")
            self.proc.stdin.flush()
            return int(self.proc.stdout.readline())

        return pid, wait

    def children_cpu(self) -> float:
        """CPU seconds of the runs reaped so far (and the processes they waited for)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self) -> Forkserver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _running(pid: int) -> bool:
    """Whether the (unreaped) process still runs: not yet a zombie (Linux /proc; elsewhere,
    assume it runs)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _run(starter: Spawn | Forkserver) -> int:
    pid, wait = starter.start()
    return wait()


def timed_run(starter: Spawn | Forkserver) -> tuple[int, float]:
    """One run to its end: (exit code, seconds)."""
    t0 = time.perf_counter()
    code = _run(starter)
    return code, time.perf_counter() - t0


def kill_after(starter: Spawn | Forkserver, delay: float) -> bool:
    """Start a run and SIGKILL it `delay` seconds later; True when it was still running.

    For writers whose state carries over from trial to trial (a database, a batch's output
    folder resumed by the next run), where the caller checks the whole state after each kill."""
    pid, wait = starter.start()
    time.sleep(delay)
    killed = _running(pid)
    if killed:
        os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still this run's
    wait()
    return killed


def kill_trials(
    starter: Spawn | Forkserver,
    output: Path,
    check: Callable[[Path], None],
    *,
    trials: int,
    seed: int = 0,
    previous: bytes | None = None,
    temps: Callable[[Path], list[Path]] = default_temps,
) -> TrialStats:
    stats = TrialStats()
    rng = random.Random(seed)
    output = Path(output)

    # full runs: they must succeed; the fastest warm one tells how long the window is (one run
    # alone can be slow on a busy machine, and then most "early" kills land after the end)
    durations = []
    for _ in range(4):
        output.unlink(missing_ok=True)
        t0 = time.perf_counter()
        code = _run(starter)
        durations.append(time.perf_counter() - t0)
        assert code == 0, f"the full run failed with exit code {code}"
        check(output)
    stats.seconds = min(durations[1:])

    for i in range(trials):
        if previous is None:
            output.unlink(missing_ok=True)
        else:
            output.write_bytes(previous)
        late = i % 2 == 1
        delay = stats.seconds * (rng.uniform(0.65, 1.05) if late else rng.uniform(0.0, 0.85))
        if kill_after(starter, delay):
            stats.killed += 1
        else:
            stats.finished += 1
        stats.trials += 1
        left = temps(output)
        assert len(left) <= 1, f"temporary files of earlier killed runs not removed: {left}"
        stats.temps_left += len(left)  # the next run must remove it
        if not output.exists():
            if previous is not None:
                stats.broken.append(f"trial {i}: the previous version was lost")
            stats.absent += 1
            continue
        data = output.read_bytes()
        if previous is not None and data == previous:
            stats.previous += 1
            continue
        try:
            check(output)
        except AssertionError as exc:
            stats.broken.append(f"trial {i} (kill at {delay:.2f} s): {exc}")
            continue
        stats.complete += 1

    # a later run must not trip over what the killed runs left
    output.unlink(missing_ok=True)
    final = _run(starter)
    assert final == 0, f"the run after the trials failed with exit code {final}"
    check(output)
    left = temps(output)
    assert not left, f"temporary files still there after a clean run: {left}"
    return stats
