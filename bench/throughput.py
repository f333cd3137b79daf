"""Batch throughput: photos per minute through `boardsnap.batch.plan.run_batch` (PDF reports).

    python -m bench --throughput-only --throughput-n 16

Runs the real batch on the generated corpus into a fresh output folder each time: with 1 local
worker process, with 2, and on a Dask `LocalCluster` of 2 single-thread worker processes. The
wall time covers everything a user waits for, from the call to the index being written: worker
start-up and OCR engine loading included (the cluster itself is started before the clock);
"after start-up" counts from the first photo done to the last, which is what a long batch
converges to.
Peak memory is each worker process's own high-water mark (VmHWM), the largest over workers.
"cores busy" is the workers' CPU time over the wall time: how many cores the batch actually
got. On an idle 2-core machine 2 processes keep close to 2 busy; on a shared machine other
people's work takes its share, the scaling ratio drops with it, and the load average printed
before and after says how loaded the machine was.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from boardsnap.batch.plan import PhotoOutcome, run_batch
from boardsnap.config import Config


@dataclass
class Run:
    label: str
    photos: int
    seconds: float
    workers: int
    peak_mb: float | None
    statuses: dict[str, int]
    cpu: list[float]  # worker CPU seconds per photo
    steady: float | None  # photos per minute from the first photo done to the last

    @property
    def per_minute(self) -> float:
        return self.photos / self.seconds * 60


def _batch(label: str, photos: list[Path], workdir: Path, log, **kw) -> Run:
    outdir = workdir / f"throughput-{label.replace(' ', '-')}"
    shutil.rmtree(outdir, ignore_errors=True)
    seen: list[PhotoOutcome] = []
    times: list[float] = []

    def done(outcome: PhotoOutcome) -> None:
        seen.append(outcome)
        times.append(time.perf_counter())

    print(f"bench: throughput, {label}, {len(photos)} photos ...", file=log, flush=True)
    t0 = time.perf_counter()
    summary = run_batch(photos, outdir, Config(), "pdf", on_outcome=done, **kw)
    seconds = time.perf_counter() - t0
    peaks: dict[str, float] = {}
    for o in seen:
        if o.worker and o.peak_mb is not None:
            peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.peak_mb)
    statuses = {"ok": summary.converted, "no_table": summary.no_table, "failed": summary.failed}
    cpu = [o.cpu_seconds for o in seen if o.cpu_seconds is not None]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    steady = (len(times) - 1) / span * 60 if span > 0 else None
    return Run(
        label,
        len(photos),
        seconds,
        len(peaks),
        max(peaks.values()) if peaks else None,
        statuses,
        cpu,
        steady,
    )


def measure(photos: list[Path], workdir: Path, log, dask: bool = True) -> list[Run]:
    runs = [
        _batch("1 process", photos, workdir, log, workers=1),
        _batch("2 processes", photos, workdir, log, workers=2),
    ]
    if dask:
        try:
            from distributed import LocalCluster
        except ImportError:
            print("bench: distributed is not installed: no Dask figures", file=log)
            return runs
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            runs.append(
                _batch(
                    "Dask LocalCluster 2x1",
                    photos,
                    workdir,
                    log,
                    scheduler=cluster.scheduler_address,
                )
            )
    return runs


def render(runs: list[Run], load_before: tuple, load_after: tuple) -> str:
    base = runs[0].per_minute
    base_steady = runs[0].steady
    lines = [
        "| run | photos | wall s | photos/min | vs 1 process | after start-up: photos/min | "
        "vs 1 process | worker processes | cores busy | worker CPU s/photo (median) | "
        "peak MB per worker | ok / no table / failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else "—"
        s = r.statuses
        lines.append(
            f"| {r.label} | {r.photos} | {r.seconds:.1f} | {r.per_minute:.1f} | "
            f"{r.per_minute / base:.2f}× | {_num(r.steady)} | "
            f"{_num(r.steady / base_steady if r.steady and base_steady else None, 2, '×')} | "
            f"{r.workers} | {sum(r.cpu) / r.seconds:.2f} | "
            f"{statistics.median(r.cpu) if r.cpu else float('nan'):.2f} | {peak} | "
            f"{s['ok']} / {s['no_table']} / {s['failed']} |"
        )
    lines.append("")
    lines.append(
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)} on {os.cpu_count()} cores."
    )
    return "\n".join(lines) + "\n"


def _num(value: float | None, places: int = 1, unit: str = "") -> str:
    return "—" if value is None else f"{value:.{places}f}{unit}"
