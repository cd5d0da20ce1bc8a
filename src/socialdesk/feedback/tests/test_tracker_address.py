"""A department's issue-tracker address may carry a token: kept encrypted, shown redacted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import handoff, services
from socialdesk.inbox.models import Contact, Conversation, Direction, Message

BY = Acting(user=None, label="test")
ROLES = ["admin", "manager", "agent", "member", "viewer"]


@pytest.fixture(autouse=True)
def _key_file(settings: Any, tmp_path: Path) -> None:
    settings.ENCRYPTION_KEYS = []
    settings.DATA_DIR = tmp_path


class _Tracker(BaseHTTPRequestHandler):
    received: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers.get("Authorization", "")))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def tracker(settings: Any) -> Iterator[int]:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    _Tracker.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()


def _stored_row(department: Department) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_department WHERE id = %s", [department.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def _save_address(client: Client, department: Department, url: str) -> None:
    response = client.post(
        reverse("accounts:department_edit", args=[department.pk]),
        {"name": department.name, "feedback_answer_hours": "48", "issue_tracker_url": url},
    )
    assert response.status_code == 302


def _hand_off(department: Department) -> str:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    message = Message.objects.create(
        conversation=conversation, channel_account=account, external_id="1",
        direction=Direction.INBOUND, contact=contact, text="QR geht nicht",
        created_at=timezone.now(),
    )  # fmt: skip
    item = services.item_create(by=BY, title="QR code", message=message)
    services.item_forward(by=BY, item=item, department=department)
    return handoff.hand_off(by=BY, item=item)


def test_it_keeps_the_trackers_token_and_password_out_of_the_database(
    client_as: Any, departments: dict[str, Department]
) -> None:
    product = departments["Product Development"]
    _save_address(
        client_as("admin"), product, "https://bot:pw-Hook7@tracker.example/hook?token=SECRET42"
    )
    row = _stored_row(product)
    assert "SECRET42" not in row and "pw-Hook7" not in row
    product.refresh_from_db()
    assert product.issue_tracker_url == "https://tracker.example/hook?token=•••"
    assert product.issue_tracker_address == (
        "https://bot:pw-Hook7@tracker.example/hook?token=SECRET42"
    )


def test_it_shows_the_trackers_address_redacted_on_every_department_page(
    client_as: Any, departments: dict[str, Department]
) -> None:
    product = departments["Product Development"]
    _save_address(
        client_as("admin"), product, "https://bot:pw-Hook7@tracker.example/hook?token=SECRET42"
    )
    pages = {
        (role, name): client_as(role).get(reverse(f"accounts:{name}", args=[product.pk]))
        for role in ROLES
        for name in ("department_detail", "department_edit")
    }
    leaking = [
        key
        for key, page in pages.items()
        if "SECRET42" in page.content.decode() or "pw-Hook7" in page.content.decode()
    ]
    assert leaking == []
    form = pages[("admin", "department_edit")].content.decode()
    assert "https://tracker.example/hook?token=•••" in form


def test_the_hand_off_sends_to_the_full_address_with_its_token(
    client_as: Any, departments: dict[str, Department], tracker: int
) -> None:
    product = departments["Product Development"]
    address = f"http://bot:pw-Hook7@127.0.0.1:{tracker}/hook?token=SECRET42"
    _save_address(client_as("admin"), product, address)
    product.refresh_from_db()
    assert _hand_off(product) == "HTTP 201"
    assert _Tracker.received[-1][0] == "/hook?token=SECRET42"
    assert _Tracker.received[-1][1].startswith("Basic ")  # bot:pw-Hook7


def test_saving_the_form_unchanged_keeps_the_token(
    client_as: Any, departments: dict[str, Department], tracker: int
) -> None:
    product = departments["Product Development"]
    admin = client_as("admin")
    _save_address(admin, product, f"http://127.0.0.1:{tracker}/hook?token=SECRET42")
    product.refresh_from_db()
    shown = product.issue_tracker_url
    assert "SECRET42" not in shown
    _save_address(admin, product, shown)  # the form sends back what it showed
    product.refresh_from_db()
    assert _hand_off(product) == "HTTP 201"
    assert _Tracker.received[-1][0] == "/hook?token=SECRET42"
    _save_address(admin, product, f"http://127.0.0.1:{tracker}/hook?token=NEW43")
    product.refresh_from_db()
    assert product.issue_tracker_address.endswith("token=NEW43")
    edited = shown.replace("/hook", "/hooks")  # edited, but the secret is still •••
    page = admin.post(
        reverse("accounts:department_edit", args=[product.pk]),
        {"name": product.name, "feedback_answer_hours": "48", "issue_tracker_url": edited},
    )
    assert page.status_code == 200
    assert "Replace ••• with the password or token" in page.content.decode()
    product.refresh_from_db()
    assert product.issue_tracker_address.endswith("/hook?token=NEW43")


def test_rotating_the_keys_keeps_the_trackers_address_readable(
    client_as: Any, departments: dict[str, Department], tmp_path: Path
) -> None:
    product = departments["Product Development"]
    address = "https://tracker.example/hook?token=SECRET42"
    _save_address(client_as("admin"), product, address)
    old_key = (tmp_path / "encryption_keys").read_text()
    before = _stored_row(product)
    call_command("rotate-keys", stdout=StringIO())
    assert (tmp_path / "encryption_keys").read_text() != old_key
    assert _stored_row(product) != before
    assert Department.objects.get(pk=product.pk).issue_tracker_address == address


def test_the_migration_encrypts_tracker_addresses_stored_in_clear(
    departments: dict[str, Department],
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("socialdesk.accounts.migrations.0004_encrypt_issue_tracker_addresses")
    address = "https://bot:pw-Hook7@tracker.example/hook?token=SECRET42"
    Department.objects.filter(name="Legal").update(issue_tracker_url=address)
    Department.objects.filter(name="Product Development").update(
        issue_tracker_url="https://tracker.example/hooks/1"
    )
    migration.encrypt_addresses(apps, None)
    legal = Department.objects.get(name="Legal")
    assert "SECRET42" not in _stored_row(legal) and "pw-Hook7" not in _stored_row(legal)
    assert legal.issue_tracker_url == "https://tracker.example/hook?token=•••"
    assert legal.issue_tracker_address == address
    product = Department.objects.get(name="Product Development")
    assert product.issue_tracker_url_encrypted == ""
    assert product.issue_tracker_address == "https://tracker.example/hooks/1"
