"""Every hit of the search, for every persona and kind, is exactly what the owning selector
gives that person — and stays so after a hand-over, without reindexing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.db.models import QuerySet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.models import Department, User
from socialdesk.feedback.selectors import items_for_user
from socialdesk.inbox import selectors as inbox
from socialdesk.inbox.models import Note
from socialdesk.listening.selectors import matches_for_user
from socialdesk.publishing import selectors as publishing
from socialdesk.search import indexing
from socialdesk.search.kinds.base import Filters
from socialdesk.search.selectors import search
from socialdesk.search.tests.world import MARK, build
from socialdesk.spaces import selectors as spaces
from socialdesk.spaces.models import RoomMembership
from socialdesk.wiki.selectors import pages_for_user

EXPECTED: dict[str, Callable[[User], QuerySet[Any]]] = {
    "conversation": lambda u: inbox.conversations_for_user(u),
    "message": lambda u: inbox.messages_for_user(u),
    "note": lambda u: Note.objects.filter(conversation__in=inbox.conversations_for_user(u)),
    "contact": lambda u: inbox.contacts_for_user(u),
    "feedback": lambda u: items_for_user(u),
    "listening": lambda u: matches_for_user(u).values_list("message_id", flat=True),
    "post": lambda u: publishing.posts_for_user(u),
    "idea": lambda u: publishing.ideas_for_user(u),
    "room": lambda u: spaces.rooms_for_user(u),
    "room_post": lambda u: spaces.posts_for_user(u),
    "wiki_page": lambda u: pages_for_user(u),
    "person": lambda u: User.objects.filter(full_name__icontains=MARK),
}


def _ids(found: QuerySet[Any]) -> set[int]:
    if found.query.values_select:
        return set(found)
    return set(found.values_list("pk", flat=True))


def _found(user: User, kind: str) -> set[int]:
    page = search(user, MARK.lower(), filters=Filters(kinds=(kind,)), limit=100)
    assert page.problem is None
    assert not page.more
    return {hit.object_id for hit in page.hits}


def _compare(people: dict[str, User]) -> dict[tuple[str, str], int]:
    counts = {}
    for name, user in people.items():
        for kind, expected in EXPECTED.items():
            want = _ids(expected(user))
            assert _found(user, kind) == want, (name, kind)
            counts[name, kind] = len(want)
    return counts


@pytest.mark.django_db
def test_it_finds_for_each_person_exactly_what_the_selectors_give(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    counts = _compare(world.people)
    assert counts["member", "conversation"] == 1  # product only
    assert counts["member_cs", "conversation"] == 2  # service + assigned to her
    assert counts["admin", "conversation"] == 4
    assert counts["roomie", "room_post"] == 2
    assert counts["member", "room_post"] == 1
    assert counts["roomie", "wiki_page"] == 3  # organisation page, draft, private room's page
    assert counts["member", "wiki_page"] == 2  # never the trashed page nor the private room's
    assert counts["member", "listening"] == 1
    assert counts["member_cs", "listening"] == 0
    # everything together: the union of the kinds, nothing else
    everything = search(world.people["member"], MARK, limit=100)
    assert {(h.kind, h.object_id) for h in everything.hits} == {
        (kind, pk)
        for kind, expected in EXPECTED.items()
        if kind != "listening"
        for pk in _ids(expected(world.people["member"]))
    }


@pytest.mark.django_db
def test_it_follows_a_hand_over_and_a_leave_without_reindex(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    conversation = world.conversations["product"]
    conversation.department = departments["Customer Service"]
    conversation.save()  # a hand-over changes no index row
    RoomMembership.objects.filter(user=world.people["roomie"]).delete()  # leaves the room
    counts = _compare(world.people)
    assert counts["member", "conversation"] == 0
    assert counts["member_cs", "conversation"] == 3
    assert counts["roomie", "room_post"] == 1
    assert counts["roomie", "wiki_page"] == 2


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    handed=st.lists(st.integers(min_value=0, max_value=3), min_size=4, max_size=4),
    member_of=st.lists(st.integers(min_value=0, max_value=2), max_size=3),
    in_room=st.booleans(),
)
def test_it_agrees_with_the_selectors_for_any_hand_over_and_membership(
    people: dict[str, User],
    departments: dict[str, Department],
    handed: list[int],
    member_of: list[int],
    in_room: bool,
) -> None:
    with transaction.atomic():
        world = build(people, departments)
        indexing.reindex()
        choices = [*departments.values(), None]
        for conversation, choice in zip(world.conversations.values(), handed, strict=True):
            conversation.department = choices[choice]
            conversation.save(update_fields=["department"])
        mia = world.people["member"]
        mia.departments.set([list(departments.values())[i] for i in member_of])
        if in_room:
            RoomMembership.objects.get_or_create(room=RoomMembership.objects.get().room, user=mia)
        for name in ("member", "member_cs", "roomie", "agent"):
            for kind, expected in EXPECTED.items():
                user = world.people[name]
                assert _found(user, kind) == _ids(expected(user)), (name, kind)
        transaction.set_rollback(True)
