"""The strategy as people read it: its Markdown as safe HTML (`goals.markdown`, the one
renderer the guidelines use too) and the word diff between two versions."""

from __future__ import annotations

import difflib
import re
from typing import TypedDict

from socialdesk.goals.markdown import render as render_markdown

__all__ = ["DiffPart", "render_markdown", "word_diff"]


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
