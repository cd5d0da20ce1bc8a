"""The wiki's reading pages: spaces, the tree, a page, its history and differences, the lists
of missing pages and pages to review."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.core.params import int_param
from socialdesk.core.textdiff import collapse, word_diff
from socialdesk.spaces.selectors import room_for_user

from . import selectors
from .models import WikiPage, WikiSpace
from .rendering import render_page
from .selectors import TreeNode
from .space_services import space_ensure_for_room


def _nested(nodes: list[TreeNode]) -> list[dict[str, Any]]:
    """The flat depth-first tree as nested dicts, for a recursive template."""
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(-1, root)]
    for node in nodes:
        while stack[-1][0] >= node.depth:
            stack.pop()
        item: dict[str, Any] = {"page": node.page, "children": []}
        stack[-1][1].append(item)
        stack.append((node.depth, item["children"]))
    return root


def index(request: AppRequest) -> HttpResponse:
    user = request.user
    spaces = list(
        selectors.spaces_for_user(user).select_related("room").order_by("room_id", "name")
    )
    counts: dict[int, int] = {}
    for space_id in selectors.pages_for_user(user).values_list("space_id", flat=True):
        counts[space_id] = counts.get(space_id, 0) + 1
    context = {
        "spaces": [{"space": s, "pages": counts.get(s.pk, 0)} for s in spaces],
        "recent": selectors.recently_changed(user),
        "due": selectors.review_due(user).count(),
    }
    return render(request, "wiki/index.html", context)


def space(request: AppRequest, pk: int) -> HttpResponse:
    found = selectors.space_for_user(request.user, pk)
    context = {
        "space": found,
        "tree": _nested(selectors.page_tree(request.user, found)),
        "may_edit": selectors.may_edit(request.user, found),
    }
    return render(request, "wiki/space.html", context)


def room_space(request: AppRequest, pk: int) -> HttpResponse:
    """A room's wiki space, made on the first visit of someone who may write in it."""
    room = room_for_user(request.user, pk)
    existing = WikiSpace.objects.filter(room=room).first()
    if existing is None:
        if not user_may(request.user, "wiki:page_new") or room.is_archived:
            raise Http404
        existing = space_ensure_for_room(by=acting(request), room=room)
    return redirect("wiki:space", pk=existing.pk)


def _ancestors(page: WikiPage) -> list[WikiPage]:
    found: list[WikiPage] = []
    node = page.parent
    while node is not None and len(found) < 12:
        found.insert(0, node)
        node = node.parent
    return found


def page(request: AppRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.page_for_user(user, pk)
    context = {
        "page": found,
        "html": render_page(user, found),
        "ancestors": [p for p in _ancestors(found) if p.deleted_at is None],
        "backlinks": selectors.backlinks(user, found),
        "children": selectors.pages_for_user(user)
        .filter(parent=found)
        .order_by("position", "title_key"),
        "may_edit": selectors.may_edit_page(user, found),
        "latest": found.revisions.select_related("author").order_by("-number").first(),
    }
    return render(request, "wiki/page.html", context)


def history(request: AppRequest, pk: int) -> HttpResponse:
    found = selectors.page_for_user(request.user, pk)
    context = {
        "page": found,
        "revisions": selectors.revisions(found),
        "may_edit": selectors.may_edit_page(request.user, found),
    }
    return render(request, "wiki/history.html", context)


def diff(request: AppRequest, pk: int) -> HttpResponse:
    found = selectors.page_for_user(request.user, pk)
    newest = int_param(request.GET.get("to"), default=found.revision, minimum=1)
    oldest = int_param(request.GET.get("from"), default=max(1, newest - 1), minimum=1)
    versions = {r.number: r for r in found.revisions.filter(number__in=[oldest, newest])}
    before, after = versions.get(oldest), versions.get(newest)
    context: dict[str, Any] = {"page": found, "before": before, "after": after, "diff": None}
    if before is not None and after is not None:
        context["diff"] = collapse(word_diff(before.body, after.body))
        context["title_changed"] = before.title != after.title
    return render(request, "wiki/diff.html", context)


def missing(request: AppRequest) -> HttpResponse:
    return render(request, "wiki/missing.html", {"missing": selectors.missing_links(request.user)})


def review_due(request: AppRequest) -> HttpResponse:
    return render(request, "wiki/review_due.html", {"pages": selectors.review_due(request.user)})


def trash(request: AppRequest) -> HttpResponse:
    pages = [
        {"page": p, "may_restore": selectors.may_edit(request.user, p.space)}
        for p in selectors.trash(request.user)[:200]
    ]
    return render(request, "wiki/trash.html", {"pages": pages})
