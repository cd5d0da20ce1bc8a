"""Kinds of project rooms: rooms and their posts (`spaces.selectors` is the rule)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.core.reversing import page_url
from socialdesk.search.kinds.base import Doc, Ids, Kind, Shown, among, first_line, keys, same
from socialdesk.spaces import selectors
from socialdesk.spaces.models import Room, RoomPost


def _build_rooms(ids: Ids) -> list[Doc]:
    return [
        Doc(object_id=r.pk, title=r.name, body=r.purpose, at=r.created_at, room_id=r.pk)
        for r in Room.objects.filter(keys(ids)).order_by()
    ]


def _room_rule(user: User) -> Q:
    return among("room_id", selectors.rooms_for_user(user))


def _badges(room: Room) -> tuple[str, ...]:
    return _room_badges(room.archived_at, room.visibility)


def _room_badges(archived_at: datetime | None, visibility: str) -> tuple[str, ...]:
    badges = []
    if archived_at:
        badges.append(str(_("archived")))
    if visibility != Room.Visibility.PUBLIC:
        badges.append(str(_("Private room")))
    return tuple(badges)


def _show_rooms(user: User, ids: Ids) -> dict[int, Shown]:
    return {
        r.pk: Shown(
            r.name,
            r.purpose,
            page_url("spaces:room", r.pk, "spaces:rooms"),
            r.created_at,
            _badges(r),
        )
        for r in selectors.rooms_for_user(user).filter(pk__in=ids).order_by()
    }


def _posts_of_rooms(ids: Ids) -> list[int]:
    return list(RoomPost.objects.filter(room_id__in=ids).values_list("pk", flat=True))


def _build_posts(ids: Ids) -> list[Doc]:
    rows = (
        RoomPost.objects.filter(keys(ids), deleted_at__isnull=True)
        .order_by()
        .values_list("pk", "room__name", "plain_text", "created_at", "room_id", "author_id")
    )  # plain tuples: two model instances per post cost more than analysing its text; the
    # words without Markdown, as the hit shows them (a link's address is not a word of it)
    return [
        Doc(object_id=pk, title=name, body=body, at=at, room_id=room, author_id=author)
        for pk, name, body, at, room, author in rows
    ]


def _post_rule(user: User) -> Q:
    """A post's entry carries its room (`room_id`): the rooms the person may read decide, as
    `posts_for_user` does (deleted posts have no entry; `show` reads through that selector).
    Checking the room, not the post, lets PostgreSQL hash 200 rooms, not 100,000 posts."""
    return _room_rule(user)


def _show_posts(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        selectors.posts_for_user(user)
        .filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk", "plain_text", "created_at", "room__name", "room__archived_at", "room__visibility"
        )
    )
    shown = {}  # from plain tuples: two model instances per hit cost more than the rows
    for pk, words, at, room, archived_at, visibility in rows:  # the title and snippet without
        shown[pk] = Shown(  # Markdown's marks (kept by post_services)
            first_line(words) or room,
            words,
            page_url("spaces:post", pk, "spaces:rooms"),
            at,
            _room_badges(archived_at, visibility),
        )
    return shown


ROOM = Kind(
    key="room",
    label=_("Project rooms"),
    entry_kind="room",
    sources={"spaces.room": same},
    build=_build_rooms,
    objects=lambda: Room.objects.all(),
    visible=_room_rule,
    show=_show_rooms,
)
ROOM_POST = Kind(
    key="room_post",
    label=_("Room posts"),
    entry_kind="room_post",
    sources={"spaces.post": same, "spaces.room": _posts_of_rooms},
    build=_build_posts,
    objects=lambda: RoomPost.objects.filter(deleted_at__isnull=True),
    visible=_post_rule,
    show=_show_posts,
    has_author=True,
)
