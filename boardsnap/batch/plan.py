"""Batch conversion: every photo under some folders, into one report each under OUTDIR.

The parent process plans the work and keeps the books; workers (local processes or Dask
workers, `boardsnap/batch/workers.py`) only convert:

1. `find_photos` expands the inputs (files, folders recursively, globs) into photos, and counts
   the other files it skips;
2. `plan` gives each photo a report path under OUTDIR that mirrors its folder, cannot leave
   OUTDIR and never collides with another photo's (names once given are kept, via the
   manifest), and decides which photos are up to date (same content hash, same settings);
3. `run_batch` hands the rest to a runner and, as each `PhotoOutcome` comes back, records it in
   the manifest (one transaction per photo), after calling `on_outcome` (where `--save`
   saves each board to the history, once), and moves the progress bar;
4. at the end (or on Ctrl-C) it writes OUTDIR/index.html, summary.csv and failed.txt over every
   photo the manifest knows (`boardsnap/batch/index.py`).

Reports are written atomically by the workers, so a run killed at any point leaves no
half-written report; the manifest commits each photo as it finishes, so a rerun skips it.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from boardsnap.batch.jobs import Job, ManifestView, PhotoOutcome, printable
from boardsnap.config import Config
from boardsnap.errors import BadInput, BoardSnapError, DatabaseError, ExitCode
from boardsnap.fileio import make_folder
from boardsnap.reading.load import is_photo_name

log = logging.getLogger(__name__)

FORMATS = ("pdf", "html", "json")
STATUSES = ("ok", "no_table", "failed")
MAX_NAME = 120  # characters of one path part in OUTDIR


@dataclass(frozen=True)
class Found:
    """A photo found under one of the inputs: `rel` is its path below `root`."""

    source: Path
    display: str
    root: Path
    rel: PurePosixPath
    problem: str | None = None  # not a regular file (a named pipe, a device...): never opened


@dataclass(frozen=True)
class Inputs:
    photos: tuple[Found, ...]
    skipped: tuple[str, ...]  # files that are not photos (by suffix)


@dataclass
class BatchSummary:
    outdir: Path
    total: int = 0
    converted: int = 0  # reports made by this run
    up_to_date: int = 0  # reports made before, for the same bytes and settings
    no_table: int = 0  # this run or before: read, but no table on it
    failed: int = 0  # this run (a failed photo is tried again on every run)
    skipped: int = 0  # not photos
    interrupted: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)  # (photo, reason)

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.INTERRUPTED
        return ExitCode.BATCH_PARTIAL if (self.failed or self.no_table) else ExitCode.OK


# ---- inputs ----------------------------------------------------------------------------------


def find_photos(inputs: Iterable[str | Path], exclude: Path | None = None) -> Inputs:
    """Expand files, folders (recursively) and globs into photos, in a stable order.

    A file is a photo by its suffix (as `boardsnap report` reads them); other files are skipped
    and counted. Hidden files and folders (a leading dot) are not entered. Anything under
    `exclude` (the output folder) is left out. An input that names nothing is a `BadInput`.
    """
    photos: dict[Path, Found] = {}
    skipped: dict[Path, str] = {}
    excluded = exclude.resolve() if exclude is not None else None

    def add(path: Path, display: str, root: Path) -> None:
        try:
            source = path.resolve()
        except (RuntimeError, OSError):  # a link loop (Python < 3.13 raises RuntimeError)
            source = Path(os.path.abspath(path))
        if excluded is not None and source.is_relative_to(excluded):
            return
        if not is_photo_name(path):
            skipped.setdefault(source, display)
            return
        if source not in photos:
            rel = PurePosixPath(*path.absolute().relative_to(root.absolute()).parts)
            photos[source] = Found(source, display, root, rel, not_regular(path))

    for raw in inputs:
        text = str(raw)
        path = Path(text)
        if path.is_dir():
            for file, display in _walk(path):
                add(file, display, path)
        elif path.is_file() or _is_other_file(path):
            add(path, text, path.parent)
        elif glob.has_magic(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise BadInput("matches no file", path=text, fix="check the pattern")
            root = _glob_root(text)
            for match in matches:
                m = Path(match)
                if m.is_dir():
                    for file, display in _walk(m):
                        add(file, display, root)
                elif m.is_file() or _is_other_file(m):
                    add(m, match, root)
        else:
            raise BadInput("no such file or folder", path=text, fix="check the path")
    ordered = sorted(photos.values(), key=lambda f: (str(f.root), str(f.rel)))
    return Inputs(tuple(ordered), tuple(skipped[k] for k in sorted(skipped)))


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(path: Path) -> str | None:
    """Why `path` is not a photo file to open (a pipe would block its reader forever, a device
    could be endless), or None for a regular file (a link to one included)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if os.path.islink(path):
            return "a broken or looping link"
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kind = next((what for test, what in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind}); skipped"


def _is_other_file(path: Path) -> bool:
    """Something that is there but is neither a folder nor a regular file (or a broken link)."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return not path.is_dir()


def _walk(folder: Path) -> Iterator[tuple[Path, str]]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                file = Path(dirpath) / name
                yield file, str(file)


def _glob_root(pattern: str) -> Path:
    """The folder a glob starts from: its parts before the first one with a wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


# ---- output names ----------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ()+,@&=~#'\[\]]", re.UNICODE)


def safe_part(part: str) -> str:
    """One path component that is a plain name on every system: no separators, no control
    characters, not `.` or `..`, not hidden, not too long."""
    text = unicodedata.normalize("NFC", part)
    text = _UNSAFE.sub("_", text).strip(" ")
    text = re.sub(r"^\.", "_", text)  # not hidden, and never "." or ".."
    return text[:MAX_NAME] or "_"


def wanted_output(found: Found, fmt: str, prefix: str | None) -> PurePosixPath:
    parts = [safe_part(p) for p in found.rel.parent.parts]
    if prefix:
        parts.insert(0, safe_part(prefix))
    return PurePosixPath(*parts, safe_part(found.rel.stem) + "." + fmt)


def _alternatives(rel: PurePosixPath, source_suffix: str) -> Iterator[PurePosixPath]:
    """Names to try, in order, for a report whose wanted name is taken."""
    yield rel
    stem, ext = rel.stem, rel.suffix
    tag = safe_part(source_suffix.lstrip(".").lower()) or "photo"
    yield rel.with_name(f"{stem}-{tag}{ext}")
    for n in range(2, 10_000):
        yield rel.with_name(f"{stem}-{tag}-{n}{ext}")


def settings_fingerprint(cfg: Config, fmt: str) -> str:
    """A hash of every setting that changes a report: the whole config and the format."""
    data = {"config": dataclasses.asdict(cfg), "format": fmt}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]  # to convert
    up_to_date: tuple[Job, ...]
    refused: tuple[PhotoOutcome, ...]  # failed before any work (e.g. unreadable)
    forget: tuple[str, ...] = ()  # manifest rows of vanished photos whose names are reused


def plan(
    inputs: Inputs,
    outdir: Path,
    fmt: str,
    fingerprint: str,
    manifest: ManifestView,
    debug_dir: Path | None = None,
) -> Plan:
    """Give every photo its report path and decide what needs converting."""
    outdir_abs = outdir.resolve()
    roots = {f.root.resolve() for f in inputs.photos}
    prefixed = len(roots) > 1  # several roots: each gets its own folder under OUTDIR
    # a name is taken while its photo exists; the name of a photo that is gone (moved with
    # its archive, deleted) goes to the first new photo that wants it
    vanished: dict[str, str] = {}
    taken: set[str] = set()
    for source, output in manifest.outputs_in_use():
        if Path(source).exists():
            taken.add(output.casefold())
        else:
            vanished[output.casefold()] = source
    names: dict[Path, PurePosixPath] = {}

    # names given on an earlier run are kept, so a report never moves
    for f in inputs.photos:
        row = manifest.row(f.source)
        if row and row.get("output") and row["output"].endswith("." + fmt):
            names[f.source] = PurePosixPath(row["output"])
    for f in inputs.photos:
        if f.source in names:
            continue
        prefix = (f.root.resolve().name or "root") if prefixed else None
        for candidate in _alternatives(wanted_output(f, fmt, prefix), f.source.suffix):
            if str(candidate).casefold() not in taken:
                names[f.source] = candidate
                taken.add(str(candidate).casefold())
                break

    jobs: list[Job] = []
    fresh: list[Job] = []
    refused: list[PhotoOutcome] = []
    for f in inputs.photos:
        rel = names[f.source]
        debug = debug_dir.absolute() / rel.with_suffix("") if debug_dir is not None else None
        job = Job(f.source, f.display, outdir_abs / rel, str(rel), fmt, debug)
        if f.problem is not None:
            refused.append(
                PhotoOutcome(
                    job, "failed", None, f"{f.problem}; give a photo file", int(ExitCode.BAD_INPUT)
                )
            )
        elif not (outdir_abs / rel).parent.resolve().is_relative_to(outdir_abs):
            refused.append(
                PhotoOutcome(
                    job,
                    "failed",
                    None,
                    f"its report folder {rel.parent} under the output folder is a link "
                    "leading outside it; remove the link",
                    int(ExitCode.OUTPUT_ERROR),
                )
            )
        elif manifest.is_up_to_date(f.source, fingerprint, outdir_abs):
            fresh.append(job)
        else:
            jobs.append(job)
    forget = tuple(
        vanished[key] for key in (str(r).casefold() for r in names.values()) if key in vanished
    )
    return Plan(tuple(jobs), tuple(fresh), tuple(refused), forget)


def _call_on_outcome(
    on_outcome: Callable[[PhotoOutcome], None], outcome: PhotoOutcome
) -> PhotoOutcome:
    """Run `on_outcome` (the history save). A photo it refuses (a board without a service, a
    document the history cannot take) fails alone, its report kept and recorded; a history
    that cannot be used at all (`DatabaseError`) stops the batch, as every photo would fail."""
    try:
        on_outcome(outcome)
    except DatabaseError:
        raise
    except BoardSnapError as exc:
        fix = f"; {exc.fix}" if exc.fix else ""
        return dataclasses.replace(
            outcome,
            status="failed",
            reason=f"report written, but not saved in the history: {exc.message}{fix}",
            exit_code=int(exc.exit_code),
        )
    return outcome


# ---- the run ---------------------------------------------------------------------------------


class Progress:
    """What `run_batch` tells as it goes; `boardsnap/batch/progress.py` draws it on a terminal."""

    def start(self, total: int, up_to_date: int) -> None: ...

    def update(self, outcome: PhotoOutcome) -> None: ...

    def finish(self) -> None: ...


Runner = Callable[[list[Job]], Generator[PhotoOutcome, None, None]]


def run_batch(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    cfg: Config | None = None,
    fmt: str = "pdf",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    on_outcome: Callable[[PhotoOutcome], None] | None = None,
    pipeline_factory: Callable[[Config], object] | None = None,
    debug_dir: Path | None = None,
) -> BatchSummary:
    """Convert every photo under `inputs` into a report under `outdir`.

    `workers` local processes (default: one per core), or the Dask cluster at `scheduler`.
    `on_outcome` is called in this process once per photo converted (or failed) in this run,
    in the order they finish. `pipeline_factory(cfg)` makes each worker's warm pipeline
    (default `boardsnap.reading.pipeline.Pipeline`; tests pass one that crashes on purpose).
    `debug_dir` gets each converted photo's stage pictures, in folders mirroring OUTDIR.
    """
    from boardsnap.batch import index as batch_index
    from boardsnap.batch import workers as workers_mod
    from boardsnap.batch.manifest import Manifest

    cfg = cfg or Config()
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}", fix="use pdf, html or json")
    outdir = Path(outdir)
    make_folder(outdir, "output folder", "choose a folder you can write to")
    found = find_photos(inputs, exclude=outdir)
    fingerprint = settings_fingerprint(cfg, fmt)
    progress = progress or Progress()
    summary = BatchSummary(outdir=outdir, total=len(found.photos), skipped=len(found.skipped))
    for name in found.skipped:
        log.info("%s: skipped (not a photo)", printable(name))

    with Manifest.open(outdir) as manifest:
        the_plan = plan(found, outdir, fmt, fingerprint, manifest, debug_dir)
        for job in the_plan.up_to_date:  # done before: a report, or known to hold no table
            row = manifest.row(job.source) or {}
            if row.get("status") == "no_table":
                summary.no_table += 1
            else:
                summary.up_to_date += 1
        manifest.forget(the_plan.forget)
        workers_mod.remove_stale_temporaries(outdir, the_plan.jobs)
        progress.start(len(the_plan.jobs) + len(the_plan.refused), len(the_plan.up_to_date))

        def record(outcome: PhotoOutcome) -> None:
            # `on_outcome` (the history save) first: killed between the two, the photo is
            # converted again and the save finds it already there; the other way round the
            # manifest would call it done and its review would never be saved
            if on_outcome is not None:
                outcome = _call_on_outcome(on_outcome, outcome)
            manifest.record(outcome, fingerprint)
            if outcome.status == "ok":
                summary.converted += 1
            elif outcome.status == "no_table":
                summary.no_table += 1
            else:
                summary.failed += 1
                summary.failures.append((outcome.job.display, outcome.reason or "failed"))
            progress.update(outcome)

        try:
            for outcome in the_plan.refused:
                record(outcome)
            if the_plan.jobs:
                if scheduler:
                    runner = workers_mod.dask_runner(scheduler, cfg, pipeline_factory)
                else:
                    runner = workers_mod.local_runner(
                        workers or os.cpu_count() or 1, cfg, pipeline_factory
                    )
                outcomes = runner(list(the_plan.jobs))
                try:
                    for outcome in outcomes:
                        record(outcome)
                finally:
                    outcomes.close()  # stops the workers at once if we are interrupted
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            progress.finish()
            batch_index.write_all(outdir, manifest.rows())
    return summary
