"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, raw HTML off), then nh3 keeps
only an allow-list of tags and attributes; links get rel="noopener noreferrer nofollow"."""

from __future__ import annotations

import difflib
import re
from typing import TypedDict

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

TAGS = {
    *(f"h{n}" for n in range(1, 7)),
    "p", "br", "hr", "ul", "ol", "li", "em", "strong", "a", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}


def render_markdown(text: str) -> SafeString:
    """The section's Markdown as HTML that can be shown as it is."""
    html = _MARKDOWN.render(text.replace("\x00", ""))
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 with an allow-list


class DiffPart(TypedDict):
    kind: str  # "same", "added", "removed"
    text: str


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


def word_diff(before: str, after: str) -> list[DiffPart]:
    """The words taken out and put in between two texts, for a template to show (escaped)."""
    old = _TOKENS.findall(before)
    new = _TOKENS.findall(after)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append({"kind": "same", "text": "".join(old[i1:i2])})
            continue
        if op in ("delete", "replace"):
            parts.append({"kind": "removed", "text": "".join(old[i1:i2])})
        if op in ("insert", "replace"):
            parts.append({"kind": "added", "text": "".join(new[j1:j2])})
    return parts
