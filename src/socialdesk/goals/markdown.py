"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 keeps an allow-list."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = {"http", "https", "mailto"}

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)


def render(text: str) -> SafeString:
    """Return the text as HTML safe to put on a page: no raw HTML, only http(s)/mailto links."""
    html = _md.render(text.replace("\x00", ""))
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return mark_safe(clean)  # noqa: S308 - cleaned by nh3 just above
