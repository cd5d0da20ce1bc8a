"""In headless Chromium, in German: a manager opens a customer's page from the conversation,
downloads everything stored about them and erases them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from socialdesk.accounts.models import AuditEvent, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Direction, Message
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_a_manager_exports_and_erases_a_customer_in_german(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    page, console_errors = browser_page
    User.objects.create_user("max@example.com", "a long passphrase 42", full_name="Max Manager",
                             role=Role.MANAGER, language="de")  # fmt: skip
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    contact = Contact.objects.create(display_name="Kim Kundin")
    ContactHandle.objects.create(contact=contact, network="mastodon", handle="kim_k")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id="1",
        direction=Direction.INBOUND, author_handle="kim_k", contact=contact,
        text="Meine Zahnbürste <script>alert(1)</script> ist kaputt?", needs_reply=True,
        created_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    refresh_conversations({conversation.pk})

    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail address").fill("max@example.com")
    page.get_by_label("Password").fill("a long passphrase 42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")
    page.get_by_role("link", name="Kontaktseite").click()
    expect(page.locator("h1")).to_have_text("Kim Kundin")
    expect(page.locator("main")).to_contain_text("kim_k")
    _shot(page, "contact-de")

    with page.expect_download() as download:
        page.get_by_role("link", name="Daten exportieren (HTML)").click()
    saved = tmp_path / "export.html"
    download.value.save_as(saved)
    exported = saved.read_text(encoding="utf-8")
    assert f"Gespeicherte Daten zu Kontakt #{contact.pk}" in exported
    assert "Meine Zahnbürste &lt;script&gt;" in exported and "<script>" not in exported

    page.get_by_role("link", name="Löschen …").click()
    expect(page.locator("main")).to_contain_text(
        "1 Nachricht wird durch „[gelöscht]“ ersetzt (Unterhaltungen: 1)."
    )
    _shot(page, "contact-erase-de")
    page.get_by_role("button", name="Endgültig löschen").click()
    expect(page.locator(".message.success")).to_contain_text(
        f"Kontakt #{contact.pk} gelöscht (Unterhaltungen: 1, Nachrichten: 1)."
    )
    page.goto(f"{live_server.url}/inbox/?q=Zahnbürste&status=all")
    expect(page.locator("main")).not_to_contain_text("Kim")
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")
    expect(page.locator("main")).to_contain_text("[gelöscht]")
    expect(page.locator("main")).not_to_contain_text("Zahnbürste")
    assert AuditEvent.objects.get(action="contact.erased").object_repr == f"contact #{contact.pk}"
    assert console_errors == []
    connections.close_all()
