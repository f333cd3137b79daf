"""Runs the real BoardSnap pipeline on photos in its own process, for bench/runner.py.

    python -m bench.boardsnap_worker PHOTO [PHOTO ...]

stdout: `{"ready": true, "init_seconds": ...}`, then one JSON line per photo:

    {"photo": "...", "ok": true, "outcome": "board", "board": {...board document...},
     "extract_seconds": 2.1, "pdf_seconds": 0.6, "maxrss_mb": 410.2}
    {"photo": "...", "ok": true, "outcome": "no_table", "extract_seconds": 1.2, ...}
    {"photo": "...", "ok": false, "error": "BadInput (exit 3): ...", ...}

Start-up (imports, the OCR engine, WeasyPrint's first layout) is done before the ready line and
not counted against any photo. Logs go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback


def main(argv: list[str]) -> int:
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    t0 = time.perf_counter()
    from boardsnap import pipeline, report
    from boardsnap.config import Config
    from boardsnap.document import Board
    from boardsnap.errors import BoardSnapError, NoTableFound
    from boardsnap.workers import peak_rss_mb

    cfg = Config()
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

    for path in argv:
        record: dict = {"photo": path, "ok": True}
        t = time.perf_counter()
        try:
            extraction = extract(path)
            record["extract_seconds"] = round(time.perf_counter() - t, 4)
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
        record["maxrss_mb"] = round(peak_rss_mb(), 1)
        emit(record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
