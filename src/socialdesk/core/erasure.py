"""The mark that stands where personal data was erased (privacy services write it).

Stored in one language-neutral form so code can find it; people read it in their own
language through the `translate_marks` template filter.
"""

from __future__ import annotations

from django.utils.translation import gettext

ERASED = "[erased]"


def translate_marks(text: str) -> str:
    """Return the text with every erasure mark in the reader's language."""
    if ERASED not in text:
        return text
    return text.replace(ERASED, gettext("[erased]"))
