"""Shared builders of the wiki tests."""

from __future__ import annotations

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.spaces.models import Room, RoomMembership
from socialdesk.wiki.models import WikiSpace


def acting(user: User) -> Acting:
    return Acting(user=user)


def org_space(key: str = "handbuch", name: str = "Handbuch") -> WikiSpace:
    return WikiSpace.objects.create(name=name, key=key)


def private_room_space(members: list[User], name: str = "Geheimprojekt") -> WikiSpace:
    room = Room.objects.create(name=name, visibility=Room.Visibility.PRIVATE)
    for member in members:
        RoomMembership.objects.create(room=room, user=member)
    return WikiSpace.objects.create(name=name, key=f"raum-{room.pk}", room=room)
