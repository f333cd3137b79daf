"""Where batch photos are converted: local worker processes, or the workers of a Dask cluster.

Both run `convert_job` on each photo: read it with a warm pipeline (one OCR engine per worker
process, loaded once), write its report atomically, and return a `PhotoOutcome` (the board,
the photo's sha256, the outcome with its reason and exit code). A photo's failure is an outcome,
never an exception, so it cannot stop the others.

Local: a `ProcessPoolExecutor` with a process per worker, at most two photos in flight per
worker. When a worker process dies (a segfault in a native library, the OOM killer, a kill),
`concurrent.futures` breaks the whole pool and fails every photo in flight with
`BrokenProcessPool`; those photos are then run again one at a time in a pool of their own, so
the one that kills its worker is found and recorded as failed, and the others are converted.
Workers die with the parent (`PR_SET_PDEATHSIG` on Linux), so a batch killed with kill -9
leaves no worker writing behind its back.

Dask: the same function is submitted to the cluster; each worker process keeps its pipeline in
a per-thread cache. A worker that dies is retried by the scheduler and, past its
`allowed-failures`, reported as `KilledWorker`: recorded as that photo's failure.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import ctypes
import logging
import multiprocessing
import os
import re
import resource
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from boardsnap import fileio
from boardsnap.batch.jobs import Job, PhotoOutcome, printable, sha256_file
from boardsnap.config import Config
from boardsnap.errors import (
    BadInput,
    BoardSnapError,
    ExitCode,
    MissingDependency,
    NoTableFound,
    OutputError,
    SchedulerUnreachable,
)
from boardsnap.limits import time_limit

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2
DASK_CONNECT_TIMEOUT = "15s"
# boardsnap.fileio's temporary names (`.NAME.PID-RANDOM.tmp`) of the files a batch writes
_TEMP_NAME = re.compile(r"^\..+\.(pdf|html|json|csv|txt)\.(\d+)-[0-9a-f]{8}\.tmp$")
_PR_SET_PDEATHSIG = 1

PipelineFactory = Callable[[Config], object]


# ---- one photo, in a worker ------------------------------------------------------------------

_local = threading.local()


def warm_pipeline(cfg: Config, factory: PipelineFactory | None = None):
    """This thread's pipeline for `cfg`, made once and kept (its OCR engine stays loaded)."""
    key = (cfg, repr(factory))
    if getattr(_local, "key", None) != key:
        tune_malloc(cfg.limits.worker_mmap_threshold)
        old = getattr(_local, "pipeline", None)
        if old is not None and hasattr(old, "close"):
            old.close()
        if factory is None:
            from boardsnap.reading.pipeline import Pipeline

            factory = Pipeline
        _local.pipeline = factory(cfg)
        _local.key = key
    return _local.pipeline


def convert_job(job: Job, cfg: Config, factory: PipelineFactory | None = None) -> PhotoOutcome:
    """Read one photo and write its report. Every failure comes back as an outcome."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    digest: str | None = None
    stat: tuple[int, int] | None = None

    def outcome(status: str, **kw) -> PhotoOutcome:
        return PhotoOutcome(
            job,
            status,
            digest,
            seconds=time.perf_counter() - t0,
            worker=worker,
            stat=stat,
            peak_mb=peak_rss_mb(),
            cpu_seconds=time.process_time() - cpu0,
            **kw,
        )

    try:
        try:
            st = job.source.stat()
            stat = (st.st_size, st.st_mtime_ns)
            digest = sha256_file(job.source)
        except OSError as exc:
            raise BadInput(f"cannot read ({exc.strerror or exc})", path=job.display) from None
        # the per-photo limit (a local worker runs jobs in its main thread, where the timer
        # works; on a Dask worker thread it cannot be enforced and time_limit says so)
        with time_limit(cfg.limits.photo_seconds, job.display):
            extraction = warm_pipeline(cfg, factory).extract(job.source, job.debug_dir)
            _write_report(job, cfg, extraction)
        return outcome("ok", board=extraction.board)
    except NoTableFound as exc:
        return outcome("no_table", reason=exc.message, exit_code=int(exc.exit_code))
    except BoardSnapError as exc:
        return outcome("failed", reason=exc.message + _fix(exc), exit_code=int(exc.exit_code))
    except Exception as exc:  # a bug: the photo fails, the batch goes on, the log has it all
        log.error("%s: internal error\n%s", printable(job.display), traceback.format_exc())
        return outcome(
            "failed",
            reason=f"internal error: {type(exc).__name__}: {exc}",
            exit_code=int(ExitCode.INTERNAL),
        )
    finally:
        extraction = None  # the photo's images: freed, and given back before the next photo
        release_memory()


def _glibc():
    """The C library when it is glibc (mallopt and malloc_trim are its own), else None."""
    global _GLIBC
    if _GLIBC is None:
        _GLIBC = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None)
                if libc.gnu_get_libc_version and libc.mallopt and libc.malloc_trim:
                    _GLIBC = libc
    return _GLIBC or None


_GLIBC = None
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
_tuned: int | None = None


def tune_malloc(threshold: int) -> bool:
    """Have glibc map every block of `threshold` bytes or more on its own (0: leave glibc's
    way), for the whole process; True when it took. A mapped block goes back to the system
    when freed. Left to itself glibc raises the threshold (up to 32 MB) each time such a block
    is freed, so a photo's next arrays come from its heap, which frees into holes that the
    next photo's different sizes fit badly: a worker's memory then grows photo after photo."""
    global _tuned
    libc = _glibc()
    if not threshold or libc is None or _tuned == threshold:
        return bool(threshold) and _tuned == threshold
    if libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(threshold)) != 1:
        return False
    _tuned = threshold
    return True


def release_memory() -> bool:
    """Give the heap's free memory back to the system (glibc's malloc_trim); True when some
    was. Called between photos, not during one: a photo's arrays are all freed by then."""
    libc = _glibc()
    return bool(libc.malloc_trim(ctypes.c_size_t(0))) if libc is not None else False


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MB. VmHWM where Linux has it: ru_maxrss keeps
    the high-water mark of the parent's memory image across fork + exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _fix(exc: BoardSnapError) -> str:
    return f"; {exc.fix}" if exc.fix else ""


def _write_report(job: Job, cfg: Config, extraction) -> None:
    from boardsnap.fileio import atomic_write_text, check_output
    from boardsnap.report import render as report

    check_output(job.output, inputs=(job.source,))  # a link in OUTDIR to the photo, a pipe...
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the report's folder ({exc.strerror})", path=str(job.output.parent)
        ) from None
    if job.fmt == "json":
        atomic_write_text(job.output, extraction.board.to_json())
    else:
        evidence = report.Evidence(board_image=extraction.rectified.image)
        report.write_report(extraction.board, job.output, job.fmt, cfg.report, evidence)


def crashed(job: Job, reason: str) -> PhotoOutcome:
    return PhotoOutcome(job, "failed", None, reason=reason, exit_code=int(ExitCode.INTERNAL))


def remove_stale_temporaries(outdir: Path, jobs) -> None:
    """Temporary files a killed run left in the folders this run writes to (never a report:
    reports only appear by rename, complete)."""
    folders = {outdir} | {job.output.parent for job in jobs}
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _TEMP_NAME.match(name)
            if match and not fileio.writer_alive(int(match.group(2))):
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)


# ---- local processes -------------------------------------------------------------------------


def _init_worker(cfg: Config, factory: PipelineFactory | None, parent: int) -> None:
    """Runs once in each worker process: die with the parent, leave Ctrl-C to the parent,
    load the OCR engine."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pipeline = warm_pipeline(cfg, factory)
    with contextlib.suppress(Exception):  # a broken engine fails each photo with its message
        getattr(pipeline, "engine", None)


def local_runner(
    workers: int, cfg: Config, factory: PipelineFactory | None = None
) -> Callable[[list[Job]], Iterator[PhotoOutcome]]:
    workers = max(1, int(workers))

    def run(jobs: list[Job]) -> Iterator[PhotoOutcome]:
        pending = collections.deque(jobs)
        suspects: collections.deque[Job] = collections.deque()
        while pending or suspects:
            isolate = bool(suspects)
            queue = suspects if isolate else pending
            n = 1 if isolate else min(workers, len(queue))
            limit = 1 if isolate else n * IN_FLIGHT_PER_WORKER
            dead: list[Job] = []
            why = yield from _pool_pass(queue, n, limit, cfg, factory, dead)
            if isolate:
                # one photo in flight in a pool of its own: it killed its worker
                yield from (crashed(job, why) for job in dead)
            else:
                if dead:
                    log.warning(
                        "a worker process died (%s); running the %d photo(s) it may have "
                        "been converting again, one at a time",
                        why.removeprefix("the worker process died "),
                        len(dead),
                    )
                suspects.extend(dead)

    return run


def _pool_pass(queue, n, limit, cfg, factory, dead: list[Job]):
    """Run jobs from `queue` in a pool of `n` processes until it is empty or the pool breaks;
    the jobs in flight when it broke go to `dead`. Returns why the pool broke."""
    ctx = multiprocessing.get_context("spawn")  # no inherited threads or locks
    pool = cf.ProcessPoolExecutor(
        n, mp_context=ctx, initializer=_init_worker, initargs=(cfg, factory, os.getpid())
    )
    in_flight: dict[cf.Future, Job] = {}
    processes: list = []
    clean = False
    try:
        while queue or in_flight:
            while queue and len(in_flight) < limit:
                job = queue.popleft()
                in_flight[pool.submit(convert_job, job, cfg, factory)] = job
                processes.extend(
                    p
                    for p in (getattr(pool, "_processes", None) or {}).values()
                    if p not in processes
                )
            done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                job = in_flight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    dead.append(job)
                except Exception as exc:  # pickling trouble and the like: this photo only
                    yield crashed(job, f"internal error: {type(exc).__name__}: {exc}")
            if dead:
                dead.extend(in_flight.values())
                in_flight.clear()
                # the futures fail before the pool has reaped its processes: wait for that,
                # or a process's exit status may not be known yet
                pool.shutdown(wait=True, cancel_futures=True)
                return _death(processes)
        clean = True
        return ""
    finally:
        if not clean:
            for p in processes:  # Ctrl-C, or a broken pool: do not wait for anyone
                with contextlib.suppress(Exception):
                    p.terminate()
        pool.shutdown(wait=clean, cancel_futures=True)


def _death(processes) -> str:
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
    code = next((c for c in codes if c != -signal.SIGTERM), codes[0] if codes else None)
    if code is None:
        how = "unexpectedly"
    elif code < 0:
        try:
            how = f"of signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"of signal {-code}"
    else:
        how = f"with exit status {code}"
    return f"the worker process died {how} while converting this photo"


# ---- Dask ------------------------------------------------------------------------------------


def dask_runner(
    address: str, cfg: Config, factory: PipelineFactory | None = None
) -> Callable[[list[Job]], Iterator[PhotoOutcome]]:
    try:
        import distributed
    except ImportError:
        raise MissingDependency(
            "--scheduler needs the Dask distributed package",
            fix="pip install 'boardsnap[dask]'",
        ) from None

    def run(jobs: list[Job]) -> Iterator[PhotoOutcome]:
        try:
            client = distributed.Client(address, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler ({str(exc).splitlines()[0][:160]})",
                path=address,
                fix="check the address, or start one with `dask scheduler` and its workers "
                "with `dask worker ADDRESS`",
            ) from None
        token = uuid.uuid4().hex[:8]
        with client:
            futures = {
                client.submit(
                    convert_job, job, cfg, factory, pure=False, key=f"boardsnap-{token}-{i}"
                ): job
                for i, job in enumerate(jobs)
            }
            try:
                for fut in distributed.as_completed(list(futures)):
                    job = futures.pop(fut)
                    try:
                        outcome = fut.result()
                    except Exception as exc:  # KilledWorker: the photo took its worker down
                        outcome = crashed(
                            job, f"the Dask worker failed on this photo ({type(exc).__name__})"
                        )
                    fut.release()
                    yield outcome
            finally:
                if futures:
                    with contextlib.suppress(Exception):
                        client.cancel(list(futures))

    return run
