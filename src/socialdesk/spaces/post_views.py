"""Writing in a room: a post or reply, editing, deleting, pinning, reacting, the permalink."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest

from . import post_services as services
from . import selectors
from .attachments import safe_stem
from .forms import PostForm, ReactForm
from .models import RoomPost
from .uploads import LimitedUploadHandler
from .views import room_page


def _anchor(post: RoomPost) -> str:
    return reverse("spaces:room", args=[post.room_id]) + f"#post-{post.pk}"


def _post(request: AppRequest, pk: int) -> RoomPost:
    return selectors.post_for_user(request.user, pk)


@csrf_exempt
def room_post_new(request: AppRequest, pk: int) -> HttpResponse:
    """Write a post or reply; a file over the limit is stopped while it arrives."""
    handler = LimitedUploadHandler(request)
    if not hasattr(request, "_files"):  # a middleware that read the form already got it whole
        request.upload_handlers = [handler, *request.upload_handlers]
    return _room_post_new(request, pk, handler)


@csrf_protect
def _room_post_new(request: AppRequest, pk: int, handler: LimitedUploadHandler) -> HttpResponse:
    room = selectors.room_for_user(request.user, pk)
    if request.method != "POST":
        return redirect("spaces:room", room.pk)
    form = PostForm(request.POST)
    form.is_valid()
    if handler.too_big:
        form.attachment_errors = [
            _("The file “%(name)s” is larger than %(limit)s MB, the most allowed.")
            % {"name": safe_stem(name)[:80], "limit": settings.SPACES_ATTACHMENT_MAX_MB}
            for name in handler.too_big
        ]
        return room_page(request, room, post_form=form, status=400)
    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = selectors.posts_for_user(request.user).filter(pk=data["parent"], room=room).first()
        if parent is None:
            raise Http404
    try:
        written = services.post_create(
            by=acting(request),
            room=room,
            body=data.get("body") or "",
            parent=parent,
            files=request.FILES.getlist("files"),
        )
    except ValidationError as error:
        form.show_errors(error)
        return room_page(request, room, post_form=form, status=400)
    for warning in written.warnings:
        messages.warning(request, warning)
    return redirect(_anchor(written.post))


def post(request: AppRequest, pk: int) -> HttpResponse:
    """The permalink: the post's place in its room."""
    return redirect(_anchor(_post(request, pk)))


def thread(request: AppRequest, pk: int) -> HttpResponse:
    """All replies of a thread (htmx: "N weitere Antworten")."""
    root = _post(request, pk)
    if root.parent_id is not None:
        return redirect("spaces:thread", root.parent_id)
    return render(
        request,
        "spaces/thread.html",
        {"thread": selectors.thread(request.user, root), "room": root.room},
    )


def post_edit(request: AppRequest, pk: int) -> HttpResponse:
    found = _post(request, pk)
    if found.author_id != request.user.pk:
        raise PermissionDenied
    form = PostForm(
        request.POST if request.method == "POST" else None, initial={"body": found.body}
    )
    if request.method == "POST":
        form.is_valid()
        try:
            written = services.post_edit(
                by=acting(request), post=found, body=form.cleaned_data.get("body") or ""
            )
        except ValidationError as error:
            form.show_errors(error)
        else:
            for warning in written.warnings:
                messages.warning(request, warning)
            return redirect(_anchor(found))
    return render(request, "spaces/post_edit.html", {"form": form, "post": found})


@require_POST
def post_delete(request: AppRequest, pk: int) -> HttpResponse:
    found = _post(request, pk)
    services.post_delete(by=acting(request), post=found)
    messages.success(request, _("The post is deleted."))
    return redirect("spaces:room", found.room_id)


@require_POST
def post_pin(request: AppRequest, pk: int) -> HttpResponse:
    found = _post(request, pk)
    try:
        services.post_pin(by=acting(request), post=found, pinned=request.POST.get("pinned") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_anchor(found))


@require_POST
def post_react(request: AppRequest, pk: int) -> HttpResponse:
    found = _post(request, pk)
    form = ReactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered reactions."))
    else:
        services.post_react(
            by=acting(request),
            post=found,
            emoji=form.cleaned_data["emoji"],
            on=form.cleaned_data["on"],
        )
    return redirect(_anchor(found))


def mention_suggest(request: AppRequest, pk: int) -> HttpResponse:
    """People to mention in the room, for the autocomplete (htmx)."""
    room = selectors.room_for_user(request.user, pk)
    people = selectors.mention_candidates(request.user, room, request.GET.get("q", ""))
    return render(request, "spaces/mention_suggest.html", {"people": people})
