"""What a hit shows: a room post's title and snippet are its words, not its Markdown (kept
beside the body by every write, and by the migration for posts written before)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.search import indexing
from socialdesk.search.kinds.base import Filters
from socialdesk.search.selectors import search
from socialdesk.spaces.models import RoomPost
from socialdesk.spaces.post_services import post_create, post_edit
from socialdesk.spaces.room_services import room_create
from socialdesk.wiki.page_services import page_create
from socialdesk.wiki.space_services import space_create

pytestmark = pytest.mark.django_db


def test_a_room_post_hit_reads_as_text_without_markdown(people: dict[str, User]) -> None:
    agent = people["agent"]
    room = room_create(by=Acting(agent), name="Fahrplanteam")
    written = post_create(
        by=Acting(agent),
        room=room,
        body="**Fahrplanwechsel** am _Sonntag_: [Übersicht](https://example.com/plan)\n\n"
        "- Linie 4 fährt `später`, fragt @[Alex Agent]",
    )
    page = search(people["member"], "Sonntag", filters=Filters(kinds=("room_post",)))
    assert len(page.hits) == 1
    hit = page.hits[0]
    assert hit.title == "Fahrplanwechsel am Sonntag: Übersicht"
    for mark in ("**", "_Sonntag_", "](", "`", "- Linie", "@["):
        assert mark not in hit.title and mark not in hit.snippet_text
    assert "Linie 4 fährt später, fragt @Alex Agent" in hit.snippet_text
    post_edit(by=Acting(agent), post=written.post, body="Ab *Montag* gilt der ~~alte~~ neue Plan")
    page = search(people["member"], "Montag", filters=Filters(kinds=("room_post",)))
    assert [hit.snippet_text for hit in page.hits] == ["Ab Montag gilt der alte neue Plan"]
    assert not search(people["member"], "Sonntag", filters=Filters(kinds=("room_post",))).hits


def test_the_migration_gives_existing_posts_their_plain_words(people: dict[str, User]) -> None:
    agent = people["agent"]
    room = room_create(by=Acting(agent), name="Team")
    post = post_create(by=Acting(agent), room=room, body="**Hallo** @[Alex Agent]").post
    RoomPost.objects.update(plain_text="")  # as the column came from the migration
    importlib.import_module("socialdesk.spaces.migrations.0002_post_plain_text").fill(apps, None)
    assert RoomPost.objects.get(pk=post.pk).plain_text == "Hallo @Alex Agent"


def test_a_wiki_hit_reads_as_the_page_does(people: dict[str, User]) -> None:
    by = Acting(people["manager"])
    space = space_create(by=by, name="Handbuch", key="handbuch")
    body = "## Aufgaben\n\n- [ ] Sparpreise in [[Rückerstattung|den Regeln]] prüfen"
    page_create(by=by, space=space, title="Teamrunde", body=body)
    hits = search(people["member"], "Sparpreise", filters=Filters(kinds=("wiki_page",))).hits
    assert [hit.snippet_text for hit in hits] == ["Aufgaben\nSparpreise in den Regeln prüfen"]


def test_a_message_hit_is_titled_by_its_author_or_its_contact_and_links_to_it(
    people: dict[str, User],
) -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    named = Contact.objects.create(display_name="Kundin Kaja")
    unnamed = Contact.objects.create(display_name="")
    agent = people["agent"]
    written = {}
    for key, conversation_of, author, handle in [
        ("colleague", named, agent, ""),
        ("handle", named, None, "@kaja@example.social"),
        ("contact", named, None, ""),
        ("unnamed", unnamed, None, ""),
    ]:
        conversation = Conversation.objects.create(channel_account=account, contact=conversation_of)
        written[key] = Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=key,
            direction=Direction.INBOUND,
            text=f"Weichenstörung {key}",
            author_user=author,
            author_handle=handle,
            created_at=timezone.now(),
        )
    indexing.reindex()  # written past the services, as an import does
    expected = {
        "colleague": agent.full_name,
        "handle": "@kaja@example.social",
        "contact": "Kundin Kaja",
        "unnamed": f"Kontakt {unnamed.pk}",
    }
    with translation.override("de"):
        hits = search(people["manager"], "Weichenstörung", limit=10).hits
    by_id = {hit.object_id: hit for hit in hits if hit.kind == "message"}
    assert {key: by_id[m.pk].title for key, m in written.items()} == expected
    for message in written.values():
        assert (
            by_id[message.pk].url
            == reverse("inbox:conversation", args=[message.conversation_id])
            + f"#message-{message.pk}"
        )
    try:  # served under a path of its own: every address carries it
        set_script_prefix("/social/")
        with translation.override("de"):
            hits = search(people["manager"], "Weichenstörung", limit=10).hits
    finally:
        set_script_prefix("/")
    assert sorted(hit.url for hit in hits) == sorted(
        "/social/" + reverse("inbox:conversation", args=[m.conversation_id])[1:]
        + f"#message-{m.pk}"
        for m in written.values()
    )  # fmt: skip
