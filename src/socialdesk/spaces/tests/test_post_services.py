"""Posts: threads one level deep, counters, edit/delete/pin/react rules, body limits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from socialdesk.accounts.models import AuditEvent
from socialdesk.spaces import post_services, room_services, selectors
from socialdesk.spaces.models import Reaction, RoomPost
from socialdesk.spaces.tests.helpers import by


@pytest.fixture
def room(people):
    return room_services.room_create(
        by=by(people["agent"]), name="Team", members=[people["member"]]
    )


def test_it_attaches_a_reply_to_a_reply_to_the_thread_root_and_keeps_the_counters(people, room):
    agent, member = by(people["agent"]), by(people["member"])
    root = post_services.post_create(by=agent, room=room, body="Frage").post
    first = post_services.post_create(by=member, room=room, body="Antwort", parent=root).post
    second = post_services.post_create(by=agent, room=room, body="Noch eine", parent=first).post
    root.refresh_from_db()
    room.refresh_from_db()
    assert second.parent_id == root.pk
    assert (root.reply_count, root.last_reply_at) == (2, second.created_at)
    assert room.last_post_at == second.created_at
    post_services.post_delete(by=agent, post=second)
    root.refresh_from_db()
    assert (root.reply_count, root.last_reply_at) == (1, first.created_at)


def test_it_lets_only_the_author_edit_and_author_owner_manager_delete(people, room):
    agent, member = by(people["agent"]), by(people["member"])
    post = post_services.post_create(by=member, room=room, body="Mein Text").post
    with pytest.raises(PermissionDenied):
        post_services.post_edit(by=agent, post=post, body="Fremd")
    post_services.post_edit(by=member, post=post, body="Mein neuer Text")
    post.refresh_from_db()
    assert post.body == "Mein neuer Text" and post.edited_at is not None
    other = post_services.post_create(by=agent, room=room, body="Vom Owner").post
    with pytest.raises(PermissionDenied):
        post_services.post_delete(by=member, post=other)
    post_services.post_delete(by=agent, post=post)  # owner
    post_services.post_delete(by=by(people["manager"]), post=other)  # manager, public room
    assert RoomPost.objects.filter(deleted_at__isnull=False).count() == 2
    assert not selectors.posts_for_user(people["agent"]).exists()
    assert AuditEvent.objects.filter(action="room_post.deleted").count() == 2


def test_it_refuses_a_huge_paste_with_the_length_in_german(people, room):
    with translation.override("de"), pytest.raises(ValidationError) as huge:
        post_services.post_create(by=by(people["agent"]), room=room, body="x" * 25_000)
    assert huge.value.message_dict["body"] == [
        "Der Text ist 25.000 Zeichen lang; erlaubt sind 20.000."
    ]
    with pytest.raises(ValidationError):
        post_services.post_create(by=by(people["agent"]), room=room, body="a\x00b")
    with pytest.raises(ValidationError):
        post_services.post_create(by=by(people["agent"]), room=room, body="   ")
    assert not RoomPost.objects.exists()


def test_it_pins_roots_for_owners_and_reacts_with_the_fixed_set(people, room):
    agent, member = by(people["agent"]), by(people["member"])
    root = post_services.post_create(by=member, room=room, body="Wichtig").post
    with pytest.raises(PermissionDenied):
        post_services.post_pin(by=member, post=root, pinned=True)
    post_services.post_pin(by=agent, post=root, pinned=True)
    later = post_services.post_create(by=agent, room=room, body="Später").post
    feed = selectors.room_feed(people["member"], room)
    assert [t.root.pk for t in feed] == [root.pk, later.pk]
    assert post_services.post_react(by=member, post=later, emoji="👍", on=True)
    assert post_services.post_react(by=member, post=later, emoji="👍", on=True)
    assert Reaction.objects.count() == 1
    with pytest.raises(ValidationError):
        post_services.post_react(by=member, post=later, emoji="💩", on=True)
    assert not post_services.post_react(by=member, post=later, emoji="👍", on=False)
    assert not Reaction.objects.exists()
    with pytest.raises(PermissionDenied):
        post_services.post_react(by=by(people["viewer"]), post=later, emoji="👍", on=True)


def test_it_lets_a_first_post_in_a_public_room_join_but_not_a_private_one(people):
    owner = by(people["agent"])
    public = room_services.room_create(by=owner, name="Offen")
    private = room_services.room_create(by=owner, name="Zu", visibility="private")
    post_services.post_create(by=by(people["member"]), room=public, body="Hallo")
    assert selectors.is_member(people["member"], public)
    with pytest.raises(PermissionDenied):
        post_services.post_create(by=by(people["member"]), room=private, body="Hallo")
    with pytest.raises(PermissionDenied):
        post_services.post_create(by=by(people["viewer"]), room=public, body="Hallo")


def test_it_shows_the_last_three_replies_and_counts_the_rest(people, room):
    agent = by(people["agent"])
    root = post_services.post_create(by=agent, room=room, body="Start").post
    for n in range(5):
        post_services.post_create(by=agent, room=room, body=f"Antwort {n}", parent=root)
    [thread] = selectors.room_feed(people["agent"], room)
    assert [r.body for r in thread.replies] == ["Antwort 2", "Antwort 3", "Antwort 4"]
    assert thread.hidden == 2
