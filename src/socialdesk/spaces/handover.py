"""The rooms' part of a person's hand-over list: rooms they alone look after.

A room whose only active owner leaves has nobody to add people, archive it or answer for it.
The viewer sees the rooms they may read; an admin also sees the names of such private rooms
(never their posts) and takes them over on the rooms overview.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from socialdesk.accounts.handover import SHOWN, HandoverSection, section_of
from socialdesk.accounts.models import Role, User

from .models import Room, RoomMembership
from .selectors import rooms_for_user


def _sole_owner_of(person: User) -> QuerySet[Room]:
    others = RoomMembership.objects.filter(
        role=RoomMembership.Role.OWNER, user__is_active=True
    ).exclude(user=person)
    return Room.objects.filter(
        archived_at__isnull=True,
        memberships__user=person,
        memberships__role=RoomMembership.Role.OWNER,
    ).exclude(pk__in=others.values("room_id"))


def sole_owner_rooms(person: User, viewer: User) -> HandoverSection | None:
    rooms = _sole_owner_of(person)
    readable = set(rooms_for_user(viewer).values_list("pk", flat=True))
    if viewer.role != Role.ADMIN:
        rooms = rooms.filter(pk__in=readable)
    total = rooms.count()
    if not total:
        return None

    def url(room: Room) -> str:
        if room.pk in readable:
            return reverse("spaces:room", args=[room.pk])
        return reverse("spaces:rooms_admin")  # a private room: its name, not its posts

    rows = rooms.order_by("name")[:SHOWN]
    return section_of(_("Rooms they alone look after"), rows, lambda r: r.name, url, total)
