"""Who may see which room and post: the one rule every list, count, feed, search hit, export and
API answer in `spaces` uses.

A public room is readable by every active person; a private room only by its members. Admins see
private rooms' names in the admin overview, never their posts unless they are members.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import User

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
