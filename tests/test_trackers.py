"""Actions into issue trackers: `boardsnap actions --format csv` with the columns Jira's CSV
importer maps by name, the BoardSnap id in every issue's text and labels (so a second import can
skip what is there), and cells a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from history_story import board

from boardsnap.cli import cli
from boardsnap.report.export import TRACKER_COLUMNS, csv_cell


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"BOARDSNAP_DB": ""})


def test_actions_as_tracker_csv(tmp_path):
    doc = board(1)
    doc["actions"].append(
        {"text": '=HYPERLINK("http://x")', "owner": "@raj", "due": None, "metric": None}
    )
    path = tmp_path / "review.json"
    path.write_text(json.dumps(doc))
    db = str(tmp_path / "h.db")
    assert run("save", str(path), "--db", db).exit_code == 0
    assert run("actions", "set", "1", "in_progress", "--db", db).exit_code == 0

    result = run("actions", "--format", "csv", "--as-of", "2026-10-01", "--db", db)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == TRACKER_COLUMNS and rows[0][0] == "Summary"
    issues = rows[1:]
    assert len(issues) == 4
    first = dict(zip(["summary", "description", "assignee", "due"], issues[0][:4], strict=True))
    assert first["summary"] == "[boardsnap-action-1] add circuit breaker to the card API"
    assert "Payments API SLA review of 2026-09-15, for P95 latency" in first["description"]
    assert "in progress (overdue)" in first["description"]  # due 2026-09-30, as of 2026-10-01
    assert first["assignee"] == "maria" and first["due"] == "2026-09-30"
    assert issues[0][4:] == [
        "boardsnap",
        "boardsnap-action-1",
        "payments-api",
        "boardsnap-action-1",
    ]
    formula = issues[3]
    assert formula[0].startswith("[boardsnap-action-4] =HYPERLINK")  # not at the cell's start
    assert formula[3] == "" and "no date" in formula[1]


def test_every_csv_the_history_prints_is_formula_safe(tmp_path):
    doc = board(1)
    doc["metrics"][0]["name"] = "=1+2"
    path = tmp_path / "review.json"
    path.write_text(json.dumps(doc))
    db = str(tmp_path / "h.db")
    assert run("save", str(path), "--db", db).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run("history", "-f", "csv", "--db", db).stdout)))
    assert rows[0]["metric"] == "'=1+2"
    assert [csv_cell(v) for v in ("-3", "+x", "@a", "ok", 5, None)] == [
        "'-3",
        "'+x",
        "'@a",
        "ok",
        5,
        None,
    ]
