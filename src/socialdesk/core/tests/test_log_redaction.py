"""Secrets in links (digest, invitation, password reset, OAuth) never reach a log."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from gunicorn.config import Config

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.services import user_invite
from socialdesk.core.access_log import RedactingLogger
from socialdesk.core.redaction import redact_text
from socialdesk.feedback import services as feedback
from socialdesk.feedback.models import FeedbackItem

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def secret_links(people: Any) -> list[tuple[str, str, str]]:
    """Return (link, its secret, the part of the path that must stay) for every kind of link."""
    item = FeedbackItem.objects.create(title="QR code")
    digest = feedback.link_token(item, "done", people["manager"])
    _invitation, invitation = user_invite(
        by=Acting(user=people["admin"]), email="new@example.com", role="agent"
    )
    uid = urlsafe_base64_encode(force_bytes(people["agent"].pk))
    reset = default_token_generator.make_token(people["agent"])
    return [
        (reverse("feedback:act", args=[digest]), digest, "/feedback/act/"),
        (reverse("accounts:invitation_accept", args=[invitation]), invitation, "/invitation/"),
        (
            reverse("accounts:password_reset_confirm", args=[uid, reset]),
            reset,
            f"/password-reset/{uid}/",
        ),
        (
            "/settings/channels/mastodon/callback/?code=oauthcode1234&state=oauthstate5678",
            "oauthcode1234",
            "/settings/channels/mastodon/callback/?code=",
        ),
        ("/inbox/?api_key=k3y&q=refund", "k3y", "/inbox/?api_key="),
    ]


def _gunicorn_access_line(path: str, referer: str, tmp_path: Path) -> str:
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    logger = RedactingLogger(config)
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer), ("COOKIE", "sessionid=abc")])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    return log_file.read_text()


def test_it_leaves_link_secrets_out_of_the_gunicorn_access_log(secret_links, tmp_path):
    for path, secret, kept in secret_links:
        line = _gunicorn_access_line(path, f"http://127.0.0.1:8000{path}", tmp_path)
        assert secret not in line, line
        assert kept in line, line
        assert "[redacted]" in line
        assert '" 200 1234 "' in line  # the rest of the line is the usual combined format


def test_it_leaves_link_secrets_out_of_djangos_request_log(secret_links):
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(console, logging.StreamHandler)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        client = Client()
        for path, _secret, _kept in secret_links[:2]:
            client.get(path.replace("/act/", "/act/x").replace("/invitation/", "/invitation/y"))
    finally:
        console.setStream(previous)
    logged = stream.getvalue()
    assert "Not Found: /invitation/[redacted]/" in logged
    for _path, secret, _kept in secret_links:
        assert secret not in logged


def test_it_keeps_ordinary_paths_readable():
    for line in [
        "GET /inbox/42/?q=refund&status=open HTTP/1.1",
        "GET /static/core/shell.0123456789ab.css HTTP/1.1",
        "Not Found: /feedback/items/7/",
        "GET http://social-media-desk.intranet-of-a-large-company.example/inbox/ HTTP/1.1",
    ]:
        assert redact_text(line) == line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the server runs on its own SQLite file; the database plays no part here",
)
@pytest.mark.slow
def test_the_served_app_logs_a_digest_link_without_its_token(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialdesk.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SOCIALDESK_DATA_DIR": str(tmp_path),
        "DEBUG": "true",
    }
    command = [sys.executable, "-m", "socialdesk.cli"]
    migrate = subprocess.run(
        [*command, "migrate", "--no-input"], env=env, capture_output=True, timeout=180, check=False
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    token = ".eJxLtDKyqi62MrdSSkxJVbIyNDSwMrBQqk0E1m9ZHw:1tQd3X:Abc123def456ghi789jkl012mno345"
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--no-worker", "--web-workers", "1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/feedback/act/{token}/"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url, timeout=5)
                    break
                except urllib.error.HTTPError:
                    break  # an answer (the token is not valid here): the line is logged
                except OSError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.3)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=20)
    logged = log_path.read_text()
    assert "/feedback/act/[redacted]/" in logged, logged
    assert token not in logged, logged
    assert token.split(":")[0] not in logged


def test_it_leaves_the_password_of_an_address_out_of_a_log_line():
    """Found in review: `user:password@` before the host stayed in the redacted line."""
    line = "POST https://bot:PwHook1@tracker.example/hook?token=HookSecret99 failed"
    redacted = redact_text(line)
    assert "PwHook1" not in redacted and "HookSecret99" not in redacted
    assert "https://tracker.example/hook?token=" in redacted
