"""The index follows every write in the writer's transaction: a rolled-back write leaves no
entry, an edit changes the hit (the old text is no longer found), an import is findable."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from socialdesk.accounts import services as accounts
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import services as feedback
from socialdesk.inbox import services as inbox
from socialdesk.inbox.models import Contact, Conversation, Note
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchEntry
from socialdesk.search.selectors import search


def _found(user: User, query: str, *kinds: str) -> set[tuple[str, int]]:
    page = search(user, query, filters=Filters(kinds=kinds), limit=100)
    assert page.problem is None, page.problem
    return {(hit.kind, hit.object_id) for hit in page.hits}


@pytest.fixture
def conversation(db: None) -> Conversation:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    contact = Contact.objects.create(display_name="Kim Kunde")
    return Conversation.objects.create(channel_account=account, contact=contact)


def test_it_leaves_no_entry_when_the_write_is_rolled_back(
    people: dict[str, User], conversation: Conversation
) -> None:
    by = Acting(user=people["agent"])
    with pytest.raises(RuntimeError), transaction.atomic():
        inbox.conversation_add_note(by=by, conversation=conversation, text="Geheimnotiz Rollback")
        assert _found(people["admin"], "geheimnotiz")  # inside: already findable
        raise RuntimeError("the writer fails later")
    assert not Note.objects.exists()
    assert not SearchEntry.objects.filter(kind="note").exists()
    assert _found(people["admin"], "geheimnotiz") == set()


def test_it_finds_notes_replies_and_tags_as_soon_as_they_are_written(
    people: dict[str, User], conversation: Conversation
) -> None:
    by = Acting(user=people["agent"])
    note = inbox.conversation_add_note(by=by, conversation=conversation, text="Fahrkartenautomat")
    reply = inbox.conversation_reply(by=by, conversation=conversation, text="Wir prüfen es.")
    inbox.conversation_set_tags(by=by, conversation=conversation, names=["Störung"])
    admin = people["admin"]
    assert _found(admin, "automat") == {("note", note.pk)}  # a compound part
    assert _found(admin, "prüfen") == {("message", reply.pk), ("conversation", conversation.pk)}
    assert _found(admin, "#störung") == {("conversation", conversation.pk)}


def test_it_changes_the_hit_when_the_text_is_edited(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    admin, mia = people["admin"], people["member"]
    accounts.user_update_preferences(
        by=Acting(user=mia), user=mia, full_name="Mia Altname", language="de", time_zone="UTC"
    )
    assert _found(admin, "altname") == {("person", mia.pk)}
    accounts.user_update_preferences(
        by=Acting(user=mia), user=mia, full_name="Mia Neuname", language="de", time_zone="UTC"
    )
    assert _found(admin, "altname") == set()
    assert _found(admin, "neuname") == {("person", mia.pk)}
    item = feedback.item_create(by=Acting(user=admin), title="Bahnsteig zu kurz")
    assert _found(admin, "bahnsteig") == {("feedback", item.pk)}
    feedback.item_set_status(
        by=Acting(user=admin), item=item, status="wont_do", reason="Umbau geplant"
    )
    assert _found(admin, "umbau") == {("feedback", item.pk)}


def test_it_finds_imported_messages_and_their_conversations(
    people: dict[str, User], tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "response_tweet_id",
                "in_response_to_tweet_id",
            ]
        )
        writer.writerow(
            ["1", "501", "True", "Mon Mar 02 08:00:00 +0000 2026", "Ticketkauf kaputt", "2", ""]
        )
        writer.writerow(
            ["2", "Nord", "False", "Mon Mar 02 08:30:00 +0000 2026", "@501 Wir helfen", "", "1.0"]
        )
    call_command("import", "--format", "twcs", str(path), stdout=StringIO(), stderr=StringIO())
    admin = people["admin"]
    assert {kind for kind, _pk in _found(admin, "ticket*")} == {"message"}
    assert {kind for kind, _pk in _found(admin, "helfen", "message")} == {"message"}
    conversation = Conversation.objects.get()
    assert ("conversation", conversation.pk) in _found(admin, "ticket* OR helfen")
    assert ("contact", Contact.objects.get().pk) in _found(admin, "501")
