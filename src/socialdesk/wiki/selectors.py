"""Who may read and edit which wiki space and page: the one rule of the wiki.

An organisation-wide space is readable by every active person; a room's space follows
`spaces.selectors.rooms_for_user` (a private room's space only for its members). Who may read a
space and works (WORKERS) may edit it, unless its room is archived; pages managed elsewhere
(`managed_by`) are read-only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from socialdesk.access import WORKERS
from socialdesk.accounts.models import User
from socialdesk.spaces.selectors import rooms_for_user

from .models import WikiLink, WikiPage, WikiRevision, WikiSpace


def spaces_for_user(user: User) -> QuerySet[WikiSpace]:
    if not user.is_active:
        return WikiSpace.objects.none()
    return WikiSpace.objects.filter(
        Q(room__isnull=True) | Q(room__in=rooms_for_user(user).values("pk"))
    )


def space_for_user(user: User, pk: int) -> WikiSpace:
    space = spaces_for_user(user).select_related("room").filter(pk=pk).first()
    if space is None:
        raise Http404
    return space


def pages_for_user(user: User) -> QuerySet[WikiPage]:
    """Live pages (drafts included) of the spaces the person may read."""
    return WikiPage.objects.filter(
        deleted_at__isnull=True, space__in=spaces_for_user(user).values("pk")
    )


def page_for_user(user: User, pk: int, *, deleted: bool = False) -> WikiPage:
    pages = WikiPage.objects.filter(space__in=spaces_for_user(user).values("pk"))
    if not deleted:
        pages = pages.filter(deleted_at__isnull=True)
    page = pages.select_related("space", "space__room", "owner", "parent").filter(pk=pk).first()
    if page is None:
        raise Http404
    return page


def may_edit(user: User, space: WikiSpace) -> bool:
    """Workers who may read the space, unless its room is archived."""
    if not user.is_active or user.role not in WORKERS:
        return False
    if space.room_id is not None:
        room = space.room
        if room is None or room.is_archived:
            return False
        return rooms_for_user(user).filter(pk=space.room_id).exists()
    return True


def may_edit_page(user: User, page: WikiPage) -> bool:
    return not page.managed_by and not page.is_deleted and may_edit(user, page.space)


@dataclass(frozen=True)
class TreeNode:
    page: WikiPage
    depth: int


def page_tree(user: User, space: WikiSpace) -> list[TreeNode]:
    """The space's live pages the person may read, depth-first in their order."""
    pages = list(pages_for_user(user).filter(space=space).order_by("position", "title_key"))
    children: dict[int | None, list[WikiPage]] = {}
    known = {page.pk for page in pages}
    for page in pages:
        parent = page.parent_id if page.parent_id in known else None
        children.setdefault(parent, []).append(page)
    tree: list[TreeNode] = []
    stack = [(page, 0) for page in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        page, depth = stack.pop()
        if page.pk in seen:
            continue
        seen.add(page.pk)
        tree.append(TreeNode(page, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(page.pk, [])))
    return tree


def revisions(page: WikiPage) -> QuerySet[WikiRevision]:
    return page.revisions.select_related("author").order_by("-number")


def backlinks(user: User, page: WikiPage) -> QuerySet[WikiPage]:
    """The pages the person may read that link here."""
    sources = WikiLink.objects.filter(target=page).values("source_id")
    return pages_for_user(user).filter(pk__in=sources).exclude(pk=page.pk).order_by("title_key")


@dataclass(frozen=True)
class MissingPage:
    space: WikiSpace
    title: str
    sources: list[WikiPage]


def missing_links(user: User) -> list[MissingPage]:
    """Titles linked from pages the person may read that no page has yet, per space."""
    links = (
        WikiLink.objects.filter(target__isnull=True, source__in=pages_for_user(user).values("pk"))
        .select_related("source")
        .order_by("target_space_key", "target_title_key", "source__title_key")
    )
    spaces = {space.key: space for space in spaces_for_user(user)}
    found: dict[tuple[str, str], MissingPage] = {}
    for link in links:
        space = spaces.get(link.target_space_key)
        if space is None:
            continue
        key = (link.target_space_key, link.target_title_key)
        entry = found.setdefault(key, MissingPage(space, link.title, []))
        if link.source not in entry.sources:
            entry.sources.append(link.source)
    return list(found.values())


def review_due(user: User, *, today: date | None = None) -> QuerySet[WikiPage]:
    """Pages the person may read whose review date has come."""
    day = today or timezone.localdate()
    return (
        pages_for_user(user)
        .filter(review_by__lte=day)
        .select_related("space", "owner")
        .order_by("review_by", "title_key")
    )


def recently_changed(user: User, limit: int = 15) -> QuerySet[WikiPage]:
    return (
        pages_for_user(user).select_related("space", "updated_by").order_by("-updated_at")[:limit]
    )


def trash(user: User) -> QuerySet[WikiPage]:
    """Pages in the trash of the spaces the person may read, newest first."""
    return (
        WikiPage.objects.filter(
            deleted_at__isnull=False, space__in=spaces_for_user(user).values("pk")
        )
        .select_related("space", "deleted_by")
        .order_by("-deleted_at")
    )
