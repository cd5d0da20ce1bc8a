"""Working the inbox: read, reply, note, assign, tag, resolve, override needs-reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import changes
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Note, Status


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _conversation(
    account, text="Wo bleibt mein Zug?", *, minutes_ago=60, name="Kim Kunde"
) -> Conversation:
    contact = Contact.objects.create(display_name=name)
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    message = Message.objects.create(
        conversation=conversation,
        channel_account=account,
        external_id=f"m{Message.objects.count() + 1}",
        direction=Direction.INBOUND,
        contact=contact,
        author_handle=name.split()[0].lower(),
        text=text,
        needs_reply=True,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    refresh_conversations({conversation.pk})
    changes.changed("inbox.message", [message.pk])  # as ingest tells the search
    changes.changed("inbox.conversation", [conversation.pk])
    conversation.refresh_from_db()
    return conversation


def test_it_lists_open_conversations_longest_waiting_first(client_as, account):
    newer = _conversation(account, "Second question?", minutes_ago=5, name="Bo Second")
    older = _conversation(account, "First question?", minutes_ago=50, name="Al First")
    html = client_as("agent").get(reverse("inbox:list")).content.decode()
    assert html.index("Al First") < html.index("Bo Second")
    assert older.needs_reply and newer.needs_reply


def test_it_filters_unanswered_questions_and_searches_text(client_as, account):
    _conversation(account, "Wo ist mein Koffer?", name="Lea Koffer")
    answered = _conversation(account, "Gibt es WLAN?", name="Tom WLAN")
    client = client_as("agent")
    client.post(reverse("inbox:reply", args=[answered.pk]), {"reply-text": "Ja, im ganzen Zug."})
    html = client.get(reverse("inbox:list") + "?needs_reply=yes").content.decode()
    assert "Lea Koffer" in html and "Tom WLAN" not in html
    html = client.get(reverse("inbox:list") + "?q=koffer&status=all").content.decode()
    assert "Lea Koffer" in html and "Tom WLAN" not in html


def test_it_stores_a_reply_that_stops_the_first_response_clock(client_as, account, people):
    conversation = _conversation(account)
    client_as("agent").post(
        reverse("inbox:reply", args=[conversation.pk]),
        {"reply-text": "Er kommt in 5 Minuten.", "reply-then": "waiting"},
    )
    conversation.refresh_from_db()
    reply = conversation.messages.get(direction=Direction.OUTBOUND)
    assert reply.author_user == people["agent"] and reply.text == "Er kommt in 5 Minuten."
    assert conversation.first_response_at == reply.created_at
    assert conversation.status == Status.WAITING


def test_it_never_lets_a_note_stop_the_clock(client_as, account, people):
    conversation = _conversation(account)
    client_as("agent").post(
        reverse("inbox:note", args=[conversation.pk]), {"note-text": "@max kannst du das prüfen?"}
    )
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    note = Note.objects.get()
    assert list(note.mentions.all()) == [people["manager"]]
    page = (
        client_as("agent")
        .get(reverse("inbox:conversation", args=[conversation.pk]))
        .content.decode()
    )
    assert "Internal note" in page and "kannst du das prüfen?" in page


def test_it_refuses_an_empty_reply(client_as, account):
    conversation = _conversation(account)
    response = client_as("agent").post(
        reverse("inbox:reply", args=[conversation.pk]), {"reply-text": "   "}, follow=True
    )
    assert "This field is required." in response.content.decode()
    assert not conversation.messages.filter(direction=Direction.OUTBOUND).exists()


def test_it_assigns_to_a_person_and_a_department_and_audits_it(
    client_as, account, people, departments
):
    conversation = _conversation(account)
    client_as("manager").post(
        reverse("inbox:assign", args=[conversation.pk]),
        {"assignee": people["agent"].pk, "department": departments["Customer Service"].pk},
    )
    conversation.refresh_from_db()
    assert conversation.assignee == people["agent"]
    assert conversation.department == departments["Customer Service"]


def test_it_resolves_and_reopens(client_as, account):
    conversation = _conversation(account)
    client = client_as("agent")
    client.post(reverse("inbox:status", args=[conversation.pk]), {"status": "resolved"})
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED and conversation.resolved_at
    client.post(reverse("inbox:status", args=[conversation.pk]), {"status": "open"})
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.resolved_at is None


def test_it_tags_a_conversation(client_as, account):
    conversation = _conversation(account)
    client_as("agent").post(
        reverse("inbox:tags", args=[conversation.pk]), {"tags": "Verspätung, App,  ,App"}
    )
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["App", "Verspätung"]


def test_it_lets_an_agent_override_needs_reply_in_one_click(client_as, account):
    conversation = _conversation(account)
    message = conversation.messages.get()
    client_as("agent").post(reverse("inbox:needs_reply", args=[message.pk]), {"value": "no"})
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.needs_reply is False and conversation.needs_reply is False


def test_it_shows_department_members_only_what_is_handed_to_them(client_as, account, departments):
    mine = _conversation(account, name="Handed Over")
    _conversation(account, name="Not Handed")
    mine.department = departments["Product Development"]
    mine.save()
    client = client_as("member")
    html = client.get(reverse("inbox:list")).content.decode()
    assert "Handed Over" in html and "Not Handed" not in html
    other = Conversation.objects.exclude(pk=mine.pk).get()
    assert client.get(reverse("inbox:conversation", args=[other.pk])).status_code == 404


def test_it_escapes_what_customers_write(client_as, account):
    conversation = _conversation(account, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    html = (
        client_as("agent")
        .get(reverse("inbox:conversation", args=[conversation.pk]))
        .content.decode()
    )
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("url_name", ["inbox:list", "inbox:conversation"])
def test_it_needs_the_same_number_of_queries_for_more_rows(client_as, account, url_name):
    client = client_as("agent")
    first = _conversation(account)
    url = (
        reverse(url_name, args=[first.pk])
        if url_name == "inbox:conversation"
        else reverse(url_name)
    )
    client.get(url)  # warm caches (organisation, session)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        _conversation(account, f"Frage {i}?", name=f"Person {i}")
        Message.objects.create(
            conversation=first, channel_account=account, external_id=f"x{i}", direction=Direction.INBOUND,
            text=f"Noch eine Nachricht {i}", created_at=timezone.now(),
        )  # fmt: skip
    refresh_conversations({first.pk})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_it_fills_placeholders_of_saved_replies(client_as, account, people, organisation):
    from socialdesk.inbox.models import SavedReply

    organisation.name = "Nordlicht Bahn"
    organisation.save()
    SavedReply.objects.create(
        title="Verspätung",
        body="Hallo {name}, das tut uns leid. Viele Grüße, {agent} von {company}",
    )
    conversation = _conversation(account, name="Kim Kunde")
    html = (
        client_as("agent")
        .get(reverse("inbox:conversation", args=[conversation.pk]))
        .content.decode()
    )
    assert "Hallo Kim Kunde, das tut uns leid. Viele Grüße, Alex von Nordlicht Bahn" in html


def test_it_manages_saved_replies_and_rejects_a_duplicate_title(client_as):
    from socialdesk.inbox.models import SavedReply

    client = client_as("agent")
    client.post(reverse("inbox:saved_replies"), {"title": "Danke", "body": "Danke, {name}!"})
    again = client.post(reverse("inbox:saved_replies"), {"title": "danke", "body": "x"})
    assert "exists already" in again.content.decode()
    assert SavedReply.objects.count() == 1
    assert (
        client.post(
            reverse("inbox:saved_reply_delete", args=[SavedReply.objects.get().pk])
        ).status_code
        == 403
    )
    client_as("manager").post(
        reverse("inbox:saved_reply_delete", args=[SavedReply.objects.get().pk])
    )
    assert not SavedReply.objects.exists()


def test_it_tells_an_agent_who_else_has_the_conversation_open_or_is_typing(client_as, account):
    conversation = _conversation(account)
    url = reverse("inbox:presence", args=[conversation.pk])
    agent, manager = client_as("agent"), client_as("manager")
    assert "open too" not in agent.post(url, {"typing": "0"}).content.decode()
    manager.post(url, {"typing": "1"})
    assert "Max is typing a reply." in agent.post(url, {"typing": "0"}).content.decode()
    manager.post(url, {"typing": "0"})
    assert (
        "Max has this conversation open too." in agent.post(url, {"typing": "0"}).content.decode()
    )
