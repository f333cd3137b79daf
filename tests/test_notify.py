"""Webhooks after the meeting, against real HTTP receivers on loopback: one answering (after a
failure, to see the retry), one down, one too slow. A failed delivery never fails the save, is
said in one line and is kept to be sent again; a signed body verifies with the secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner
from history_story import write_boards

from boardsnap import notify
from boardsnap.cli import cli
from boardsnap.config import NotifyConfig

FAST = NotifyConfig(timeout_seconds=1.0, attempts=3, backoff_seconds=0.05)


class Receiver:
    """A webhook receiver on 127.0.0.1: records what it gets; answers `statuses` in turn (the
    last one from then on), after `delay` seconds."""

    def __init__(self, statuses=(200,), delay=0.0):
        self.statuses, self.delay = list(statuses), delay
        self.received: list[tuple[Any, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))  # names in any case
                time.sleep(receiver.delay)
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except BrokenPipeError:  # the sender gave up waiting (the slow receiver)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/SECRET"

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


@contextmanager
def receiving(**kw):
    receiver = Receiver(**kw)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def down_url() -> str:
    with socket.socket() as s:  # a port nobody listens on (bound, then released)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(
        cli, list(args), catch_exceptions=False, env={"BOARDSNAP_DB": "", **(env or {})}
    )


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "boardsnap" / "outbox"


def test_save_notifies_a_receiver_that_answers_after_a_failure(tmp_path, outbox):
    first, _, _ = write_boards(tmp_path)
    db = str(tmp_path / "h.db")
    with receiving(statuses=(503, 200)) as hook:
        result = run("save", str(first), "--db", db, "--notify", hook.url)
    assert result.exit_code == 0 and result.stdout == "review 1 saved\n"
    assert len(hook.received) == 2  # the 503, then the retry that was taken
    event = hook.events()[-1]
    assert event["event"] == "review.saved" and event["review_id"] == 1
    assert event["service"] == "Payments API" and event["review_date"] == "2026-09-15"
    assert event["counts"] == {"met": 2, "near_miss": 0, "breach": 1, "unknown": 0}
    [breach] = event["breaches"]
    assert breach["metric"] == "P95 latency" and breach["actual"] == {"value": 260.0, "unit": "ms"}
    assert "P95 latency was 260 ms against a commitment of under 200 ms." in event["text"]
    assert "add circuit breaker to the card API (maria, due 2026-09-30, open)" in event["text"]
    headers = hook.received[-1][0]
    assert headers["X-BoardSnap-Event"] == "review.saved"
    assert headers["Content-Type"].startswith("application/json")
    assert "SECRET" not in result.stderr  # the URL's path is not printed
    assert not outbox.exists()
    # saving the same document again records nothing and sends nothing
    with receiving() as hook:
        again = run("save", str(first), "--db", db, "--notify", hook.url)
    assert again.exit_code == 0 and hook.received == []


def test_a_receiver_down_or_too_slow_never_fails_the_save_and_is_kept(tmp_path, outbox):
    first, second, _ = write_boards(tmp_path)
    db = str(tmp_path / "h.db")
    config = tmp_path / "boardsnap.toml"
    config.write_text("[notify]\ntimeout_seconds = 0.5\nattempts = 2\nbackoff_seconds = 0.01\n")
    with receiving(delay=2.0) as slow:
        started = time.monotonic()
        result = run(
            "save",
            str(first),
            "--db",
            db,
            "--config",
            str(config),
            "--notify",
            down_url(),
            "--notify",
            slow.url,
        )
        took = time.monotonic() - started
    assert result.exit_code == 0 and result.stdout == "review 1 saved\n"
    failed = [line for line in result.stderr.splitlines() if "not delivered" in line]
    assert len(failed) == 2, result.stderr
    assert "timed out" in failed[1] and "notify resend" in failed[1]
    assert took < 10  # bounded: 2 attempts of 0.5 s each per receiver, not the slow answer
    kept = sorted(outbox.glob("*.json"))
    assert len(kept) == 2
    assert json.loads(run("history", "-f", "json", "--db", db).stdout)  # the save stands

    listed = run("notify", "pending")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 2
    with receiving() as hook:  # the receivers are back: point the kept deliveries at one
        for path in kept:
            record = json.loads(path.read_text())
            record["url"] = hook.url
            path.write_text(json.dumps(record))
        resent = run("notify", "resend")
    assert resent.exit_code == 0 and "2 of 2 deliveries sent" in resent.stderr
    assert [e["event"] for e in hook.events()] == ["review.saved", "review.saved"]
    assert list(outbox.glob("*.json")) == []
    assert second  # (the story's other reviews are not needed here)


def test_signed_bodies_verify_with_the_secret():
    secret = "shared-with-the-receiver"
    cfg = NotifyConfig(secret=secret, timeout_seconds=2.0, attempts=1)
    with receiving() as hook:
        [delivery] = notify.deliver({"event": "review.saved", "text": "hi"}, [hook.url], cfg)
    assert delivery.ok and delivery.status == 200
    headers, body = hook.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-BoardSnap-Signature-256"] == expected
    tampered = body.replace(b"hi", b"ho")
    assert notify.sign(tampered, secret) != expected


def test_a_client_error_is_not_retried(outbox):
    with receiving(statuses=(404,)) as hook:
        [delivery] = notify.deliver({"event": "x", "text": "t"}, [hook.url], FAST, outbox)
    assert not delivery.ok and delivery.attempts == 1 and delivery.error == "HTTP 404"
    assert len(hook.received) == 1 and delivery.kept is not None


def test_overdue_actions_are_sent_as_of_a_day(tmp_path, outbox):
    db = str(tmp_path / "h.db")
    for path in write_boards(tmp_path):
        assert run("save", str(path), "--db", db).exit_code == 0
    with receiving() as hook:
        result = run(
            "actions", "--overdue", "--as-of", "2026-11-15", "--db", db, "--notify", hook.url
        )
    assert result.exit_code == 0, result.output
    [event] = hook.events()
    assert event["event"] == "action.overdue" and event["as_of"] == "2026-11-15"
    assert {a["text"] for a in event["actions"]} >= {"update the on-call runbook"}
    assert event["text"].startswith(f"{len(event['actions'])} action")
    misuse = run("actions", "--db", db, "--notify", hook.url)
    assert misuse.exit_code == 2 and "--overdue" in misuse.output
    bad = run("actions", "--overdue", "--db", db, "--notify", "file:///etc/passwd")
    assert bad.exit_code == 2 and "http(s)" in bad.output


def test_publishing_in_the_web_app_notifies_the_configured_webhooks(tmp_path):
    from fastapi.testclient import TestClient
    from test_web_api import AUTH, TOKEN, make_draft, sample_board

    from boardsnap.config import Config
    from boardsnap.web import Settings, create_app

    with receiving() as hook:
        cfg = Config().with_overrides(
            web={"workers": 1},
            notify={"webhooks": [hook.url], "report_base_url": "https://boardsnap.example"},
        )
        settings = Settings(
            token=TOKEN,
            data_dir=tmp_path / "web",
            db=str(tmp_path / "h.db"),
            config=cfg,
            warm=False,
        )
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            draft = make_draft(client, sample_board(actual=240.0))
            published = client.post(f"/api/boards/{draft.id}/publish", headers=AUTH)
            assert published.status_code == 200, published.text
            deadline = time.monotonic() + 20
            while not hook.received and time.monotonic() < deadline:
                time.sleep(0.05)
    [event] = hook.events()
    assert event["event"] == "review.saved"
    assert event["review_id"] == published.json()["review_id"]
    assert event["report"] == f"https://boardsnap.example/drafts/{draft.id}/report.pdf"
    assert event["breaches"][0]["metric"] == "P95 latency"
