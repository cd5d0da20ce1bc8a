"""A page as HTML: the one Markdown renderer (flavour `wiki`) plus `[[links]]`.

Rendered on every read, because a link's state changes when its target is created, renamed,
moved to the trash or hidden: an existing page the reader may open -> `wiki-link`; a missing one
in a space the reader may read -> `wiki-missing` to "create this page"; a page or space the
reader may not see -> its text only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from socialdesk.accounts.models import User
from socialdesk.core.markdown import render, to_plain_text

from .keys import clean_title, title_key
from .links import LINK, find_links, lookup, space_keys, split_target
from .models import WikiPage, WikiSpace
from .selectors import pages_for_user, spaces_for_user

Target = tuple[str, str, str] | None  # (href, class, title attribute) or plain text


def _targets(
    user: User, space: WikiSpace, body: str, keys: set[str]
) -> dict[tuple[str, str], Target]:
    refs = find_links(body, keys)
    wanted = {ref.key(space.key) for ref in refs}
    pages = lookup(wanted)
    visible = set(
        pages_for_user(user)
        .filter(pk__in=[p.pk for p in pages.values()])
        .values_list("pk", flat=True)
    )
    spaces = {s.key: s for s in spaces_for_user(user)}
    titles = {ref.key(space.key): ref.title for ref in refs}
    targets: dict[tuple[str, str], Target] = {}
    for key in wanted:
        page = pages.get(key)
        if page is not None:
            if page.pk in visible:
                targets[key] = (reverse("wiki:page", args=[page.pk]), "wiki-link", page.title)
            else:
                targets[key] = None
        elif key[0] in spaces:
            query = urlencode({"space": spaces[key[0]].pk, "title": titles[key]})
            href = f"{reverse('wiki:page_new')}?{query}"
            targets[key] = (href, "wiki-missing", gettext("Page missing – create it"))
        else:
            targets[key] = None
    return targets


def _plugin(
    targets: dict[tuple[str, str], Target], own: str, keys: set[str]
) -> Callable[[MarkdownIt], None]:
    seen: dict[str, tuple[str, Target]] = {}  # the same link written many times: worked out once

    def resolve(written: re.Match[str]) -> tuple[str, Target]:
        found = seen.get(written.group(0))
        if found is None:
            space_key, title = split_target(written.group(1), keys)
            title = clean_title(title)
            text = clean_title(written.group(2) or written.group(1)) or title
            found = (text, targets.get((space_key or own, title_key(title))))
            seen[written.group(0)] = found
        return found

    def rule(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith("[[", state.pos):
            return False
        match = LINK.match(state.src, state.pos)
        if match is None:
            return False
        if not silent:
            text, target = resolve(match)
            if target is None:
                state.push("text", "", 0).content = text
            else:
                opening = state.push("link_open", "a", 1)
                opening.attrs = {"href": target[0], "class": target[1], "title": target[2]}
                state.push("text", "", 0).content = text
                state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    def wiki_links(md: MarkdownIt) -> None:
        md.inline.ruler.before("link", "wiki_link", rule)

    return wiki_links


def render_text(user: User, space: WikiSpace, body: str) -> SafeString:
    """Markdown of a page in `space` as the person sees it (pages and previews)."""
    keys = space_keys()
    targets = _targets(user, space, body, keys)
    return render(body, flavour="wiki", plugins=(_plugin(targets, space.key, keys),))


def render_page(user: User, page: WikiPage) -> SafeString:
    return render_text(user, page.space, page.body)


def _link_text(state: StateInline, silent: bool) -> bool:
    """A `[[link]]` as the words a reader sees: its label, else its target."""
    if not state.src.startswith("[[", state.pos):
        return False
    match = LINK.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        state.push("text", "", 0).content = clean_title(match.group(2) or match.group(1))
    state.pos = match.end()
    return True


def _link_texts(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wiki_link", _link_text)


def plain_text(body: str) -> str:
    """A page's words as a reader sees them, without Markdown: links as their labels, task
    boxes and heading anchors left out (kept as `WikiPage.plain_text` for search)."""
    return to_plain_text(body, flavour="wiki", plugins=(_link_texts,))
