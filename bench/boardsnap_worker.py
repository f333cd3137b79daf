"""Runs the real BoardSnap pipeline on photos in its own process, for bench/runner.py.

    python -m bench.boardsnap_worker PHOTO [PHOTO ...]

stdout: `{"ready": true, "init_seconds": ...}`, then one JSON line per photo:

    {"photo": "...", "ok": true, "outcome": "board", "board": {...board document...},
     "extract_seconds": 2.1, "extract_cpu_seconds": 2.0, "pdf_seconds": 0.6, "maxrss_mb": 410.2}
    {"photo": "...", "ok": true, "outcome": "no_table", "extract_seconds": 1.2, ...}
    {"photo": "...", "ok": false, "error": "BadInput (exit 3): ...", ...}

Start-up (imports, the OCR engine, WeasyPrint's first layout) is done before the ready line and
not counted against any photo. Logs go to stderr.

With BENCH_CONFIG=FILE, the settings are read from that TOML file (`python -m bench --config`).
With BENCH_TESSERACT_EVERY=K in the environment, every K-th photo is also read by whole-page
`tesseract PHOTO -` right after BoardSnap read it, and both CPU times are recorded
("tesseract_cpu_seconds"): a ratio of the two holds on a machine whose speed drifts.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import traceback


def _tesseract_cpu_seconds(path: str) -> float | None:
    """CPU seconds of whole-page `tesseract PATH -` (None when it is not installed or fails)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            ["tesseract", path, "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        return None
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str]) -> int:
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    t0 = time.perf_counter()
    from boardsnap.batch.workers import peak_rss_mb, release_memory, tune_malloc
    from boardsnap.config import Config
    from boardsnap.document import Board
    from boardsnap.errors import BoardSnapError, NoTableFound
    from boardsnap.reading import pipeline
    from boardsnap.report import render as report

    settings = os.environ.get("BENCH_CONFIG")  # python -m bench --config FILE
    cfg = Config.from_file(settings) if settings else Config()
    tune_malloc(cfg.limits.worker_mmap_threshold)  # as a batch worker runs
    engine = "unknown"
    if hasattr(pipeline, "Pipeline"):  # one warm OCR engine, loaded before the first photo
        pipe = pipeline.Pipeline(cfg)
        extract = pipe.extract
        engine = f"{pipe.engine.name} {getattr(pipe.engine, 'version', '?')}"
    else:

        def extract(path):
            return pipeline.extract(path, cfg)

    report.render_pdf(Board(source="warm-up"), cfg.report, report.Evidence())  # load WeasyPrint
    emit({"ready": True, "init_seconds": round(time.perf_counter() - t0, 3), "engine": engine})

    every = int(os.environ.get("BENCH_TESSERACT_EVERY", "0") or 0)
    for i, path in enumerate(argv):
        record: dict = {"photo": path, "ok": True}
        t = time.perf_counter()
        cpu = time.process_time()
        try:
            extraction = extract(path)
            record["extract_seconds"] = round(time.perf_counter() - t, 4)
            record["extract_cpu_seconds"] = round(time.process_time() - cpu, 4)
            record["outcome"] = "board"
            record["board"] = extraction.board.to_dict()
            t = time.perf_counter()
            pdf = report.render_pdf(
                extraction.board,
                cfg.report,
                report.Evidence(board_image=extraction.rectified.image),
            )
            record["pdf_seconds"] = round(time.perf_counter() - t, 4)
            record["pdf_bytes"] = len(pdf)
        except NoTableFound:
            record["extract_seconds"] = round(time.perf_counter() - t, 4)
            record["outcome"] = "no_table"
        except BoardSnapError as exc:
            record.update(ok=False, error=f"{type(exc).__name__} (exit {int(exc.exit_code)})")
            record["detail"] = str(exc)[:300]
        except Exception as exc:  # a bug in BoardSnap: counted, and the traceback kept in the log
            traceback.print_exc(file=sys.stderr)
            record.update(ok=False, error=f"bug: {type(exc).__name__}", detail=str(exc)[:300])
        extraction = pdf = None
        release_memory()  # as a batch worker does between photos
        if every and i % every == 0 and "extract_cpu_seconds" in record:
            record["tesseract_cpu_seconds"] = _tesseract_cpu_seconds(path)
        record["maxrss_mb"] = round(peak_rss_mb(), 1)
        emit(record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
