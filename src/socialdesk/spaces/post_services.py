"""The one door for writes to room posts: write, reply, edit, delete (soft), pin, react.

Object rules are checked here (PermissionDenied); every change is audited and told to
`core.changes` inside its transaction. Mentions are stored and their people told in the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Role, User
from socialdesk.core import changes

from . import mentions as mention_rules
from . import selectors
from .attachments import check_files, store
from .limits import checked_text
from .models import REACTIONS, Reaction, Room, RoomMembership, RoomPost
from .post_models import POST_BODY_MAX
from .room_services import RoomArchived, require_open


@dataclass
class Written:
    """A post just written, and what its author should be told (people not notified)."""

    post: RoomPost
    warnings: list[str] = field(default_factory=list)


def _actor(by: Acting) -> User:
    if by.user is None or not by.user.is_active:
        raise PermissionDenied(_("Only a signed-in person can do this."))
    return by.user


def _body(body: str) -> str:
    return checked_text(body, field="body", limit=POST_BODY_MAX, required=True)


def _sync_thread(root: RoomPost) -> None:
    """reply_count and last_reply_at of a thread from its (not deleted) replies."""
    replies = root.replies.filter(deleted_at__isnull=True)
    root.reply_count = replies.count()
    root.last_reply_at = replies.aggregate(last=Max("created_at"))["last"]
    root.save(update_fields=["reply_count", "last_reply_at"])


@transaction.atomic
def post_create(
    *,
    by: Acting,
    room: Room,
    body: str,
    parent: RoomPost | None = None,
    files: Sequence[object] = (),
) -> Written:
    """A post or a reply (a reply to a reply attaches to the thread's root). A first post in a
    public room makes the author a member."""
    user = _actor(by)
    room = Room.objects.select_for_update().get(pk=room.pk)
    require_open(room)
    if not selectors.may_post(user, room):
        raise PermissionDenied(_("You cannot write in this room."))
    body = _body(body)
    checked = check_files(files) if files else []
    if parent is not None:
        if parent.room_id != room.pk:
            raise ValidationError({"parent": _("This post is in another room.")})
        if parent.parent_id is not None:
            parent = parent.parent
        assert parent is not None
        if parent.is_deleted and parent.reply_count == 0:
            raise ValidationError({"parent": _("This post was deleted.")})
    RoomMembership.objects.get_or_create(room=room, user=user)
    post = RoomPost.objects.create(
        room=room, author=user, parent=parent, body=body, plain_text=mention_rules.plain_words(body)
    )
    if checked:
        store(post, checked)
    room.last_post_at = post.created_at
    room.save(update_fields=["last_post_at"])
    if parent is not None:
        _sync_thread(RoomPost.objects.select_for_update().get(pk=parent.pk))
        post.parent = RoomPost.objects.get(pk=parent.pk)
    RoomMembership.objects.filter(room=room, user=user).update(last_read_at=post.created_at)
    found = mention_rules.parse(body)
    mention_rules.store(post, found)
    outcome = mention_rules.notify_post(post, found)
    record(
        by,
        "room_post.created",
        post,
        object_repr=room.name,
        after={"room": room.pk, "reply_to": parent.pk if parent else None, "files": len(checked)},
    )
    changes.changed("spaces.post", [post.pk])
    return Written(post, outcome.warnings())


@transaction.atomic
def post_edit(*, by: Acting, post: RoomPost, body: str) -> Written:
    """The author changes the text; people newly mentioned are told."""
    user = _actor(by)
    post = RoomPost.objects.select_for_update().select_related("room").get(pk=post.pk)
    require_open(post.room)
    if post.is_deleted or post.author_id != user.pk:
        raise PermissionDenied(_("Only the author can edit this post."))
    if not selectors.may_read(user, post.room):
        raise PermissionDenied(_("You cannot write in this room."))
    body = _body(body)
    if body == post.body:
        return Written(post)
    before = mention_rules.recipients(post, mention_rules.parse(post.body))
    already = {p.pk for p in before.told}
    old_length = len(post.body)
    post.body, post.plain_text = body, mention_rules.plain_words(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "plain_text", "edited_at"])
    found = mention_rules.parse(body)
    mention_rules.store(post, found)
    outcome = mention_rules.notify_post(post, found, already=already)
    record(by, "room_post.edited", post, before={"length": old_length}, after={"length": len(body)})
    changes.changed("spaces.post", [post.pk])
    return Written(post, outcome.warnings())


def _may_moderate(user: User, room: Room) -> bool:
    return selectors.is_owner(user, room) or (
        user.role in (Role.ADMIN, Role.MANAGER) and selectors.may_read(user, room)
    )


@transaction.atomic
def post_delete(*, by: Acting, post: RoomPost) -> RoomPost:
    """Soft: the thread shows "Beitrag gelöscht". The author, room owners and managers may."""
    user = _actor(by)
    post = RoomPost.objects.select_for_update().select_related("room").get(pk=post.pk)
    require_open(post.room)
    if post.is_deleted:
        return post
    if post.author_id != user.pk and not _may_moderate(user, post.room):
        raise PermissionDenied(_("Only the author, the room's owners and managers can delete it."))
    post.deleted_at = timezone.now()
    post.deleted_by = user
    post.pinned_at = None
    post.pinned_by = None
    post.save(update_fields=["deleted_at", "deleted_by", "pinned_at", "pinned_by"])
    if post.parent_id is not None:
        _sync_thread(RoomPost.objects.select_for_update().get(pk=post.parent_id))
    record(by, "room_post.deleted", post, object_repr=post.room.name)
    changes.changed("spaces.post", [post.pk])
    return post


@transaction.atomic
def post_pin(*, by: Acting, post: RoomPost, pinned: bool) -> RoomPost:
    """Owners (and managers/admins for public rooms) pin a thread's root to the top."""
    user = _actor(by)
    post = RoomPost.objects.select_for_update().select_related("room").get(pk=post.pk)
    require_open(post.room)
    if not selectors.may_manage(user, post.room):
        raise PermissionDenied(_("Only the room's owners can pin posts."))
    if post.is_deleted or post.parent_id is not None:
        raise ValidationError(_("Only a thread's first post can be pinned."))
    if pinned == (post.pinned_at is not None):
        return post
    post.pinned_at = timezone.now() if pinned else None
    post.pinned_by = user if pinned else None
    post.save(update_fields=["pinned_at", "pinned_by"])
    record(by, "room_post.pinned" if pinned else "room_post.unpinned", post)
    return post


@transaction.atomic
def post_react(*, by: Acting, post: RoomPost, emoji: str, on: bool) -> bool:
    """Add or take back a reaction from the fixed set; return whether it is there now."""
    user = _actor(by)
    post = RoomPost.objects.select_related("room").get(pk=post.pk)
    require_open(post.room)
    if emoji not in REACTIONS:
        raise ValidationError({"emoji": _("Choose one of the offered reactions.")})
    if post.is_deleted or not selectors.may_read(user, post.room):
        raise PermissionDenied(_("You cannot react to this post."))
    if user.role not in selectors.WORKER_ROLES:
        raise PermissionDenied(_("Read-only people cannot react."))
    if on:
        _row, created = Reaction.objects.get_or_create(post=post, user=user, emoji=emoji)
        if created:
            record(by, "room_post.reacted", post, after={"emoji": emoji})
        return True
    deleted, _rows = Reaction.objects.filter(post=post, user=user, emoji=emoji).delete()
    if deleted:
        record(by, "room_post.reaction_removed", post, after={"emoji": emoji})
    return False


__all__ = ["RoomArchived", "Written", "post_create", "post_delete", "post_edit", "post_pin"]
