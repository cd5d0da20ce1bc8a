"""Saved replies that follow a wiki page: "Use as saved reply" on a page, and every later save
of the page refreshes the reply's text in the same transaction (through `core.changes`).

The reply takes the page's "Answer" section ("Antwort") when there is one, else the whole page,
as plain text (`rendering.plain_text`: links as their labels). A page moved to the trash
releases its replies: their text stays and can be edited again.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.core import changes
from socialdesk.inbox.models import SavedReply
from socialdesk.inbox.services import saved_reply_sync

from .models import WikiPage, WikiReply
from .rendering import plain_text

ANSWER_HEADINGS = ("antwort", "answer")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def section_text(body: str, names: tuple[str, ...] = ANSWER_HEADINGS) -> str:
    """The Markdown under the first heading named one of `names`, up to the next heading of the
    same or a higher level; the whole body when there is no such heading."""
    lines = body.splitlines()
    for start, line in enumerate(lines):
        found = _HEADING.match(line)
        if found and found.group(2).strip().casefold() in names:
            level = len(found.group(1))
            end = next(
                (
                    i
                    for i in range(start + 1, len(lines))
                    if (m := _HEADING.match(lines[i])) and len(m.group(1)) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[start + 1 : end]).strip()
    return body


def reply_text(page: WikiPage) -> str:
    return plain_text(section_text(page.body))


def reply_from_page(*, by: Acting, page: WikiPage) -> SavedReply:
    """A saved reply that follows the page (the existing one when there is one already)."""
    with transaction.atomic():
        following = WikiReply.objects.select_related("saved_reply").filter(page=page).first()
        saved = saved_reply_sync(
            by=by,
            saved=following.saved_reply if following else None,
            title=page.title,
            body=reply_text(page),
            source_label=page.title,
            source_url=reverse("wiki:page", args=[page.pk]),
        )
        if following is None:
            WikiReply.objects.create(page=page, saved_reply=saved, synced_revision=page.revision)
        return saved


def sync_replies(source: str, ids: tuple[int, ...]) -> None:
    """After a page changed: its replies take the new text, or are released from a trashed page."""
    if source != "wiki.page":
        return
    follows = WikiReply.objects.select_related("page", "saved_reply").filter(page_id__in=ids)
    for follow in follows:
        page, saved = follow.page, follow.saved_reply
        by = Acting(user=page.updated_by, label="" if page.updated_by else "wiki")
        if page.is_deleted:
            saved_reply_sync(
                by=by, saved=saved, title=saved.title, body=saved.body, source_label="",
                source_url="",
            )  # fmt: skip
            follow.delete()
            continue
        if follow.synced_revision == page.revision and saved.source_label == page.title:
            continue
        saved_reply_sync(
            by=by,
            saved=saved,
            title=saved.title,
            body=reply_text(page),
            source_label=page.title,
            source_url=reverse("wiki:page", args=[page.pk]),
        )
        follow.synced_revision = page.revision
        follow.save(update_fields=["synced_revision"])


def connect() -> None:
    changes.listen(sync_replies)
