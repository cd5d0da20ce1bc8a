"""A customer's rights: export everything about them, erase them everywhere, retention."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Organisation
from socialdesk.channels import services as channel_services
from socialdesk.channels.models import ChannelAccount, SetAsideItem, WebhookDelivery
from socialdesk.channels.webhook.receiver import process_pending, signature
from socialdesk.core import changes
from socialdesk.feedback import services as feedback
from socialdesk.feedback.models import (
    Classification,
    FeedbackEvent,
    FeedbackItem,
    Label,
    ReplyDraft,
    TrainedModel,
)
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import (
    Contact,
    ContactHandle,
    Conversation,
    Direction,
    Message,
    Note,
    Notification,
)
from socialdesk.inbox.services import conversation_assign as assign
from socialdesk.listening.models import Monitor, MonitorMatch
from socialdesk.privacy import selectors, services
from socialdesk.privacy.tasks import apply_retention
from socialdesk.sla.kpi import first_response

BY = Acting(user=None, label="test")
SECRET = "Zahnbürste"  # a word only Kim ever wrote


def _thread(account, name, handle, text, *, days_ago=1, answer_minutes=30) -> Conversation:
    contact = Contact.objects.create(display_name=name)
    ContactHandle.objects.create(contact=contact, network="mastodon", handle=handle)
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    start = timezone.now() - timedelta(days=days_ago)
    n = Message.objects.count()
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id=f"m{n + 1}",
        direction=Direction.INBOUND, author_handle=handle, contact=contact, text=text,
        needs_reply=True, created_at=start, meta={"url": f"https://example.social/@{handle}/1"},
    )  # fmt: skip
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id=f"m{n + 2}",
        direction=Direction.OUTBOUND, text=f"Hallo @{handle}, wir kümmern uns.",
        created_at=start + timedelta(minutes=answer_minutes),
    )  # fmt: skip
    refresh_conversations({conversation.pk})
    # as ingest tells the search (what the inbox's search box reads)
    changes.changed("inbox.contact", [contact.pk])
    changes.changed("inbox.message", list(conversation.messages.values_list("pk", flat=True)))
    changes.changed("inbox.conversation", [conversation.pk])
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def world(people) -> dict[str, Any]:
    """Kim (to be erased) and Bo (who must stay), with everything that refers to them."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    kim = _thread(account, "Kim <b>Kunde</b>", "kim_k", f"Meine {SECRET} ist kaputt?")
    bo = _thread(account, "Bo Berg", "bo_b", "Wo bleibt mein Paket?", answer_minutes=90)
    kim_in, bo_in = kim.messages.earliest("created_at"), bo.messages.earliest("created_at")
    Note.objects.create(conversation=kim, author=people["agent"], text="Kim ist Stammkundin")
    Note.objects.create(
        conversation=bo, author=people["agent"], text="Wie bei @kim_k, bitte prüfen"
    )
    item = feedback.item_create(by=BY, title="Produkt kaputt", message=kim_in)
    feedback.item_link(by=BY, item=item, message=bo_in)
    ReplyDraft.objects.create(
        item=item, conversation=kim, language="de", text="Hallo Kim <b>Kunde</b>"
    )
    FeedbackEvent.objects.create(item=item, kind="answered", text="Kim <b>Kunde</b>")
    for message in (kim_in, bo_in):
        Classification.objects.create(
            message=message, sentiment="negative", topics=[["Produkt", 0.9]]
        )
        Label.objects.create(message=message, task="sentiment", value="negative")
    monitor = Monitor.objects.create(name="Alles", query="kaputt OR Paket")
    for message in (kim_in, bo_in):
        MonitorMatch.objects.create(monitor=monitor, message=message, created_at=message.created_at)
    hook = ChannelAccount.objects.create(network="webhook", handle="shop")
    for author, text in (("kim_k", SECRET), ("bo_b", "Paket")):
        body = json.dumps({"items": [{"id": author, "author": author, "text": text}]})
        WebhookDelivery.objects.create(
            channel_account=hook, body=body.encode(), processed_at=timezone.now()
        )
    SetAsideItem.objects.create(
        channel_account=hook, reason="no text", raw={"author": "Kim_K", "x": SECRET}
    )
    assign(
        by=Acting(user=people["admin"]), conversation=kim, assignee=people["agent"], department=None
    )
    Notification.objects.create(
        user=people["agent"], conversation=kim, kind="mention", title="Kim <b>Kunde</b> fragt"
    )
    return {"kim": kim, "bo": bo, "item": item, "kim_contact": kim.contact}


def test_it_exports_everything_stored_about_the_person(world):
    data = services.contact_export(by=BY, contact=world["kim_contact"])
    assert data["contact"]["name"] == "Kim <b>Kunde</b>"
    assert data["handles"] == [{"network": "mastodon", "handle": "kim_k"}]
    assert [c["id"] for c in data["conversations"]] == [world["kim"].pk]
    assert [m["text"] for m in data["messages"]] == [f"Meine {SECRET} ist kaputt?",
                                                     "Hallo @kim_k, wir kümmern uns."]  # fmt: skip
    assert data["messages"][0]["classification"]["sentiment"] == "negative"
    assert data["messages"][0]["labels"] == [{"task": "sentiment", "value": "negative"}]
    # Notes on their conversation and a note elsewhere naming their handle.
    assert sorted(n["text"] for n in data["notes"]) == ["Kim ist Stammkundin",
                                                       "Wie bei @kim_k, bitte prüfen"]  # fmt: skip
    assert [f["title"] for f in data["feedback"]] == ["Produkt kaputt"]
    assert [d["text"] for d in data["reply_drafts"]] == ["Hallo Kim <b>Kunde</b>"]
    assert [m["monitor"] for m in data["listening_matches"]] == ["Alles"]
    assert [n["title"] for n in data["notifications"]] == ["Kim <b>Kunde</b> fragt"]
    assert [e["action"] for e in data["audit"]] == ["conversation.assigned"]
    assert "Bo Berg" not in json.dumps(data) and "Paket" not in json.dumps(data)
    html = services.export_html(data, "de")
    assert "Gespeicherte Daten zu Kontakt" in html and "Nachrichten" in html
    assert "Kim &lt;b&gt;Kunde&lt;/b&gt;" in html and "<b>Kunde</b>" not in html
    assert "Data stored about contact" in services.export_html(data, "en")


def _everything_text() -> str:
    """Every stored text a person could be found in, as one string."""
    parts = [
        *Message.objects.values_list("text", "author_handle", "meta"),
        *Conversation.objects.values_list("preview"),
        *Note.objects.values_list("text"),
        *Notification.objects.values_list("title"),
        *FeedbackEvent.objects.values_list("text"),
        *ReplyDraft.objects.values_list("text"),
        *Contact.objects.values_list("display_name"),
        *ContactHandle.objects.values_list("handle"),
        *AuditEvent.objects.values_list("object_repr", "before", "after"),
        *SetAsideItem.objects.values_list("raw"),
        *(bytes(body).decode() for body in WebhookDelivery.objects.values_list("body", flat=True)),
    ]
    return json.dumps(parts, default=str, ensure_ascii=False)


def test_it_erases_the_person_everywhere_and_the_kpi_stays_the_same(
    world, client_as, django_capture_on_commit_callbacks
):
    kim, bo = world["kim"], world["bo"]
    kim_messages = [m.pk for m in kim.messages.all()]
    kim_id = world["kim_contact"].pk
    kpi_before = first_response(within=timedelta(hours=1)).as_dict()
    assert kpi_before["conversations"] == 2 and kpi_before["answered_within"] == 1
    csv_url = reverse("kpi:first_response_csv") + "?within=1h"
    kpi_csv_before = b"".join(client_as("manager").get(csv_url).streaming_content)
    client = client_as("agent")
    assert "Kim" in client.get(reverse("inbox:list") + f"?q={SECRET}&status=all").content.decode()

    learnt = TrainedModel.objects.create(task="sentiment", blob=b"x", trained_on=2)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.contact_erase(by=BY, contact=world["kim_contact"])

    assert (result.conversations, result.messages) == (1, 2)
    text = _everything_text()
    for trace in (SECRET, "kim_k", "Kim", "example.social/@kim"):
        assert trace not in text, trace
    assert "Bo Berg" in text and "bo_b" in text and "Paket" in text
    html = client.get(reverse("inbox:list") + f"?q={SECRET}&status=all").content.decode()
    assert "[erased]" not in html and "Kim" not in html
    kim.refresh_from_db()
    assert kim.contact is None and kim.erased_at is not None and kim.preview == "[erased]"
    assert list(kim.messages.values_list("text", flat=True)) == ["[erased]", "[erased]"]
    # Derived from their texts: gone; Bo's remain.
    assert not Classification.objects.filter(message_id__in=kim_messages).exists()
    assert not Label.objects.filter(message_id__in=kim_messages).exists()
    assert not MonitorMatch.objects.filter(message_id__in=kim_messages).exists()
    assert (
        Label.objects.count() == Classification.objects.count() == MonitorMatch.objects.count() == 1
    )
    item = FeedbackItem.objects.get(pk=world["item"].pk)
    assert item.mention_count == 1 and [
        link.message.conversation_id for link in item.links.all()
    ] == [bo.pk]
    assert not ReplyDraft.objects.exists()
    # The model that learnt from their label is gone (retrained without it when enough remain).
    assert not TrainedModel.objects.filter(pk=learnt.pk).exists()
    assert WebhookDelivery.objects.count() == 1 and not SetAsideItem.objects.exists()
    # The KPI counts the conversation exactly as before (times and facts are kept).
    assert first_response(within=timedelta(hours=1)).as_dict() == kpi_before
    assert b"".join(client_as("manager").get(csv_url).streaming_content) == kpi_csv_before
    event = AuditEvent.objects.get(action="contact.erased")
    assert event.object_repr == f"contact #{kim_id}" and event.object_id == str(kim_id)
    assert event.after == {"conversations": 1, "messages": 2}


def test_it_deletes_the_contact_and_every_handle(world):
    services.contact_erase(by=BY, contact=world["kim_contact"])
    assert not Contact.objects.filter(Q(display_name__icontains="kim")).exists()
    assert not ContactHandle.objects.filter(handle="kim_k").exists()


def test_it_anonymises_old_conversations_by_the_retention_setting(world):
    account = ChannelAccount.objects.get(handle="nordlicht")
    old = _thread(account, "Olga Alt", "olga", "Alte Frage?", days_ago=400)
    long_ago = timezone.now() - timedelta(days=400)
    elsewhere = Note.objects.create(conversation=world["bo"], text="Wie damals bei @olga")
    WebhookDelivery.objects.filter(body__isnull=False).update(processed_at=long_ago)
    WebhookDelivery.objects.create(channel_account=account, body=b"{}", processed_at=timezone.now())
    SetAsideItem.objects.update(created_at=long_ago)
    kpi_before = first_response(within=timedelta(hours=1)).as_dict()
    assert apply_retention.call() == 0  # off by default
    assert Message.objects.filter(text="Alte Frage?").exists()

    organisation = Organisation.current()
    organisation.retention_months = 12
    organisation.save()
    assert apply_retention.call() == 1

    old.refresh_from_db()
    assert old.erased_at is not None and old.contact is None and old.preview == "[erased]"
    assert set(old.messages.values_list("text", flat=True)) == {"[erased]"}
    assert not Contact.objects.filter(display_name="Olga Alt").exists()
    elsewhere.refresh_from_db()
    assert elsewhere.text == "Wie damals bei [erased]"
    assert Message.objects.filter(text__contains=SECRET).exists()  # recent ones stay
    assert first_response(within=timedelta(hours=1)).as_dict() == kpi_before
    assert AuditEvent.objects.get(action="retention.applied").after["conversations"] == 1
    assert list(WebhookDelivery.objects.values_list("body", flat=True)) == [b"{}"]
    assert not SetAsideItem.objects.exists()
    assert apply_retention.call() == 0  # done once

    # The customer writes again in the anonymised thread: that text too goes when it is old.
    Message.objects.create(
        conversation=old, channel_account=account, external_id="later", direction=Direction.INBOUND,
        text="Noch eine Frage von Olga", created_at=timezone.now(),
    )  # fmt: skip
    refresh_conversations({old.pk})
    assert services.retention_apply().conversations == 0
    services.retention_apply(now=timezone.now() + timedelta(days=400))
    assert not Message.objects.filter(text__contains="Olga").exists()


def test_it_sets_retention_on_the_organisation_page(client_as, organisation):
    response = client_as("admin").post(
        reverse("accounts:organisation"),
        {"name": "Nordlicht", "time_zone": "Europe/Berlin", "default_language": "de",
         "retention_months": "18"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Organisation.current().retention_months == 18


def test_it_exports_and_erases_from_the_command_line(world, tmp_path, monkeypatch):
    contact = world["kim_contact"]
    out = StringIO()
    call_command(
        "contacts",
        "export",
        "mastodon:@kim_k",
        "--out",
        str(tmp_path),
        "--language",
        "de",
        stdout=out,
    )
    data = json.loads((tmp_path / f"contact-{contact.pk}.json").read_text())
    assert data["messages"][0]["text"] == f"Meine {SECRET} ist kaputt?"
    assert "Nachrichten" in (tmp_path / f"contact-{contact.pk}.html").read_text()

    monkeypatch.setattr("builtins.input", lambda _prompt: "no")
    with pytest.raises(CommandError, match="nothing erased"):
        call_command("contacts", "erase", str(contact.pk))
    assert Contact.objects.filter(pk=contact.pk).exists()

    out = StringIO()
    call_command("contacts", "erase", "kim_k", "--yes", stdout=out)
    assert out.getvalue().strip() == f"contact #{contact.pk} erased (conversations: 1, messages: 2)"
    assert not Contact.objects.filter(pk=contact.pk).exists()
    with pytest.raises(CommandError, match="no contact"):
        call_command("contacts", "export", "kim_k")
    assert selectors.search_terms(world["bo"].contact) == ["Bo Berg", "@bo_b", "bo_b"]
    ContactHandle.objects.create(
        contact=world["bo"].contact, network="bluesky", handle="did:plc:bo"
    )
    assert selectors.contact_find("did:plc:bo") == selectors.contact_find("bluesky:did:plc:bo")


def test_it_erases_the_name_from_other_messages_and_the_feedback_audit(people):
    """Found in review: after erasure the name stayed in a feedback item's audit entry and in
    other people's messages (and their conversation's preview) that named the person."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    zelda = _thread(account, "Zelda Quuxington", "zq_handle", "Ich bin Zelda Quuxington")
    otto = _thread(
        account, "Otto Other", "otto_o", "Meine Freundin @zq_handle Zelda Quuxington auch"
    )
    item = feedback.item_create(
        by=BY, title="Zelda Quuxington will dunkles Design", message=zelda.messages.first()
    )
    assert zelda.contact is not None
    services.contact_erase(by=BY, contact=zelda.contact)
    otto.refresh_from_db()
    left = [
        *AuditEvent.objects.filter(object_id=str(item.pk)).values_list(
            "object_repr", "before", "after"
        ),
        *Message.objects.values_list("text", flat=True),
        otto.preview,
    ]
    found = [
        value for value in left if "quuxington" in str(value).lower() or "zq_handle" in str(value)
    ]
    assert found == []
    assert Message.objects.filter(conversation=otto, text__contains="Meine Freundin").exists()


def test_it_keeps_other_words_that_contain_an_erased_handle(people):
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    bob = _thread(account, "Bo", "bob", "Hallo")
    other = _thread(account, "Otto Other", "otto_o", "Bobby und @bob fragen nach Kebobs")
    assert bob.contact is not None
    services.contact_erase(by=BY, contact=bob.contact)
    texts = list(Message.objects.filter(conversation=other).values_list("text", flat=True))
    assert any(t.startswith("Bobby und ") and t.endswith(" fragen nach Kebobs") for t in texts)
    assert not any("@bob " in t for t in texts)


def test_what_arrived_before_the_erasure_does_not_bring_the_person_back(db):
    account, _secret = channel_services.webhook_add(by=BY, name="Shop", secret="s" * 32)

    def deliver(item_id: str, text: str) -> None:
        body = json.dumps(
            {"items": [{"id": item_id, "author": "zed", "text": text,
                        "created_at": "2026-11-29T10:00:00Z"}]}
        ).encode()  # fmt: skip
        response = Client().post(
            f"/hooks/{account.pk}/", body, content_type="application/json",
            headers={"X-Hub-Signature-256": signature("s" * 32, body)},
        )  # fmt: skip
        assert response.status_code == 202

    deliver("1", "Zed Zebrowski here, my order 4711?")
    process_pending()
    deliver("2", "Zed Zebrowski again: order 4711!")  # received, not stored yet
    contact = Contact.objects.get(handles__handle="zed")
    services.contact_erase(by=BY, contact=contact)
    process_pending()
    assert not Contact.objects.filter(handles__handle="zed").exists()
    assert not Message.objects.filter(text__contains="4711").exists()
    assert Message.objects.filter(channel_account=account).count() == 2
