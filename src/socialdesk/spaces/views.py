"""The room pages: the list, a new room, one room with its threads, members, settings.
Object rules are in the services (PermissionDenied → 403); post pages are in `post_views`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import User
from socialdesk.core.http import AppRequest

from . import room_services as services
from . import selectors
from .forms import MembersForm, NewRoomForm, NotifyForm, PostForm, RoomForm
from .models import REACTIONS, Room, RoomPost

TABS = ("mine", "public", "archived")


def rooms(request: AppRequest) -> HttpResponse:
    show = request.GET.get("show", "mine")
    if show not in TABS:
        show = "mine"
    user = request.user
    if show == "archived":
        found = selectors.room_list(user, archived=True)
    else:
        found = selectors.room_list(user, mine=show == "mine")
    return render(
        request,
        "spaces/rooms.html",
        {
            "rooms": found[:500],
            "show": show,
            "may_create": user.role in selectors.WORKER_ROLES,
            "counts": {
                "mine": selectors.room_list(user, mine=True).count(),
                "public": selectors.room_list(user, mine=False).count(),
            },
        },
    )


def room_new(request: AppRequest) -> HttpResponse:
    form = NewRoomForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            room = services.room_create(
                by=acting(request),
                name=data["name"],
                purpose=data["purpose"],
                visibility=data["visibility"],
                members=data["members"],
                departments=data["departments"],
                sites=data["sites"],
            )
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The room “%(name)s” is open.") % {"name": room.name})
            return redirect("spaces:room", room.pk)
    return render(request, "spaces/room_form.html", {"form": form, "room": None})


def _room(request: AppRequest, pk: int) -> Room:
    return selectors.room_for_user(request.user, pk)


def _decorate(threads: list[selectors.Thread], user: User, membership: Any) -> int | None:
    """Reactions per post (emoji, count, mine) and "new" marks (a member's unread posts by
    others); return the first new post in page order (where the "Neu" divider goes)."""
    first_new = None
    last_read = membership.last_read_at if membership else None
    for thread in threads:
        for post in [thread.root, *thread.replies]:
            counts: dict[str, list[int]] = {}
            for reaction in post.reactions.all():
                counts.setdefault(reaction.emoji, []).append(reaction.user_id)
            post.reaction_list = [  # type: ignore[attr-defined]
                (e, len(counts[e]), user.pk in counts[e]) for e in REACTIONS if e in counts
            ]
            is_new = (
                membership is not None
                and (last_read is None or post.created_at > last_read)
                and post.author_id != user.pk
                and not post.is_deleted
            )
            post.is_new = is_new  # type: ignore[attr-defined]
            if is_new and first_new is None:
                first_new = post.pk
    return first_new


def room_page(
    request: AppRequest, room: Room, post_form: PostForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    membership = selectors.membership(user, room)
    threads = selectors.room_feed(user, room)
    first_new = _decorate(threads, user, membership)
    post_form = post_form or PostForm()
    post_form.fields["body"].widget.attrs["data-mentions"] = reverse(
        "spaces:mention_suggest", args=[room.pk]
    )
    if membership is not None:
        services.room_mark_read(user=user, room=room)
    context = {
        "room": room,
        "membership": membership,
        "threads": threads,
        "first_new": first_new,
        "may_post": selectors.may_post(user, room),
        "may_manage": selectors.may_manage(user, room),
        "is_moderator": user.role in ("admin", "manager"),
        "members": selectors.room_members(room)[:50],
        "member_count": selectors.room_members(room).count(),
        "post_form": post_form,
        "notify_form": NotifyForm(initial={"notify": membership.notify}) if membership else None,
        "reactions": REACTIONS,
        "attachment_limit": settings.SPACES_ATTACHMENT_MAX_MB,
    }
    return render(request, "spaces/room.html", context, status=status)


def room(request: AppRequest, pk: int) -> HttpResponse:
    return room_page(request, _room(request, pk))


def room_edit(request: AppRequest, pk: int) -> HttpResponse:
    found = _room(request, pk)
    if not selectors.may_manage(request.user, found):
        raise PermissionDenied
    initial = {"name": found.name, "purpose": found.purpose, "visibility": found.visibility}
    form = RoomForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(by=acting(request), room=found, **form.cleaned_data)
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The room is saved."))
            return redirect("spaces:room", found.pk)
    return render(request, "spaces/room_form.html", {"form": form, "room": found})


def room_members(request: AppRequest, pk: int) -> HttpResponse:
    found = _room(request, pk)
    return render(
        request,
        "spaces/members.html",
        {
            "room": found,
            "members": selectors.room_members(found),
            "form": MembersForm(),
            "may_manage": selectors.may_manage(request.user, found),
            "may_add": not found.is_archived
            and (
                selectors.may_manage(request.user, found)
                or (not found.is_private and selectors.is_member(request.user, found))
            ),
        },
    )


def _act(request: AppRequest, pk: int, action: Any, success: str, **extra: Any) -> HttpResponse:
    """Run a room action; its refusal becomes a message on the page it came from."""
    found = _room(request, pk)
    try:
        action(by=acting(request), room=found, **extra)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        if not str(error):
            raise
        messages.error(request, str(error))
    else:
        if success:
            messages.success(request, success)
    return redirect("spaces:room", found.pk)


@require_POST
def room_member_add(request: AppRequest, pk: int) -> HttpResponse:
    form = MembersForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose people, departments or sites from the lists."))
        return redirect("spaces:room_members", pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        services.room_add_members,
        _("The people are added."),
        people=data["members"],
        departments=data["departments"],
        sites=data["sites"],
    )


@require_POST
def room_member_remove(request: AppRequest, pk: int) -> HttpResponse:
    user_id = request.POST.get("user", "")
    person = get_object_or_404(User, pk=int(user_id) if user_id.isdigit() else 0)
    return _act(
        request, pk, services.room_remove_member, _("The person is removed."), person=person
    )


@require_POST
def room_join(request: AppRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.room_join, _("You joined the room."))


@require_POST
def room_leave(request: AppRequest, pk: int) -> HttpResponse:
    found = _room(request, pk)
    response = _act(request, pk, services.room_leave, _("You left the room."))
    if found.is_private and not selectors.is_member(request.user, found):
        return redirect("spaces:rooms")
    return response


@require_POST
def room_notify(request: AppRequest, pk: int) -> HttpResponse:
    form = NotifyForm(request.POST)
    notify = form.data.get("notify", "")
    return _act(request, pk, services.room_set_notify, _("Saved."), notify=notify)


@require_POST
def room_archive(request: AppRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.room_archive, _("The room is archived."))


@require_POST
def room_unarchive(request: AppRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.room_unarchive, _("The room is open again."))


def rooms_admin(request: AppRequest) -> HttpResponse:
    """Admins: the private rooms' names, owners and member counts — never their posts."""
    return render(request, "spaces/rooms_admin.html", {"rooms": selectors.private_rooms_overview()})


@require_POST
def room_take_over(request: AppRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Room, pk=pk)
    services.room_take_over(by=acting(request), room=found)
    messages.success(request, _("You are now an owner of “%(name)s”.") % {"name": found.name})
    return redirect("spaces:room", found.pk)


__all__ = ["RoomPost"]
