"""The words taken out and put in between two texts, and long unchanged stretches folded away.

Moved from `goals.strategy_render` (issue 14) so the wiki's versions use the same diff as the
strategy's. Parts are plain text: templates escape them.
"""

from __future__ import annotations

import difflib
import re
from typing import TypedDict

from django.utils.translation import ngettext


class DiffPart(TypedDict):
    kind: str  # "same", "added", "removed"; "folded" (by `collapse`): a note, not the text
    text: str


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n\s*)")


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


def collapse(parts: list[DiffPart], context: int = 2) -> list[DiffPart]:
    """Fold unchanged paragraphs further than `context` paragraphs from a change into one note
    ("… 12 unveränderte Absätze …"), so a long page shows its changes, not its whole text."""
    folded: list[DiffPart] = []
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if part["kind"] != "same":
            folded.append(part)
            continue
        pieces = _PARAGRAPH_BREAK.split(part["text"])  # paragraph, break, paragraph, …
        paragraphs = [i for i in range(0, len(pieces), 2) if pieces[i].strip()]
        count = len(paragraphs)
        head = context if index > 0 else 0
        tail = context if index < last else 0
        hidden = count - head - tail
        if hidden < 1:
            folded.append(part)
            continue
        before = "".join(pieces[: paragraphs[head - 1] + 2]) if head else ""
        after = "".join(pieces[paragraphs[count - tail] - 1 :]) if tail else ""
        if before:
            folded.append({"kind": "same", "text": before})
        note = ngettext(
            "… %(count)s unchanged paragraph …", "… %(count)s unchanged paragraphs …", hidden
        ) % {"count": hidden}
        folded.append({"kind": "folded", "text": note})
        if after:
            folded.append({"kind": "same", "text": after})
    return folded
