"""The hostile corpus as a figure: every kind of tests/hostile_corpus.py through the CLI (click's
runner, in this process), counted by whether it ended as documented (its exit code, one line on
stderr, no traceback, the output folder left as it was).

    .venv/bin/python scripts/reliability.py          # one line a kind, then the totals
    .venv/bin/python scripts/reliability.py -q       # the totals only

Exit 0 when every kind ended as documented, 1 otherwise. The same check, with more asserts, is
tests/test_hostile_input.py; this is the figure for `make bench` and the README.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from click.testing import CliRunner  # noqa: E402
from hostile_corpus import KINDS  # noqa: E402

import boardsnap.reading.load  # noqa: E402
from boardsnap.cli import cli  # noqa: E402


def run_kind(kind, folder: Path) -> tuple[bool, str]:
    (folder / "in").mkdir()
    (folder / "out").mkdir()
    path = kind.make(folder / "in")
    out = kind.output(folder / "out") if kind.output else folder / "out" / "report.html"
    before = sorted(p.name for p in out.parent.iterdir())
    with _as_for_everyone(kind, path):
        result = CliRunner().invoke(cli, [kind.command, str(path), "-o", str(out)])
    lines = result.stderr.splitlines()
    after = sorted(p.name for p in out.parent.iterdir())
    problems = []
    if result.exit_code != kind.code:
        problems.append(f"exit {result.exit_code}, not {int(kind.code)}")
    if "Traceback" in result.stderr:
        problems.append("a traceback")
    if kind.code and len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr")
    if kind.code and after != before:
        problems.append(f"left {sorted(set(after) - set(before))}")
    return not problems, "; ".join(problems) or (lines[0][:100] if lines else "report written")


@contextlib.contextmanager
def _as_for_everyone(kind, path: Path):
    """Root reads a file without read permission: give it the refusal everyone else gets."""
    if kind.name != "unreadable" or os.geteuid() != 0:
        yield
        return
    real_open = boardsnap.reading.load.Image.open

    def refuse(fp, *a, **k):
        if Path(fp) == path:
            raise PermissionError(13, "Permission denied", str(fp))
        return real_open(fp, *a, **k)

    boardsnap.reading.load.Image.open = refuse
    try:
        yield
    finally:
        boardsnap.reading.load.Image.open = real_open


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()
    good = 0
    t0 = time.perf_counter()
    for kind in KINDS:
        with tempfile.TemporaryDirectory(prefix="boardsnap-hostile-") as tmp:
            ok, said = run_kind(kind, Path(tmp))
        good += ok
        if not args.quiet or not ok:
            print(f"{'ok  ' if ok else 'FAIL'} {kind.name}: {said}")
    seconds = time.perf_counter() - t0
    print(
        f"hostile corpus: {len(KINDS)} kinds, {good} ended as documented, "
        f"{len(KINDS) - good} did not ({seconds:.0f} s)"
    )
    return 0 if good == len(KINDS) else 1


if __name__ == "__main__":
    sys.exit(main())
