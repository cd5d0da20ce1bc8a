"""What is gone is no longer found: a change announced for a deleted or trashed object removes
its entry in the writer's transaction (no reindex), and an object brought back is found again."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.core import changes
from socialdesk.inbox.models import Conversation
from socialdesk.search import indexing
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchEntry
from socialdesk.search.selectors import search
from socialdesk.search.tests.world import MARK, build
from socialdesk.spaces.models import RoomPost
from socialdesk.wiki import page_services
from socialdesk.wiki.models import WikiPage

pytestmark = pytest.mark.django_db


def _found(user: User, kind: str) -> set[int]:
    page = search(user, MARK, filters=Filters(kinds=(kind,)), limit=100)
    return {hit.object_id for hit in page.hits}


def _entries(kind: str) -> set[int]:
    return set(SearchEntry.objects.filter(kind=kind).values_list("object_id", flat=True))


@pytest.fixture
def admin(people: dict[str, User], departments: dict[str, Department]) -> User:
    build(people, departments)
    indexing.reindex()
    return people["admin"]


def test_it_forgets_a_room_post_that_was_deleted_or_removed(admin: User) -> None:
    roomie = User.objects.get(email="rita@example.com")  # a member of both rooms
    soft, hard = RoomPost.objects.filter(deleted_at__isnull=True)[:2]
    gone = {soft.pk, hard.pk}
    assert gone <= _found(roomie, "room_post")
    with transaction.atomic():
        RoomPost.objects.filter(pk=soft.pk).update(deleted_at=timezone.now())
        hard.delete()
        changes.changed("spaces.post", gone)
    assert not _entries("room_post") & gone
    assert not _found(roomie, "room_post") & gone


def test_it_forgets_a_trashed_wiki_page_and_finds_it_again_when_it_is_back(admin: User) -> None:
    page = WikiPage.objects.get(title=f"{MARK} für alle")
    assert page.pk in _found(admin, "wiki_page")
    page_services.page_delete(by=Acting(user=admin), page=page)
    assert page.pk not in _entries("wiki_page")
    assert page.pk not in _found(admin, "wiki_page")
    page_services.page_undelete(by=Acting(user=admin), page=page)
    assert page.pk in _entries("wiki_page")
    assert page.pk in _found(admin, "wiki_page")


def test_it_forgets_the_messages_and_notes_of_a_deleted_conversation(admin: User) -> None:
    conversation = Conversation.objects.filter(messages__isnull=False, notes__isnull=False)[0]
    messages = set(conversation.messages.values_list("pk", flat=True))
    notes = set(conversation.notes.values_list("pk", flat=True))
    assert messages <= _found(admin, "message")
    with transaction.atomic():
        pk = conversation.pk
        conversation.delete()  # its messages and notes go with it
        changes.changed("inbox.conversation", [pk])
    assert not _entries("message") & messages
    assert not _entries("note") & notes
    assert not _found(admin, "message") & messages


def test_it_reindexes_offline_and_keeps_following_writes_afterwards(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    admin = world.people["admin"]
    before = {kind: _found(admin, kind) for kind in ("message", "wiki_page", "room_post")}
    SearchEntry.objects.all().delete()
    result = indexing.reindex(offline=True, jobs=2)
    assert result.documents == SearchEntry.objects.count()
    if connection.vendor == "postgresql":  # dropped for the copy, built again at the end
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_vector'"
            )
            assert "gin (vector)" in cursor.fetchone()[0].lower()
    assert {kind: _found(admin, kind) for kind in before} == before
    page = WikiPage.objects.get(title=f"{MARK} für alle")
    page_services.page_delete(by=Acting(user=admin), page=page)  # the triggers are back
    assert page.pk not in _found(admin, "wiki_page")
