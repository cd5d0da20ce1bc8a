"""Erasure in the team's own texts: room posts and wiki pages that name the person.

Their bodies lose the person's name and handles, and so do the plain texts kept beside them
(what search indexes and shows); a wiki page's every revision and kept draft too, so its
history cannot bring the name back. Titles stay (they name topics, not customers).
Each changed post and page is announced to the search in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from socialdesk.core import changes
from socialdesk.core.erasure import ERASED
from socialdesk.privacy.selectors import may_name, written
from socialdesk.spaces.mentions import plain_words
from socialdesk.spaces.models import RoomPost
from socialdesk.wiki.models import WikiDraft, WikiPage, WikiRevision
from socialdesk.wiki.rendering import plain_text

Scrub = Callable[[str, list[str]], str]


def _scrubbed(body: str, terms: list[str], scrub: Scrub) -> str:
    """The body without the terms, also where Markdown's marks sit between their letters
    ("Kim **Quastenberg**" would still read "Kim Quastenberg" on the page and in search)."""
    body = scrub(body, terms)
    for term in terms:
        body = written(term).sub(ERASED, body)
    return body


def scrub_room_posts(terms: list[str], scrub: Scrub) -> list[int]:
    changed: list[int] = []
    condition = may_name(terms, "body")
    if condition is None:
        return changed
    for post in RoomPost.objects.filter(condition).only("pk", "body"):
        body = _scrubbed(post.body, terms, scrub)
        if body != post.body:
            post.body, post.plain_text = body, plain_words(body)  # what search shows goes too
            post.save(update_fields=["body", "plain_text"])
            changed.append(post.pk)
    changes.changed("spaces.post", changed)
    return changed


def scrub_wiki(terms: list[str], scrub: Scrub) -> set[int]:
    pages: set[int] = set()
    condition = may_name(terms, "body")
    if condition is None:
        return pages
    for model in (WikiPage, WikiRevision, WikiDraft):
        for row in model.objects.filter(condition).only("pk", "body"):
            body = _scrubbed(row.body, terms, scrub)
            if body != row.body:
                row.body = body
                fields = ["body"]
                if isinstance(row, WikiPage):  # the words search indexes and shows go too
                    row.plain_text = plain_text(body)
                    fields.append("plain_text")
                row.save(update_fields=fields)
                pages.add(row.pk if isinstance(row, WikiPage) else row.page_id)
    changes.changed("wiki.page", sorted(pages))
    return pages


def scrub_internal(terms: list[str], scrub: Scrub) -> int:
    """Scrub room posts and wiki pages; return how many posts and pages changed."""
    if not terms:
        return 0
    return len(scrub_room_posts(terms, scrub)) + len(scrub_wiki(terms, scrub))
