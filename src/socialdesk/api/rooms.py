"""REST API: project rooms and their posts (issue 14, WP2), with the same rules, services and
visibility as the pages: `spaces.selectors` decides what a token's person reads (a private
room is a 404 to others), the services check every write (403/422)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from socialdesk.accounts.models import Department, User
from socialdesk.accounts.site_models import Site
from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.core.http import ApiRequest
from socialdesk.spaces import post_services, room_services, selectors
from socialdesk.spaces.attachment_views import download
from socialdesk.spaces.models import REACTIONS, Room, RoomMembership, RoomPost

router = Router(tags=["Project rooms"])
PAGE_LIMIT = 500


class RoomOut(Schema):
    id: int
    name: str
    purpose: str
    visibility: str
    archived: bool
    is_member: bool
    role: str | None
    notify: str | None
    member_count: int
    last_post_at: datetime | None
    url: str

    @staticmethod
    def of(room: Room, user: User) -> RoomOut:
        membership = selectors.membership(user, room)
        return RoomOut(
            id=room.pk,
            name=room.name,
            purpose=room.purpose,
            visibility=room.visibility,
            archived=room.is_archived,
            is_member=membership is not None,
            role=membership.role if membership else None,
            notify=membership.notify if membership else None,
            member_count=room.memberships.count(),
            last_post_at=room.last_post_at,
            url=reverse("spaces:room", args=[room.pk]),
        )


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class RoomPostOut(Schema):
    id: int
    room_id: int
    parent_id: int | None
    author: str | None
    body: str
    created_at: datetime
    edited_at: datetime | None
    pinned: bool
    reply_count: int
    reactions: dict[str, int]
    attachments: list[AttachmentOut]

    @staticmethod
    def of(post: RoomPost) -> RoomPostOut:
        counts: dict[str, int] = {}
        for reaction in post.reactions.all():
            counts[reaction.emoji] = counts.get(reaction.emoji, 0) + 1
        return RoomPostOut(
            id=post.pk,
            room_id=post.room_id,
            parent_id=post.parent_id,
            author=post.author.email if post.author else None,
            body=post.body,
            created_at=post.created_at,
            edited_at=post.edited_at,
            pinned=post.pinned_at is not None,
            reply_count=post.reply_count,
            reactions=counts,
            attachments=[
                AttachmentOut(
                    id=a.pk,
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    url=f"/api/v1/room-attachments/{a.pk}",
                )
                for a in post.attachments.all()
            ],
        )


class WrittenOut(Schema):
    post: RoomPostOut
    warnings: list[str]


class RoomIn(Schema):
    name: Text = Field(description="At most 120 characters, unique")
    purpose: Text = Field(default="", description="At most 2,000 characters")
    visibility: Text = Field(default="public", description="public or private")
    member_ids: list[Id] = Field(default_factory=list, max_length=1000)
    department_ids: list[Id] = Field(default_factory=list, max_length=200)
    site_ids: list[Id] = Field(default_factory=list, max_length=200)


class RoomPatch(Schema):
    name: Text | None = None
    purpose: Text | None = None
    visibility: Text | None = None


class MembersIn(Schema):
    member_ids: list[Id] = Field(default_factory=list, max_length=1000)
    department_ids: list[Id] = Field(default_factory=list, max_length=200)
    site_ids: list[Id] = Field(default_factory=list, max_length=200)


class RoomPostPatch(Schema):
    body: Text


class ReactionIn(Schema):
    emoji: Text = Field(description=" ".join(REACTIONS))


def _room(request: ApiRequest, room_id: int) -> Room:
    return selectors.room_for_user(request.auth, room_id)


def _post(request: ApiRequest, post_id: int) -> RoomPost:
    return selectors.post_for_user(request.auth, post_id)


def _people(ids: list[int]) -> list[User]:
    found = list(User.objects.filter(pk__in=ids, is_active=True))
    missing = sorted(set(ids) - {p.pk for p in found})
    if missing:
        raise HttpError(422, f"No active person with id {missing[0]}.")
    return found


def _all(model: Any, ids: list[int], field: str) -> list[Any]:
    found = list(model.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {o.pk for o in found})
    if missing:
        raise HttpError(422, f"No {field} with id {missing[0]}.")
    return found


def _details(posts: Any) -> Any:
    return posts.select_related("author").prefetch_related("reactions", "attachments")


@router.get("/rooms", response=list[RoomOut], **allow("list_rooms"))
def list_rooms(
    request: ApiRequest, archived: bool = False, member: bool | None = None
) -> list[RoomOut]:
    """The rooms you may read (private ones only as a member), newest activity first."""
    found = selectors.room_list(request.auth, archived=archived, mine=member)
    return [RoomOut.of(r, request.auth) for r in found[:PAGE_LIMIT]]


@router.post("/rooms", response={201: RoomOut}, **allow("create_room"))
def create_room(request: ApiRequest, payload: RoomIn) -> Any:
    """Open a room; you become its owner, the people (and the current people of the
    departments and sites) named become members."""
    room = room_services.room_create(
        by=acting(request),
        name=payload.name,
        purpose=payload.purpose,
        visibility=payload.visibility,
        members=_people(payload.member_ids),
        departments=_all(Department, payload.department_ids, "department"),
        sites=_all(Site, payload.site_ids, "site"),
    )
    return Status(201, RoomOut.of(room, request.auth))


@router.get("/rooms/{room_id}", response=RoomOut, **allow("get_room"))
def get_room(request: ApiRequest, room_id: Id) -> RoomOut:
    return RoomOut.of(_room(request, room_id), request.auth)


@router.patch("/rooms/{room_id}", response=RoomOut, **allow("update_room"))
def update_room(request: ApiRequest, room_id: Id, payload: RoomPatch) -> RoomOut:
    """Change the name, purpose or visibility (the room's owners)."""
    room = _room(request, room_id)
    updated = room_services.room_update(
        by=acting(request),
        room=room,
        name=room.name if payload.name is None else payload.name,
        purpose=room.purpose if payload.purpose is None else payload.purpose,
        visibility=room.visibility if payload.visibility is None else payload.visibility,
    )
    return RoomOut.of(updated, request.auth)


@router.post("/rooms/{room_id}/archive", response=RoomOut, **allow("archive_room"))
def archive_room(request: ApiRequest, room_id: Id) -> RoomOut:
    """Archive the room: it stays readable and takes no new posts."""
    room = room_services.room_archive(by=acting(request), room=_room(request, room_id))
    return RoomOut.of(room, request.auth)


@router.post("/rooms/{room_id}/unarchive", response=RoomOut, **allow("unarchive_room"))
def unarchive_room(request: ApiRequest, room_id: Id) -> RoomOut:
    room = room_services.room_unarchive(by=acting(request), room=_room(request, room_id))
    return RoomOut.of(room, request.auth)


@router.post("/rooms/{room_id}/join", response=RoomOut, **allow("join_room"))
def join_room(request: ApiRequest, room_id: Id) -> RoomOut:
    """Join a public room."""
    room = _room(request, room_id)
    room_services.room_join(by=acting(request), room=room)
    return RoomOut.of(room, request.auth)


@router.post("/rooms/{room_id}/leave", response={204: None}, **allow("leave_room"))
def leave_room(request: ApiRequest, room_id: Id) -> Any:
    """Leave a room (the last owner is refused with a 422 saying what to do)."""
    room_services.room_leave(by=acting(request), room=_room(request, room_id))
    return Status(204, None)


@router.post("/rooms/{room_id}/members", response=RoomOut, **allow("add_room_members"))
def add_room_members(request: ApiRequest, room_id: Id, payload: MembersIn) -> RoomOut:
    room = _room(request, room_id)
    room_services.room_add_members(
        by=acting(request),
        room=room,
        people=_people(payload.member_ids),
        departments=_all(Department, payload.department_ids, "department"),
        sites=_all(Site, payload.site_ids, "site"),
    )
    return RoomOut.of(room, request.auth)


@router.delete(
    "/rooms/{room_id}/members/{user_id}", response={204: None}, **allow("remove_room_member")
)
def remove_room_member(request: ApiRequest, room_id: Id, user_id: Id) -> Any:
    room = _room(request, room_id)
    person = User.objects.filter(pk=user_id).first()
    if person is None or not RoomMembership.objects.filter(room=room, user=person).exists():
        raise HttpError(404, "Not Found")
    room_services.room_remove_member(by=acting(request), room=room, person=person)
    return Status(204, None)


class RoomPostFilters(Schema):
    thread: Id | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)


@router.get("/rooms/{room_id}/posts", response=list[RoomPostOut], **allow("list_room_posts"))
def list_room_posts(request: ApiRequest, room_id: Id, filters: Query[RoomPostFilters]) -> Any:
    """The room's threads (roots, newest first), or with `thread` that thread's replies."""
    room = _room(request, room_id)
    posts = RoomPost.objects.filter(room=room, deleted_at__isnull=True)
    thread, page, per_page = filters.thread, filters.page, filters.per_page
    if thread is not None:
        posts = posts.filter(parent_id=thread).order_by("created_at", "pk")
    else:
        posts = posts.filter(parent__isnull=True).order_by("-created_at", "-pk")
    paged = Paginator(_details(posts), per_page)
    if page > paged.num_pages:
        return []
    return [RoomPostOut.of(p) for p in paged.page(page).object_list]


@router.post("/rooms/{room_id}/posts", response={201: WrittenOut}, **allow("create_room_post"))
def create_room_post(request: ApiRequest, room_id: Id) -> Any:
    """Write a post (multipart or form: `body`, optional `parent_id`, `files` up to 10; or
    JSON `{"body": …, "parent_id": …}`). `warnings` names people mentioned but not told."""
    room = _room(request, room_id)
    body, parent_id = _post_fields(request)
    parent = None
    if parent_id:
        parent = selectors.posts_for_user(request.auth).filter(pk=parent_id, room=room).first()
        if parent is None:
            raise ValidationError({"parent_id": "No post with this id in this room."})
    written = post_services.post_create(
        by=acting(request),
        room=room,
        body=body,
        parent=parent,
        files=request.FILES.getlist("files") or request.FILES.getlist("files[]"),
    )
    post = _details(RoomPost.objects.filter(pk=written.post.pk)).get()
    return Status(201, WrittenOut(post=RoomPostOut.of(post), warnings=written.warnings))


def _post_fields(request: ApiRequest) -> tuple[str, int | None]:
    import json

    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError({"body": "This is not JSON."}) from None
        if not isinstance(data, dict):
            raise ValidationError({"body": "Send an object."})
    else:
        data = request.POST
    body = data.get("body", "")
    raw_parent = data.get("parent_id")
    if not isinstance(body, str):
        raise ValidationError({"body": "Send the text as a string."})
    if raw_parent in (None, ""):
        return body, None
    try:
        parent_id = int(raw_parent)
    except (TypeError, ValueError):
        raise ValidationError({"parent_id": "Send a post id."}) from None
    if not 1 <= parent_id <= 2**63 - 1:
        raise ValidationError({"parent_id": "Send a post id."})
    return body, parent_id


@router.patch("/room-posts/{post_id}", response=WrittenOut, **allow("update_room_post"))
def update_room_post(request: ApiRequest, post_id: Id, payload: RoomPostPatch) -> WrittenOut:
    """Change your own post's text; people newly mentioned are told."""
    written = post_services.post_edit(
        by=acting(request), post=_post(request, post_id), body=payload.body
    )
    post = _details(RoomPost.objects.filter(pk=written.post.pk)).get()
    return WrittenOut(post=RoomPostOut.of(post), warnings=written.warnings)


@router.delete("/room-posts/{post_id}", response={204: None}, **allow("delete_room_post"))
def delete_room_post(request: ApiRequest, post_id: Id) -> Any:
    """Delete a post (its author, the room's owners, managers): the thread shows it deleted."""
    post_services.post_delete(by=acting(request), post=_post(request, post_id))
    return Status(204, None)


@router.post("/room-posts/{post_id}/reactions", response=RoomPostOut, **allow("react_room_post"))
def add_reaction(request: ApiRequest, post_id: Id, payload: ReactionIn) -> RoomPostOut:
    post = _post(request, post_id)
    post_services.post_react(by=acting(request), post=post, emoji=payload.emoji, on=True)
    return RoomPostOut.of(_details(RoomPost.objects.filter(pk=post.pk)).get())


@router.delete(
    "/room-posts/{post_id}/reactions", response=RoomPostOut, **allow("unreact_room_post")
)
def remove_reaction(request: ApiRequest, post_id: Id, emoji: Text) -> RoomPostOut:
    post = _post(request, post_id)
    post_services.post_react(by=acting(request), post=post, emoji=emoji, on=False)
    return RoomPostOut.of(_details(RoomPost.objects.filter(pk=post.pk)).get())


@router.post("/room-posts/{post_id}/pin", response=RoomPostOut, **allow("pin_room_post"))
def pin_room_post(request: ApiRequest, post_id: Id) -> RoomPostOut:
    post = post_services.post_pin(by=acting(request), post=_post(request, post_id), pinned=True)
    return RoomPostOut.of(_details(RoomPost.objects.filter(pk=post.pk)).get())


@router.post("/room-posts/{post_id}/unpin", response=RoomPostOut, **allow("unpin_room_post"))
def unpin_room_post(request: ApiRequest, post_id: Id) -> RoomPostOut:
    post = post_services.post_pin(by=acting(request), post=_post(request, post_id), pinned=False)
    return RoomPostOut.of(_details(RoomPost.objects.filter(pk=post.pk)).get())


@router.get("/room-attachments/{attachment_id}", **allow("get_room_attachment"))
def get_room_attachment(request: ApiRequest, attachment_id: Id) -> HttpResponse:
    """The file, always as a download (stored sniffed type, nosniff, sandboxing CSP)."""
    return download(selectors.attachment_for_user(request.auth, attachment_id))
