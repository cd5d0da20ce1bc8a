"""Rooms: who becomes a member, joining and leaving, the last owner, archive read-only,
unread counts, the visibility rule, hostile values."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialdesk.accounts.models import AuditEvent, Role, User
from socialdesk.accounts.site_models import Site
from socialdesk.spaces import post_services, room_services, selectors
from socialdesk.spaces.models import Room, RoomMembership
from socialdesk.spaces.tests.helpers import by


def test_it_makes_the_creator_owner_and_adds_current_people_of_departments_and_sites(
    people, departments
):
    hamburg = Site.objects.create(name="Hamburg")
    anna = User.objects.create_user("anna@example.com", "x", full_name="Anna", role=Role.AGENT)
    anna.site = hamburg
    anna.save()
    gone = User.objects.create_user("old@example.com", "x", full_name="Old", role=Role.AGENT)
    gone.site = hamburg
    gone.is_active = False
    gone.save()
    room = room_services.room_create(
        by=by(people["agent"]),
        name="  Relaunch   Website ",
        purpose="Neue Seite",
        visibility="private",
        members=[people["viewer"]],
        departments=[departments["Product Development"]],
        sites=[hamburg],
    )
    assert room.name == "Relaunch Website"
    roles = dict(room.memberships.values_list("user__email", "role"))
    assert roles == {
        "alex@example.com": "owner",
        "vic@example.com": "member",
        "mia@example.com": "member",
        "anna@example.com": "member",
    }
    assert AuditEvent.objects.filter(action="room.created").count() == 1


def test_it_refuses_hostile_and_duplicate_names_and_a_huge_purpose(people):
    agent = by(people["agent"])
    room_services.room_create(by=agent, name="Relaunch")
    with pytest.raises(ValidationError) as duplicate:
        room_services.room_create(by=agent, name="relaunch")
    assert "name" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as nul:
        room_services.room_create(by=agent, name="a\x00b")
    assert "NUL" in nul.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as huge:
        room_services.room_create(by=agent, name="X", purpose="p" * 2500)
    assert huge.value.message_dict["purpose"] == [
        "The text is 2,500 characters long; 2,000 are allowed."
    ]
    with pytest.raises(PermissionDenied):
        room_services.room_create(by=by(people["viewer"]), name="Viewer room")
    assert Room.objects.count() == 1


def test_it_lets_people_join_public_rooms_only_and_keeps_the_last_owner(people):
    public = room_services.room_create(by=by(people["agent"]), name="Offen")
    private = room_services.room_create(by=by(people["agent"]), name="Geheim", visibility="private")
    room_services.room_join(by=by(people["member"]), room=public)
    with pytest.raises(PermissionDenied):
        room_services.room_join(by=by(people["member"]), room=private)
    with pytest.raises(ValidationError) as last:
        room_services.room_leave(by=by(people["agent"]), room=public)
    assert "last owner" in last.value.messages[0]
    room_services.room_leave(by=by(people["member"]), room=public)
    assert list(public.memberships.values_list("user__email", flat=True)) == ["alex@example.com"]


def test_it_shows_private_rooms_only_to_members_admins_included(people):
    private = room_services.room_create(by=by(people["agent"]), name="Geheim", visibility="private")
    public = room_services.room_create(by=by(people["agent"]), name="Offen")
    for role in ("admin", "manager", "member", "viewer"):
        assert list(selectors.rooms_for_user(people[role])) == [public]
    room_services.room_add_members(by=by(people["agent"]), room=private, people=[people["viewer"]])
    assert set(selectors.rooms_for_user(people["viewer"])) == {public, private}


def test_it_makes_an_archived_room_read_only(people):
    agent = by(people["agent"])
    room = room_services.room_create(by=agent, name="Alt")
    post = post_services.post_create(by=agent, room=room, body="Hallo").post
    room_services.room_archive(by=agent, room=room)
    room.refresh_from_db()
    writes: list[Callable[[], object]] = [
        lambda: post_services.post_create(by=agent, room=room, body="Noch was"),
        lambda: post_services.post_edit(by=agent, post=post, body="Anders"),
        lambda: post_services.post_delete(by=agent, post=post),
        lambda: post_services.post_react(by=agent, post=post, emoji="👍", on=True),
        lambda: post_services.post_pin(by=agent, post=post, pinned=True),
        lambda: room_services.room_join(by=by(people["member"]), room=room),
        lambda: room_services.room_update(
            by=agent, room=room, name="Neu", purpose="", visibility="public"
        ),
        lambda: room_services.room_add_members(by=agent, room=room, people=[people["viewer"]]),
    ]
    for write in writes:
        with pytest.raises(room_services.RoomArchived) as refused:
            write()
        assert "archived" in str(refused.value)
    room_services.room_unarchive(by=agent, room=room)
    room.refresh_from_db()
    assert post_services.post_create(by=agent, room=room, body="Wieder offen").post.pk


def _unread(person: User) -> int:
    return int(selectors.room_list(person).get().unread)  # type: ignore[attr-defined]


def test_it_counts_unread_posts_by_others_since_the_last_visit(people):
    agent, member = by(people["agent"]), by(people["member"])
    room = room_services.room_create(by=agent, name="Team", members=[people["member"]])
    post_services.post_create(by=member, room=room, body="Meins")
    assert _unread(people["agent"]) == 1
    post_services.post_create(by=agent, room=room, body="Eins")  # writing marks the room read
    post_services.post_create(by=agent, room=room, body="Zwei")
    assert _unread(people["member"]) == 2
    assert _unread(people["agent"]) == 0
    room_services.room_mark_read(user=people["member"], room=room)
    assert _unread(people["member"]) == 0
    assert _unread(people["viewer"]) == 0  # not a member


def test_it_sets_the_notify_choice_of_members_only(people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    membership = room_services.room_set_notify(by=by(people["agent"]), room=room, notify="all")
    assert membership.notify == RoomMembership.Notify.ALL
    with pytest.raises(PermissionDenied):
        room_services.room_set_notify(by=by(people["member"]), room=room, notify="all")
    with pytest.raises(ValidationError):
        room_services.room_set_notify(by=by(people["agent"]), room=room, notify="loud")
