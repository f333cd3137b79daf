"""`python -m bench` (`make bench`): BoardSnap against the tools a user might try instead.

    python -m bench [--n 60] [--seed 2026] [--workdir DIR] [--keep] [--no-peers]
                    [--throughput | --throughput-only] [--throughput-n 16]

1. generates a corpus of phone-size photos with their truth (samples/generate.py), or reuses
   the one in --workdir made with the same n and seed;
2. runs the real BoardSnap pipeline on each photo in a child process (its own peak memory),
   timing extraction and the PDF report;
3. runs each peer baseline (bench/baselines.py) in its own venv, in child processes, and feeds
   its reading through the same parse + judge;
4. scores every tool against the truth, field by field (bench/score.py);
5. prints one table on stdout (progress goes to stderr) and appends it, dated, with the machine
   it ran on, to bench/RESULTS.md;
6. with --throughput (make bench), or alone with --throughput-only: batch throughput in photos
   per minute at 1 and 2 worker processes and on a Dask LocalCluster (bench/throughput.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench import baselines, corpus, groups, runner, table, throughput
from bench.score import Outcome, Tally, score_photo

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
DEFAULT_SEED = 2026
BOARDSNAP = "BoardSnap"


def main(argv: list[str] | None = None) -> int:
    args = _options(argv)
    t_start = time.perf_counter()
    progress = _Progress()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if args.throughput_only:
            return _throughput(args, workdir, None)
        photos, gen_seconds = corpus.ensure_corpus(
            workdir / ("corpus-plain" if args.plain_corpus else "corpus"),
            args.n,
            args.seed,
            args.long_side,
            sys.stderr,
            hard=not args.plain_corpus,
        )
        samples = [corpus.load_sample(p) for p in photos]
        negatives = sum(s.expect == "no_table" for s in samples)
        print(
            f"bench: {len(samples)} photos, {negatives} without an SLA table"
            + (f" (generated in {gen_seconds:.0f}s)" if gen_seconds else ""),
            file=sys.stderr,
        )
        env = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONPATH=str(REPO))
        # BoardSnap's workers also time whole-page tesseract on every K-th photo
        bs_env = dict(env, BENCH_TESSERACT_EVERY=str(args.vs_tesseract_every))
        if args.config is not None:
            bs_env["BENCH_CONFIG"] = str(args.config.resolve())
        logs = workdir / "logs"

        t0 = time.perf_counter()
        progress.start(BOARDSNAP, len(photos))
        records, ready = runner.run_pool(
            [sys.executable, "-m", "bench.boardsnap_worker"],
            photos,
            workers=1,
            timeout=args.timeout,
            label=BOARDSNAP,
            log_path=logs / "boardsnap",
            env=bs_env,
            progress=progress.step,
        )
        _save_raw(logs / "boardsnap.jsonl", records)
        by_group = groups.GroupTallies()
        columns = [_boardsnap_column(samples, records, ready, by_group)]
        wall = {BOARDSNAP: time.perf_counter() - t0}
        engine = next((r.get("engine") for r in ready if r.get("engine")), "unknown")

        peer_versions = ""
        if not args.no_peers:
            python = baselines.ensure_venv(sys.stderr)
            peer_versions = baselines.versions(python)
            for peer in baselines.PEERS:
                t0 = time.perf_counter()
                progress.start(peer.label, len(photos))
                records, ready = runner.run_pool(
                    baselines.worker_command(peer),
                    photos,
                    workers=args.peer_workers,
                    timeout=args.timeout,
                    label=peer.label,
                    log_path=logs / peer.key,
                    env=env,
                    progress=progress.step,
                )
                _save_raw(logs / f"{peer.key}.jsonl", records)
                columns.append(_peer_column(peer, samples, records, ready))
                wall[peer.label] = time.perf_counter() - t0

        total = time.perf_counter() - t_start
        text = table.render(columns) + "\n" + groups.render(by_group, BOARDSNAP)
        notes = table.failure_notes(columns)
        timing = ", ".join(f"{k} {v / 60:.1f} min" for k, v in wall.items())
        footer = (
            f"Total run {total / 60:.1f} min ({timing}"
            + (f", corpus generation {gen_seconds / 60:.1f} min" if gen_seconds else "")
            + ")."
        )
        print(text + ("\n" + notes if notes else "") + "\n" + footer)
        if not args.no_record:
            section = _section(
                args, len(samples), negatives, engine, peer_versions, text, notes, footer
            )
            _append_results(section)
            print(f"bench: appended to {RESULTS}", file=sys.stderr)
        if args.throughput:
            _throughput(args, workdir, photos)
        if args.keep or args.workdir:
            print(f"bench: corpus and worker logs kept in {workdir}", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        if not (args.keep or args.workdir):
            shutil.rmtree(workdir, ignore_errors=True)


def _options(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="photos in the corpus (default 60)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed ({DEFAULT_SEED})")
    ap.add_argument(
        "--workdir",
        help="folder for the corpus and logs; kept, and reused when the "
        "same n and seed were generated there (default: a temporary folder)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-peers", action="store_true", help="BoardSnap only")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per photo (120)")
    ap.add_argument(
        "--vs-tesseract-every",
        type=int,
        default=4,
        metavar="K",
        help="also time whole-page tesseract on every K-th photo, right after BoardSnap read "
        "it, for a speed ratio measured in the same run (4; 0: not)",
    )
    ap.add_argument("--peer-workers", type=int, default=2, help="processes per peer (2)")
    ap.add_argument(
        "--long-side",
        type=int,
        default=None,
        help="photo long side in pixels (default: the generator's phone size)",
    )
    ap.add_argument(
        "--plain-corpus",
        action="store_true",
        help="the corpus without the hardship effects (as generated before they existed), to "
        "compare with older runs",
    )
    ap.add_argument(
        "--config",
        type=Path,
        help="BoardSnap's settings (TOML, as `boardsnap --config`), e.g. a team's roster; named "
        "in RESULTS.md",
    )
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    ap.add_argument(
        "--throughput",
        action="store_true",
        help="also measure batch throughput (1 and 2 processes, Dask LocalCluster)",
    )
    ap.add_argument("--throughput-only", action="store_true", help="measure batch throughput only")
    ap.add_argument(
        "--throughput-n", type=int, default=16, help="photos for the throughput runs (16)"
    )
    args = ap.parse_args(argv)
    if args.config is not None and not args.config.is_file():
        ap.error(f"--config {args.config}: no such file")
    if args.n < 1 or args.timeout <= 0 or args.peer_workers < 1 or args.throughput_n < 1:
        ap.error("--n, --timeout and --peer-workers must be positive")
    return args


# ---- turning worker records into outcomes ------------------------------------------------------


def _failure(record: dict | None) -> str:
    if record is None:
        return "no result"
    return record.get("failure") or record.get("error") or "unknown"


def _boardsnap_column(
    samples, records: dict[str, dict], ready: list[dict], by_group: groups.GroupTallies
) -> table.Column:
    from boardsnap.document import Board

    tally, speed = Tally(), table.Speed()
    for s in samples:
        rec = records.get(str(s.photo))
        if rec is None or not rec.get("ok"):
            outcome = Outcome.failed(_failure(rec))
        elif rec.get("outcome") == "board":
            outcome = Outcome.of_board(Board.from_dict(rec["board"]))
        else:
            outcome = Outcome.no_table()
        if rec and rec.get("ok"):
            speed.extract.append(rec["extract_seconds"])
            if "pdf_seconds" in rec:
                speed.pdf.append(rec["pdf_seconds"])
            if rec.get("tesseract_cpu_seconds") and rec.get("extract_cpu_seconds"):
                speed.vs_tesseract.append(rec["extract_cpu_seconds"] / rec["tesseract_cpu_seconds"])
        one = score_photo(s.truth, s.expect, outcome)
        tally += one
        if s.expect == "ok":
            by_group.add(s.effects, one)
    _memory_and_startup(speed, records, ready)
    return table.Column(BOARDSNAP, tally, speed)


def _peer_column(peer, samples, records: dict[str, dict], ready: list[dict]) -> table.Column:
    from boardsnap.config import Config
    from boardsnap.reading import judge, parse

    cfg = Config()
    tally, speed = Tally(), table.Speed()
    for s in samples:
        rec = records.get(str(s.photo))
        if rec is None or not rec.get("ok"):
            outcome = Outcome.failed(_failure(rec))
        else:
            t = time.perf_counter()
            reading = baselines.reading_from_raw(rec)
            ctx = parse.ParseContext(
                source=s.photo.name,
                fallback_date=_photo_date(s.photo),
                date_order=cfg.parse.date_order,
                low_confidence=cfg.ocr.low_confidence,
                low_digit_confidence=cfg.ocr.low_digit_confidence,
                name_match=cfg.parse.name_match,
            )
            try:
                board = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
                outcome = Outcome.of_board(board) if board.metrics else Outcome.no_table()
            except Exception as exc:  # the shared parser failing on a peer's text: count it
                outcome = Outcome.failed(f"parse: {type(exc).__name__}")
            speed.extract.append(rec["seconds"] + time.perf_counter() - t)
        tally += score_photo(s.truth, s.expect, outcome)
    _memory_and_startup(speed, records, ready)
    return table.Column(peer.label, tally, speed)


def _memory_and_startup(speed: table.Speed, records: dict[str, dict], ready: list[dict]) -> None:
    peaks = [r["maxrss_mb"] for r in records.values() if r.get("maxrss_mb") is not None]
    speed.peak_mb = max(peaks) if peaks else None
    starts = [r["init_seconds"] for r in ready if r.get("init_seconds") is not None]
    speed.init_seconds = statistics.median(starts) if starts else None


def _save_raw(path: Path, records: dict[str, dict]) -> None:
    """Every tool's raw output, one JSON line per photo, for looking into a score."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for photo in sorted(records):
            f.write(json.dumps(records[photo], ensure_ascii=False) + "\n")


def _photo_date(photo: Path) -> date | None:
    """What BoardSnap falls back on for short dates: EXIF capture date, else the file's date."""
    try:
        from PIL import Image

        with Image.open(photo) as img:
            exif = img.getexif()
            raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
        if raw:
            return datetime.strptime(str(raw).strip()[:10], "%Y:%m:%d").date()
    except (OSError, ValueError):
        pass
    try:
        return date.fromtimestamp(photo.stat().st_mtime)
    except OSError:
        return None


# ---- progress and the results file -------------------------------------------------------------


class _Progress:
    """One updating line on a terminal; a line every tenth photo otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.done = 0
        self.total = 0
        self.t0 = time.perf_counter()

    def start(self, label: str, total: int) -> None:
        self.done, self.total, self.t0 = 0, total, time.perf_counter()
        print(f"bench: running {label} on {total} photos ...", file=sys.stderr, flush=True)

    def step(self, label: str, record: dict) -> None:
        self.done += 1
        name = Path(record["photo"]).name
        what = record.get("outcome") or ("ok" if record.get("ok") else _failure(record))
        line = (
            f"bench: [{label}] {self.done}/{self.total} {name}: {what} "
            f"({time.perf_counter() - self.t0:.0f}s)"
        )
        if self.tty:
            end = "\n" if self.done == self.total else ""
            print("\r\033[K" + line, end=end, file=sys.stderr, flush=True)
        elif self.done % 10 == 0 or self.done == self.total or not record.get("ok"):
            print(line, file=sys.stderr, flush=True)


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "tesseract": (_run(["tesseract", "--version"]).splitlines() or ["Tesseract not found"])[0],
        "commit": _run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) or "unknown",
        "dirty": "yes" if _run(["git", "-C", str(REPO), "status", "--porcelain"]) else "no",
    }


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _settings(path: Path) -> str:
    """The settings a config file sets, on one line ("team.members = [...]")."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return "; ".join(
        f"{section}.{key} = {value!r}"
        for section, keys in data.items()
        for key, value in (keys.items() if isinstance(keys, dict) else [("", keys)])
    )


def _section(args, n, negatives, engine, peer_versions, text, notes, footer) -> str:
    m = _machine()
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    head = [
        f"## {when} — n={n}, seed {args.seed}, commit {m['commit']}"
        + (" (uncommitted changes)" if m["dirty"] == "yes" else ""),
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; Python {m['python']}; "
        f"{m['tesseract']}",
        f"- BoardSnap OCR engine: {engine}; one process, OMP_THREAD_LIMIT=1",
        f"- corpus: {n} photos ({negatives} without an SLA table), seed {args.seed}, "
        f"long side {args.long_side or 'full phone resolution'}, "
        + ("plain (no hardship effects)" if args.plain_corpus else "with the hardship effects"),
    ]
    if args.config is not None:
        head.append(f"- BoardSnap settings: {args.config.name} ({_settings(args.config)})")
    if peer_versions:
        head.append(
            f"- peers: {peer_versions}; {args.peer_workers} processes per peer, one thread "
            f"each; per-photo time limit {args.timeout:.0f}s"
        )
    else:
        head.append("- peers: not run (--no-peers)")
    return "\n".join(head) + "\n\n" + text + ("\n" + notes if notes else "") + "\n" + footer + "\n"


def _throughput(args, workdir: Path, photos: list[Path] | None) -> int:
    """Batch throughput on `throughput_n` photos of the corpus (generated here if need be)."""
    n = args.throughput_n
    if photos is None or len(photos) < n:
        folder = workdir / ("corpus" if photos is None else "corpus-throughput")
        photos, _ = corpus.ensure_corpus(folder, n, args.seed, args.long_side, sys.stderr)
    photos = photos[:n]
    load_before = os.getloadavg()
    runs = throughput.measure(photos, workdir, sys.stderr)
    text = throughput.render(runs, load_before, os.getloadavg())
    print(text)
    if not args.no_record:
        m = _machine()
        loaded = max(load_before[0], os.getloadavg()[0]) > 0.5
        head = [
            f"## {datetime.now().strftime('%Y-%m-%d %H:%M')} — batch throughput, n={n}, "
            f"seed {args.seed}, commit {m['commit']}"
            + (" (uncommitted changes)" if m["dirty"] == "yes" else ""),
            "",
            f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; Python {m['python']}",
            "- `boardsnap batch` on the generated corpus, PDF reports, one OCR thread per "
            "process; wall time includes worker start-up and OCR engine loading",
        ]
        if loaded:
            head.append(
                "- **taken on a loaded machine** (shared with other engineers' work; see the "
                "load averages below): the figures, the scaling ratio most, are lower bounds"
            )
        _append_results("\n".join(head) + "\n\n" + text)
        print(f"bench: appended to {RESULTS}", file=sys.stderr)
    return 0


def _append_results(section: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n")
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write("\n" + section)


if __name__ == "__main__":
    sys.exit(main())
