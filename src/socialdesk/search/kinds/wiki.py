"""Kind of the wiki: pages (`wiki.selectors` is the rule).

A page is indexed as its title and its body as plain text (Markdown off, kept beside the body
as `plain_text` by the wiki's services, so neither a reindex nor a hit renders it); its entry
carries the page's space, and a person finds it when the wiki would show them that space's
pages (`spaces_for_user`; drafts included, labelled „Entwurf“). Deleted pages (Papierkorb) have no
entry: `build` leaves them out, so refreshing a trashed page removes its entry, and bringing it
back writes it again.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.core.reversing import page_url
from socialdesk.search.kinds.base import Doc, Ids, Kind, Shown, among, keys, same
from socialdesk.wiki import selectors
from socialdesk.wiki.models import WikiPage

INDEX_TEXT_MAX = 100_000


def _build(ids: Ids) -> list[Doc]:
    rows = WikiPage.objects.filter(keys(ids), deleted_at__isnull=True).order_by()
    return [
        Doc(
            object_id=p.pk,
            title=p.title,
            body=p.plain_text[:INDEX_TEXT_MAX],
            at=p.updated_at,
            space_id=p.space_id,
            author_id=p.updated_by_id,
        )
        for p in rows.only("pk", "title", "plain_text", "updated_at", "space_id", "updated_by_id")
    ]


def _rule(user: User) -> Q:
    return among("space_id", selectors.spaces_for_user(user))


def _show(user: User, ids: Ids) -> dict[int, Shown]:
    rows = (
        selectors.pages_for_user(user)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "title", "plain_text", "updated_at", "status")
    )
    shown = {}
    for pk, title, words, at, status in rows:
        badges = (str(_("Draft")),) if status == WikiPage.Status.DRAFT else ()
        shown[pk] = Shown(title, words, page_url("wiki:page", pk, "wiki:index"), at, badges)
    return shown


WIKI_PAGE = Kind(
    key="wiki_page",
    label=_("Wiki pages"),
    entry_kind="wiki_page",
    sources={"wiki.page": same},
    build=_build,
    objects=lambda: WikiPage.objects.filter(deleted_at__isnull=True),
    visible=_rule,
    show=_show,
    has_author=True,
)
