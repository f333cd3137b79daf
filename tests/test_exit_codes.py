"""One exit-code table: errors.py's, printed into the README, and every command's help and the
README's prose agreeing with it wherever they name a code."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from boardsnap.cli import cli
from boardsnap.errors import EXIT_CODE_TABLE, ExitCode, exit_code_markdown

README = Path(__file__).resolve().parent.parent / "README.md"

# Words that, in a sentence naming an exit code, say which code it must be.
MEANT = [
    (re.compile(r"some (photos )?(failed|do not|got no report)"), ExitCode.BATCH_PARTIAL),
    (re.compile(r"longer than|after this long|past it"), ExitCode.TIMEOUT),
    (re.compile(r"bad field|invalid one"), ExitCode.INVALID_DOCUMENT),
    (re.compile(r"history (cannot|unusable)"), ExitCode.DATABASE),
    (re.compile(r"without a token|naming no metric"), ExitCode.USAGE),
]
NAMED = re.compile(r"\bexit(?: code)? (?:is )?(\d+)|\b(\d+) when some")


def helps() -> dict[str, str]:
    """Every command's help text, by its name."""
    out: dict[str, str] = {}

    def walk(command: click.Command, path: list[str]) -> None:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        out[" ".join(path) or "boardsnap"] = result.output
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(cli, [])
    return out


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return re.split(r"(?<=[.;:])\s+(?=[A-Z(`])", flat)


def test_the_readme_table_is_the_one_in_errors_py():
    assert set(EXIT_CODE_TABLE) == set(ExitCode)
    assert exit_code_markdown() in README.read_text(), "run: python -m boardsnap.errors"


def test_every_code_named_in_help_and_readme_is_the_one_meant():
    texts = {f"help of {name}": text for name, text in helps().items()}
    texts["README.md"] = README.read_text().split("## Exit codes")[0]
    for page in sorted((README.parent / "docs").glob("*.md")):
        texts[f"docs/{page.name}"] = page.read_text()
    checked = 0
    for where, text in texts.items():
        for sentence in sentences(text):
            for match in NAMED.finditer(sentence):
                code = int(match.group(1) or match.group(2))
                assert code in set(ExitCode), (where, sentence)
                if code == 0:
                    continue  # "exit 0 when every photo has a report, 11 when some do not"
                for words, meant in MEANT:
                    if words.search(sentence.lower()):
                        assert code == meant, (where, sentence, f"should be {int(meant)}")
                        checked += 1
    assert checked >= 4  # the batch, timeout and validate mentions at least


def test_a_wrong_code_in_a_sentence_is_caught():
    # the check itself can fail: the old batch help said 9
    bad = "Exit 0 when every photo has a report, 9 when some failed or had no table."
    codes = [int(m.group(1) or m.group(2)) for m in NAMED.finditer(bad)]
    assert 9 in codes and MEANT[0][0].search(bad.lower())
