"""The review history through the command line: a three-review story end to end (save, set
actions done, render the third report as PDF and HTML), a photo saved from `report --save`, and
the one-line errors with their exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import cv2
import pytest
from click.testing import CliRunner
from history_story import board, write_boards
from synthetic import synth

from boardsnap.cli import cli
from boardsnap.errors import ExitCode


def run(*args: str, env: dict | None = None):
    base = {"BOARDSNAP_DB": ""}
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env={**base, **(env or {})})


@pytest.fixture
def story(tmp_path):
    """Three reviews of Payments API saved through the CLI, actions set done between them."""
    db = str(tmp_path / "history.db")
    first, second, third = write_boards(tmp_path)
    assert run("save", str(first), "--db", db).stdout == "review 1 saved\n"
    assert run("actions", "set", "1", "done", "--note", "breaker live", "--db", db).exit_code == 0
    result = run("save", str(second), str(second), "--db", db)
    assert result.stdout == "review 2 saved\nreview 2 already saved\n"
    assert "1 carried forward" in result.stderr
    for action_id in ("2", "4"):
        assert run("actions", "set", action_id, "done", "--db", db).exit_code == 0
    assert run("save", str(third), "--db", db).exit_code == 0
    return tmp_path, db, third


def test_third_report_shows_the_trend_and_which_done_actions_helped(story):
    folder, db, third = story
    pdf = folder / "third.pdf"
    result = run("render", str(third), "--db", db, "-o", str(pdf))
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    section = text[text.index("Since the previous review") :]
    assert "last reviewed on 2026-10-15" in section
    assert "260 ms → 230 ms → 170 ms" in section  # p95 latency across the three reviews
    assert re.search(r"P95 latency .*−60 ms ✓ better", section)
    assert re.search(r"Error rate .*\+0\.06% ✗ worse", section)
    helped = re.findall(r"^ *(\d) .*✓ Helped", section, re.M)
    assert helped == ["1", "4"]  # the circuit breaker and the token cache
    assert re.search(r"^ *2 .*✗ Got worse", section, re.M)  # the retry budget
    assert re.search(r"update the on-call runbook.*Open ⚑ overdue", section)

    html = folder / "third.html"
    assert run("render", str(third), "--db", db, "-o", str(html)).exit_code == 0
    page = html.read_text()
    assert page.count('<svg class="hx-chart"') == 3
    assert "<script" not in page
    # without a history the report is as before
    plain = folder / "plain.html"
    assert run("render", str(third), "-o", str(plain)).exit_code == 0
    assert "Since the previous review" not in plain.read_text()


def test_customer_edition_and_redaction_apply_to_the_history_section(story):
    folder, db, third = story
    owners = {a["owner"] for n in (1, 2, 3) for a in board(n)["actions"] if a["owner"]}
    assert owners
    customer = folder / "customer.html"
    args = ("render", str(third), "--db", db, "-o", str(customer), "--audience", "customer")
    assert run(*args).exit_code == 0
    page = customer.read_text()
    assert "Since the previous review" in page
    assert not [o for o in owners if re.search(rf">\s*{o}\s*<", page)]  # no owner in a cell
    redacted = folder / "redacted.html"
    args = ("render", str(third), "--db", db, "-o", str(redacted), "--redact", "p95 latency")
    assert run(*args).exit_code == 0
    section = redacted.read_text().split("<h2>Since the previous review")[1]
    assert "Error rate" in section
    assert "P95 latency" not in section and "p95 latency" not in section


def test_history_and_actions_commands(story):
    folder, db, _ = story
    table = run("history", "payments api", "--metric", "P95 LATENCY", "--db", db).stdout
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["review", "date", "service"]
    assert [line.split()[-2:] for line in lines[1:]] == [
        ["breach", "130%"],
        ["breach", "115%"],
        ["met", "85%"],
    ]
    rows = list(csv.DictReader(io.StringIO(run("history", "--format", "csv", "--db", db).stdout)))
    assert len(rows) == 9 and {r["metric"] for r in rows} == {"Uptime", "P95 latency", "Error rate"}
    records = json.loads(run("history", "-f", "json", "--db", db).stdout)
    assert [r["actual_value"] for r in records if r["metric"] == "Error rate"] == [0.4, 0.4, 0.46]

    # the clock is the test's: the third review's day, when only the runbook was overdue
    day = ("--as-of", "2026-11-15")
    listed = json.loads(run("actions", "--open", "-f", "json", *day, "--db", db).stdout)
    assert [(a["id"], a["status"], a["overdue"]) for a in listed] == [
        (3, "open", True),
        (5, "open", False),
    ]
    overdue = run("actions", "--overdue", "--service", "Payments API", *day, "--db", db).stdout
    assert "update the on-call runbook" in overdue and "load test" not in overdue
    assert "open OVERDUE" in overdue  # the table says it in words; JSON keeps it apart
    later = run("actions", "--overdue", "--as-of", "2026-12-02", "--db", db).stdout
    assert "load test" in later

    shown = run("actions", "show", "1", "--db", db)
    assert shown.exit_code == 0
    trail = shown.stdout.splitlines()
    assert trail[0] == "action 1: done · Payments API · P95 latency"
    assert "open" in trail[-2] and "recorded from the board (review 1)" in trail[-2]
    assert "done" in trail[-1] and "breaker live" in trail[-1]


def test_errors_are_one_line_with_their_exit_code(story, tmp_path):
    _, db, third = story
    cases = [
        (("actions", "set", "99", "done", "--db", db), ExitCode.NOT_FOUND, "no action 99"),
        (("actions", "show", "99", "--db", db), ExitCode.NOT_FOUND, "no action 99"),
        (("history", "Nope", "--db", db), ExitCode.NOT_FOUND, "Payments API"),
        (("history", "--db", "mysql://x@y/z"), ExitCode.DATABASE, "unsupported"),
        (("actions", "--db", str(tmp_path / "no" / "h.db")), ExitCode.DATABASE, "does not exist"),
        (("history", "--db", "postgresql://u:pw@127.0.0.1:1/x"), ExitCode.DATABASE, "connect"),
    ]
    for args, code, words in cases:
        result = run(*args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
        assert ":pw@" not in result.stderr
    nameless = tmp_path / "nameless.json"
    nameless.write_text(third.read_text().replace('"service": "Payments API"', '"service": null'))
    result = run("save", str(nameless), "--db", db)
    assert result.exit_code == ExitCode.INVALID_DOCUMENT and "service" in result.stderr


def test_report_save_records_a_photo_once_and_uses_the_environment(tmp_path):
    photo = tmp_path / "IMG_2041.jpg"
    cv2.imwrite(str(photo), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    env = {"BOARDSNAP_DB": str(tmp_path / "env.db")}
    first = run("report", str(photo), "--save", "-o", str(tmp_path / "a.html"), env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == ["review 1 saved", str(tmp_path / "a.html")]
    again = run("report", str(photo), "--save", "-o", str(tmp_path / "b.html"), env=env)
    assert again.stdout.splitlines()[0] == "review 1 already saved"
    rows = json.loads(run("history", "-f", "json", env=env).stdout)
    assert {r["service"] for r in rows} == {"Payments API"} and len(rows) == 3
    assert "add circuit breaker" in run("actions", env=env).stdout
