"""A room post as safe HTML: the one Markdown renderer (flavour `room`) with its mentions as
links (`<a class="mention">`). Names are resolved before rendering; the plugin only turns the
text of mentions it knows into links, never inside code or an existing link."""

from __future__ import annotations

import re
from contextvars import ContextVar

from django.urls import reverse
from django.utils.safestring import SafeString
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from socialdesk.core.markdown import render

from .mentions import BRACKETS, WHOLE_ROOM, WORD, display_name
from .models import PostMention, RoomPost

_PATTERN = re.compile(f"{BRACKETS.pattern}|{WORD.pattern}")
# mention key (lower case, as typed without "@") -> (href, label)
_LINKS: ContextVar[dict[str, tuple[str, str]] | None] = ContextVar(
    "spaces_mention_links", default=None
)


def _split(text: str, links: dict[str, tuple[str, str]], state: StateCore) -> list[Token] | None:
    pieces: list[Token] = []
    last = 0
    for match in _PATTERN.finditer(text):
        key = (match.group(1) or match.group(2) or "").lower().rstrip(".")
        key = " ".join(key.split())
        if key not in links:
            continue
        href, label = links[key]
        if match.start() > last:
            plain = Token("text", "", 0)
            plain.content = text[last : match.start()]
            pieces.append(plain)
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": href, "class": "mention"}
        label_token = Token("text", "", 0)
        label_token.content = f"@{label}"
        pieces += [opening, label_token, Token("link_close", "a", -1)]
        end = match.end()
        if match.group(2) and match.group(2).endswith("."):
            end -= 1  # a sentence's full stop stays text
        last = end
    if not pieces:
        return None
    if last < len(text):
        tail = Token("text", "", 0)
        tail.content = text[last:]
        pieces.append(tail)
    return pieces


def _mention_rule(state: StateCore) -> None:
    links = _LINKS.get()
    if not links:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for child in block.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if child.type == "text" and depth == 0:
                split = _split(child.content, links, state)
                if split is not None:
                    children += split
                    continue
            children.append(child)
        block.children = children


def mention_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("room_mentions", _mention_rule)


def links_for(
    post: RoomPost, mentions: list[PostMention] | None = None
) -> dict[str, tuple[str, str]]:
    """What each way of writing a stored mention of the post links to."""
    links: dict[str, tuple[str, str]] = {}
    rows = mentions if mentions is not None else list(post.mentions.all())
    for row in rows:
        if row.whole_room:
            for keyword in WHOLE_ROOM:
                links[keyword] = (reverse("spaces:room", args=[post.room_id]), keyword)
        elif row.user is not None:
            person = row.user
            href = reverse("accounts:person_detail", args=[person.pk])
            name = display_name(person)
            links[name.lower()] = (href, name)
            local = person.email.split("@")[0].lower()
            links[local] = (href, name)
            first = name.split(" ")[0].lower()
            links.setdefault(first, (href, name))
        elif row.department is not None:
            href = reverse("accounts:department_detail", args=[row.department_id])
            links[row.department.name.lower()] = (href, row.department.name)
    return links


def render_post(post: RoomPost, mentions: list[PostMention] | None = None) -> SafeString:
    """The post's body as safe HTML, its known mentions as links."""
    token = _LINKS.set(links_for(post, mentions))
    try:
        return render(post.body, flavour="room", plugins=(mention_plugin,))
    finally:
        _LINKS.reset(token)
