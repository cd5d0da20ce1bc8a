"""Saved replies are edited through a form, previewed with the placeholders filled, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from socialdesk.accounts.models import AuditEvent
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, SavedReply

pytestmark = pytest.mark.django_db


def test_it_saves_an_edited_reply_and_keeps_the_old_text_in_the_audit_log(client_as, people):
    saved = SavedReply.objects.create(title="Verspätung", body="Hallo {name}, sorry.")
    client = client_as("agent")
    page = client.get(reverse("inbox:saved_reply_edit", args=[saved.pk])).content.decode()
    assert "Hallo Maria Example, sorry." in page  # no conversation yet: an example customer
    response = client.post(
        reverse("inbox:saved_reply_edit", args=[saved.pk]),
        {"title": "Verspätung ", "body": "Hallo {name}, hier ist {agent} von {company}."},
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.body == "Hallo {name}, hier ist {agent} von {company}."
    event = AuditEvent.objects.get(action="saved_reply.updated")
    assert event.before == {"title": "Verspätung", "body": "Hallo {name}, sorry."}
    listed = client.get(reverse("inbox:saved_replies")).content.decode()
    assert reverse("inbox:saved_reply_edit", args=[saved.pk]) in listed


def test_it_refuses_a_title_another_reply_has_at_the_field(client_as):
    SavedReply.objects.create(title="Dank", body="Danke!")
    saved = SavedReply.objects.create(title="Gruß", body="Grüße")
    page = client_as("manager").post(
        reverse("inbox:saved_reply_edit", args=[saved.pk]), {"title": "dank", "body": "x"}
    )
    assert page.status_code == 200
    assert "A saved reply with this title exists already." in page.content.decode()
    saved.refresh_from_db()
    assert saved.title == "Gruß"


def test_it_previews_the_text_for_the_latest_conversation_escaped(client_as, organisation):
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    contact = Contact.objects.create(display_name="Kim <Kunde>")
    Conversation.objects.create(channel_account=account, contact=contact)
    html = (
        client_as("agent")
        .get(reverse("inbox:saved_reply_preview"), {"body": "Hi {name}, {agent} <i>hier</i>"})
        .content.decode()
    )
    assert "Hi Kim &lt;Kunde&gt;, Alex &lt;i&gt;hier&lt;/i&gt;" in html
    assert "<!doctype" not in html  # a fragment for htmx


def test_it_lets_no_department_member_edit_saved_replies(client_as):
    saved = SavedReply.objects.create(title="Dank", body="Danke!")
    client = client_as("member")
    response = client.post(
        reverse("inbox:saved_reply_edit", args=[saved.pk]), {"title": "X", "body": "Y"}
    )
    assert response.status_code == 403
    saved.refresh_from_db()
    assert saved.title == "Dank"


def test_it_refuses_hostile_values_at_the_field_and_stores_no_nul(client_as):
    saved = SavedReply.objects.create(title="Dank", body="Danke!")
    client = client_as("agent")
    url = reverse("inbox:saved_reply_edit", args=[saved.pk])
    page = client.post(url, {"title": "T" * 121, "body": "x" * 5001}).content.decode()
    assert "Ensure this value has at most 120 characters (it has 121)." in page
    assert "Ensure this value has at most 5000 characters (it has 5001)." in page
    saved.refresh_from_db()
    assert (saved.title, saved.body) == ("Dank", "Danke!")
    client.post(url, {"title": "Dank\x00", "body": "Hallo\x00 {name}"})
    saved.refresh_from_db()
    assert "\x00" not in saved.title + saved.body and saved.body.startswith("Hallo")
    preview = client.get(reverse("inbox:saved_reply_preview"), {"body": "{name}" * 10_000})
    assert preview.status_code == 200
    assert len(preview.content) < 200_000  # the preview reads at most 5000 characters
