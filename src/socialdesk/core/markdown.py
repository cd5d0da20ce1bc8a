"""Markdown to safe HTML, the one renderer of the product.

markdown-it-py renders (raw HTML off), nh3 keeps an allow-list. Three flavours:

- `basic` (strategy, guidelines): text, lists, tables, links; no classes, no ids.
- `room` (room posts): as basic, plus `code class="language-…"` and `a class` ∈ {mention,
  wiki-link, wiki-missing}, for the links a plugin (mentions, wiki links) writes.
- `wiki` (wiki pages): as room, plus task lists (`input type=checkbox disabled [checked]` only)
  and headings with an id `h-…` (anchors for links to a section).

Every extra attribute passes `_allow_attribute`, so a value a writer typed never becomes a
class, an id or an input of its own. Links keep only http, https and mailto.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Literal

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

Flavour = Literal["basic", "room", "wiki"]
Plugin = Callable[[MarkdownIt], None]

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = {"http", "https", "mailto"}
LINK_CLASSES = frozenset({"mention", "wiki-link", "wiki-missing"})

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LANGUAGE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_HEADING_ID = re.compile(r"h-[a-z0-9-]{1,90}")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def heading_id(title: str) -> str:
    """The anchor of a heading: `h-` and its words in ASCII ("Über uns" -> "h-uber-uns")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")
    return f"h-{slug or 'abschnitt'}"


def _attributes(flavour: Flavour) -> dict[str, set[str]]:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    if flavour == "basic":
        return attributes
    attributes["a"].add("class")
    attributes["code"] = {"class"}
    if flavour == "wiki":
        attributes["input"] = {"type", "disabled", "checked"}
        for tag in _HEADINGS:
            attributes[tag] = {"id"}
    return attributes


def _allow_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep an extra attribute only with a value the renderer itself writes."""
    if tag == "a" and name == "class":
        return value if value in LINK_CLASSES else None
    if tag == "code" and name == "class":
        return value if _LANGUAGE.fullmatch(value) else None
    if tag == "input":
        if name == "type":
            return "checkbox" if value == "checkbox" else None
        return name  # disabled / checked: boolean, whatever value was written
    if tag in _HEADINGS and name == "id":
        return value if _HEADING_ID.fullmatch(value) else None
    return value


@functools.lru_cache(maxsize=32)
def _parser(flavour: Flavour, plugins: tuple[Plugin, ...]) -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .enable("strikethrough")
    )
    if flavour == "wiki":
        md.use(tasklists_plugin)
        md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_id)
    for plugin in plugins:
        md.use(plugin)
    return md


def render(text: str, *, flavour: Flavour = "basic", plugins: Sequence[Plugin] = ()) -> SafeString:
    """Return the text as HTML safe to put on a page: no raw HTML, only http(s)/mailto links.

    `plugins` are markdown-it plugins (mentions, wiki links); what they write passes the same
    allow-list, so a plugin can add a link class of `LINK_CLASSES` and nothing else.
    """
    rendered = _parser(flavour, tuple(plugins)).render(text.replace("\x00", ""))
    input_tags = {"input"} if flavour == "wiki" else set()
    clean = nh3.clean(
        rendered,
        tags=TAGS | input_tags,
        attributes=_attributes(flavour),
        attribute_filter=None if flavour == "basic" else _allow_attribute,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return mark_safe(clean)  # noqa: S308 - cleaned by nh3 just above


def to_plain_text(
    text: str, *, flavour: Flavour = "basic", plugins: tuple[Plugin, ...] = ()
) -> str:
    """The words of a Markdown text without any markup (for saved replies, previews, search).

    `flavour` and `plugins` as for `render` (the wiki's task boxes and links); the plugins are
    part of the cached parser's key, so pass the same ones each time. Not HTML: escape it
    before it goes on a page (templates do).
    """
    rendered = _parser(flavour, plugins).render(text.replace("\x00", ""))
    stripped = nh3.clean(rendered, tags=set())
    lines = (line.strip() for line in html.unescape(stripped).splitlines())
    return "\n".join(line for line in lines if line)
