"""Who may see which room and post: the one rule every list, count, feed, search hit, export and
API answer in `spaces` uses.

A public room is readable by every active person; a private room only by its members. Admins see
private rooms' names in the admin overview, never their posts unless they are members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from socialdesk.accounts.models import Role, User

from .models import Attachment, Room, RoomMembership, RoomPost


def _member_of(user: User) -> QuerySet[RoomMembership]:
    return RoomMembership.objects.filter(room_id=OuterRef("pk"), user_id=user.pk)


def rooms_for_user(user: User) -> QuerySet[Room]:
    """Every room the person may read, archived ones included (they stay readable)."""
    if not user.is_active:
        return Room.objects.none()
    return Room.objects.filter(Q(visibility=Room.Visibility.PUBLIC) | Q(Exists(_member_of(user))))


def room_for_user(user: User, pk: int) -> Room:
    """The room if the person may read it; 404 otherwise (a private room's name stays hidden)."""
    room = rooms_for_user(user).filter(pk=pk).first()
    if room is None:
        raise Http404
    return room


def posts_for_user(user: User) -> QuerySet[RoomPost]:
    """Posts not deleted, in rooms the person may read."""
    return RoomPost.objects.filter(
        deleted_at__isnull=True, room__in=rooms_for_user(user).values("pk")
    )


def post_for_user(user: User, pk: int) -> RoomPost:
    post = posts_for_user(user).select_related("room", "author").filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def attachment_for_user(user: User, pk: int) -> Attachment:
    """The attachment's row (not its bytes) if the person may read its post; 404 otherwise."""
    found = Attachment.objects.filter(pk=pk, post__in=posts_for_user(user).values("pk")).first()
    if found is None:
        raise Http404
    return found


# --- issue 14 WP2: lists, feeds and the object rules the services check -------------------

WORKER_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT, Role.MEMBER})
FEED_REPLIES = 3


def membership(user: User, room: Room) -> RoomMembership | None:
    return RoomMembership.objects.filter(room=room, user_id=user.pk).first()


def is_member(user: User, room: Room) -> bool:
    return RoomMembership.objects.filter(room=room, user_id=user.pk).exists()


def is_owner(user: User, room: Room) -> bool:
    return RoomMembership.objects.filter(
        room=room, user_id=user.pk, role=RoomMembership.Role.OWNER
    ).exists()


def may_read(user: User, room: Room) -> bool:
    return rooms_for_user(user).filter(pk=room.pk).exists()


def may_post(user: User, room: Room) -> bool:
    """Workers who are members (or, in a public room, who join by posting); never archived."""
    if room.is_archived or not user.is_active or user.role not in WORKER_ROLES:
        return False
    return not room.is_private or is_member(user, room)


def may_manage(user: User, room: Room) -> bool:
    """Owners; admins and managers for public rooms."""
    if not user.is_active or user.role not in WORKER_ROLES:
        return False
    if is_owner(user, room):
        return True
    return not room.is_private and user.role in (Role.ADMIN, Role.MANAGER)


def room_list(user: User, *, archived: bool = False, mine: bool | None = None) -> QuerySet[Room]:
    """Readable rooms, annotated `is_member`, `unread` (root posts and replies by others since
    the person last read the room; 0 for non-members) and `member_count`."""
    rooms = rooms_for_user(user).filter(archived_at__isnull=not archived)
    last_read = RoomMembership.objects.filter(room_id=OuterRef("room_id"), user_id=user.pk).values(
        "last_read_at"
    )[:1]
    unread_posts = (
        RoomPost.objects.filter(room_id=OuterRef("pk"), deleted_at__isnull=True)
        .exclude(author_id=user.pk)
        .filter(Q(created_at__gt=Subquery(last_read)) | _never_read(user))
        .order_by()
        .values("room_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rooms = rooms.annotate(
        is_member=Exists(_member_of(user)),
        member_count=Count("memberships", distinct=True),
    ).annotate(
        unread=Case(
            When(is_member=True, then=Coalesce(Subquery(unread_posts), Value(0))),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    if mine is True:
        rooms = rooms.filter(is_member=True)
    elif mine is False:
        rooms = rooms.filter(is_member=False)
    return rooms.order_by(F("last_post_at").desc(nulls_last=True), "name")


def _never_read(user: User) -> Q:
    """A member who never opened the room: everything by others is unread."""
    return Q(
        Exists(
            RoomMembership.objects.filter(
                room_id=OuterRef("room_id"), user_id=user.pk, last_read_at__isnull=True
            )
        )
    )


@dataclass
class Thread:
    root: RoomPost
    replies: list[RoomPost]
    hidden: int  # replies not shown ("N weitere Antworten")


def _with_details(posts: QuerySet[RoomPost]) -> QuerySet[RoomPost]:
    return posts.select_related("author", "room").prefetch_related(
        "attachments", "reactions", "mentions__user", "mentions__department"
    )


def room_feed(
    user: User, room: Room, *, before: datetime | None = None, limit: int = 30
) -> list[Thread]:
    """Pinned threads first, then threads newest first, each with its last 3 replies. Deleted
    roots with replies stay (shown as "Beitrag gelöscht"); deleted replies are left out."""
    if not may_read(user, room):
        raise Http404
    roots = RoomPost.objects.filter(room=room, parent__isnull=True).exclude(
        deleted_at__isnull=False, reply_count=0
    )
    if before is not None:
        roots = roots.filter(created_at__lt=before)
    ordered = _with_details(roots).order_by(
        F("pinned_at").desc(nulls_last=True), "-created_at", "-pk"
    )[:limit]
    threads = []
    for root in ordered:
        replies = list(
            _with_details(root.replies.filter(deleted_at__isnull=True)).order_by(
                "-created_at", "-pk"
            )[:FEED_REPLIES]
        )
        replies.reverse()
        threads.append(Thread(root, replies, max(0, root.reply_count - len(replies))))
    return threads


def thread(user: User, root: RoomPost) -> Thread:
    if not may_read(user, root.room):
        raise Http404
    replies = list(
        _with_details(root.replies.filter(deleted_at__isnull=True)).order_by("created_at", "pk")
    )
    return Thread(root, replies, 0)


def room_members(room: Room) -> QuerySet[RoomMembership]:
    return (
        RoomMembership.objects.filter(room=room, user__is_active=True)
        .select_related("user")
        .order_by("-role", "user__full_name")
    )


def mention_candidates(user: User, room: Room, prefix: str) -> list[User]:
    """People one may mention in the room (private: members only), by name or address."""
    prefix = prefix.strip().lstrip("@")[:60]
    people = User.objects.filter(is_active=True)
    if room.is_private:
        people = people.filter(room_memberships__room=room)
    if prefix:
        people = people.filter(Q(full_name__istartswith=prefix) | Q(email__istartswith=prefix))
    return list(people.order_by("full_name")[:10])


def private_rooms_overview() -> QuerySet[Room]:
    """For admins: private rooms' names, owners and member counts — never posts."""
    return (
        Room.objects.filter(visibility=Room.Visibility.PRIVATE)
        .annotate(member_count=Count("memberships"))
        .prefetch_related("memberships__user")
        .order_by("name")
    )
