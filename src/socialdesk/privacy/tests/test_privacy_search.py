"""Erasing a person also takes them out of the search, the room posts and the wiki (every
revision), and the export names what the team wrote about them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.markdown import to_plain_text
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Direction, Message, Note
from socialdesk.privacy import selectors, services
from socialdesk.search import indexing
from socialdesk.search.models import SearchEntry
from socialdesk.search.selectors import search
from socialdesk.spaces import post_services, room_services
from socialdesk.spaces.models import RoomPost
from socialdesk.wiki import page_services
from socialdesk.wiki.models import WikiPage, WikiRevision, WikiSpace

pytestmark = pytest.mark.django_db
NAME = "Kim Quastenberg"
SECRET = "Zahnbürste"


@pytest.fixture
def world(people):
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    contact = Contact.objects.create(display_name=NAME)
    ContactHandle.objects.create(contact=contact, network="mastodon", handle="kim_q")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id="m1",
        direction=Direction.INBOUND, author_handle="kim_q", contact=contact,
        text=f"Meine {SECRET} ist kaputt", created_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    Note.objects.create(conversation=conversation, author=people["agent"], text="Stammkundin")
    by = Acting(user=people["manager"])
    room = room_services.room_create(by=by, name="Kundendienst")
    post_services.post_create(by=by, room=room, body=f"{NAME} hat wieder angerufen.")
    post_services.post_create(by=by, room=room, body="Ein Beitrag über etwas anderes.")
    space = WikiSpace.objects.create(name="Handbuch", key="handbuch")
    page = page_services.page_create(
        by=by, space=space, title="Beschwerden", body=f"Fall: {NAME} (@kim_q), Bürste."
    )
    page_services.page_save(
        by=by, page=page, title="Beschwerden", body=f"Fall {NAME} erledigt.", base_revision=1
    )
    indexing.reindex()
    return {"contact": contact, "page": page}


def _found(user, query: str) -> list[str]:
    return [f"{hit.kind}:{hit.object_id}" for hit in search(user, query, limit=50).hits]


def _fts_terms(index: str = "search_fts") -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {index}, 'row')")
        cursor.execute("SELECT term FROM temp.vocab")
        terms = {row[0] for row in cursor.fetchall()}
        cursor.execute("DROP TABLE temp.vocab")
    return terms


def test_it_exports_the_room_posts_and_wiki_pages_that_name_the_person(world):
    data = selectors.contact_data(world["contact"])
    assert [p["text"] for p in data["room_posts"]] == [f"{NAME} hat wieder angerufen."]
    assert [p["title"] for p in data["wiki_pages"]] == ["Beschwerden"]


def test_it_leaves_nothing_of_the_person_to_find(world, people):
    admin = people["admin"]
    before = {q: _found(admin, q) for q in (SECRET, "Quastenberg", "kim_q")}
    assert any(k.startswith("message:") for k in before[SECRET])
    found_kinds = {k.split(":")[0] for k in before["Quastenberg"]}
    assert found_kinds >= {"contact", "room_post", "wiki_page"}
    if connection.vendor == "sqlite":  # both FTS5 indexes hold the newest entries' words
        assert {"quastenberg"} <= _fts_terms("search_fts") & _fts_terms("search_recent")
    services.contact_erase(by=Acting(user=admin), contact=world["contact"])
    for query in (SECRET, "Quastenberg", "kim_q", "Zahnburste"):
        assert _found(admin, query) == [], query
    assert _found(admin, "angerufen")  # the rest of the post stays findable
    rows = SearchEntry.objects.values_list("title_terms", "body_terms", "parts")
    assert not any("quastenberg" in " ".join(row).lower() for row in rows)
    texts = [*RoomPost.objects.values_list("plain_text", flat=True),
             *WikiPage.objects.values_list("plain_text", flat=True)]  # fmt: skip
    assert not any("Quastenberg" in text or "kim_q" in text for text in texts)
    for revision in WikiRevision.objects.filter(page=world["page"]):
        assert "Quastenberg" not in revision.body and "kim_q" not in revision.body
    if connection.vendor == "sqlite":  # the FTS5 segments were merged: the words left the file
        for index in ("search_fts", "search_recent"):  # both indexes held the newest entries
            assert not {"quastenberg", "zahnburste", "zahnbürste"} & _fts_terms(index), index


def test_it_finds_and_erases_the_name_where_markdown_splits_it(world, people):
    by = Acting(user=people["manager"])
    room = room_services.room_create(by=by, name="Markdown")
    post = post_services.post_create(by=by, room=room, body="Heute rief Kim **Quastenberg** an.")
    space = WikiSpace.objects.get(key="handbuch")
    page = page_services.page_create(by=by, space=space, title="Notiz", body="Konto: kim\\_q")
    page_services.page_save(
        by=by, page=page, title="Notiz", body="Konto erledigt.", base_revision=1
    )
    data = selectors.contact_data(world["contact"])
    assert post.post.pk in [p["id"] for p in data["room_posts"]]
    assert "Notiz" in [p["title"] for p in data["wiki_pages"]]  # named in its history only
    services.contact_erase(by=Acting(user=people["admin"]), contact=world["contact"])
    post.post.refresh_from_db()
    assert post.post.plain_text.startswith("Heute rief") and "Quastenberg" not in post.post.body
    rendered = [
        to_plain_text(text).lower()
        for text in [
            *RoomPost.objects.values_list("body", flat=True),
            *WikiPage.objects.values_list("body", flat=True),
            *WikiRevision.objects.values_list("body", flat=True),
        ]
    ]
    assert not any("quastenberg" in text or "kim_q" in text for text in rendered)
    assert _found(people["admin"], "angerufen") and not _found(people["admin"], "Quastenberg")
