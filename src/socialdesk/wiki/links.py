"""`[[Page title]]`, `[[Page title|text]]` and `[[space-key:Page title]]`: found in a page's
text, stored as `WikiLink` rows on every save (backlinks, missing pages), resolved on reading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from .keys import clean_title, title_key
from .models import TITLE_MAX, WikiAlias, WikiLink, WikiPage, WikiSpace

LINK = re.compile(r"\[\[([^\[\]\n|]{1,300})(?:\|([^\[\]\n]{1,300}))?\]\]")
_SPACE_PREFIX = re.compile(r"([A-Za-z0-9_-]{1,60}):(.+)", re.DOTALL)
MAX_LINKS = 500


@dataclass(frozen=True)
class LinkRef:
    space_key: str  # "" = the page's own space
    title: str
    text: str

    def key(self, own_space: str) -> tuple[str, str]:
        return (self.space_key or own_space, title_key(self.title))


def split_target(target: str, known_keys: set[str]) -> tuple[str, str]:
    """("raum-key", "Titel") when the part before a colon names a space, else ("", target)."""
    match = _SPACE_PREFIX.fullmatch(target.strip())
    if match and match.group(1).lower() in known_keys and match.group(2).strip():
        return match.group(1).lower(), match.group(2).strip()
    return "", target.strip()


def find_links(body: str, known_keys: set[str]) -> list[LinkRef]:
    refs: list[LinkRef] = []
    written: set[str] = set()
    for match in LINK.finditer(body):
        if match.group(0) in written:
            continue
        written.add(match.group(0))
        space_key, title = split_target(match.group(1), known_keys)
        title = clean_title(title)[:TITLE_MAX]
        if not title:
            continue
        text = clean_title(match.group(2) or match.group(1))
        refs.append(LinkRef(space_key, title, text or title))
        if len(refs) >= MAX_LINKS:
            break
    return refs


def space_keys() -> set[str]:
    return set(WikiSpace.objects.values_list("key", flat=True))


def lookup(keys: set[tuple[str, str]], pages: object = None) -> dict[tuple[str, str], WikiPage]:
    """Live pages by (space key, title key), by title first, then by an old title (alias)."""
    if not keys:
        return {}
    condition = Q()
    for space_key, key in keys:
        condition |= Q(space__key=space_key, title_key=key)
    found = {
        (page.space.key, page.title_key): page
        for page in WikiPage.objects.filter(condition, deleted_at__isnull=True).select_related(
            "space"
        )
    }
    rest = keys - set(found)
    if rest:
        alias_condition = Q()
        for space_key, key in rest:
            alias_condition |= Q(space__key=space_key, title_key=key)
        aliases = WikiAlias.objects.filter(
            alias_condition, page__deleted_at__isnull=True
        ).select_related("space", "page", "page__space")
        for alias in aliases:
            found[(alias.space.key, alias.title_key)] = alias.page
    return found


def store_links(page: WikiPage) -> None:
    """Replace the page's links by those of its current text (inside the save's transaction)."""
    WikiLink.objects.filter(source=page).delete()
    refs = find_links(page.body, space_keys())
    own = page.space.key
    targets = lookup({ref.key(own) for ref in refs})
    rows: dict[tuple[str, str], WikiLink] = {}
    for ref in refs:
        key = ref.key(own)
        if key in rows:
            continue
        rows[key] = WikiLink(
            source=page,
            target=targets.get(key),
            target_space_key=key[0],
            target_title_key=key[1],
            title=ref.title,
        )
    WikiLink.objects.bulk_create(rows.values())


def resolve_waiting(page: WikiPage) -> int:
    """Links that waited for this title (or an old one) now point at the page."""
    keys = [page.title_key, *page.aliases.values_list("title_key", flat=True)]
    return WikiLink.objects.filter(
        target__isnull=True, target_space_key=page.space.key, target_title_key__in=keys
    ).update(target=page)
