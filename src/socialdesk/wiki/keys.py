"""How titles compare and how they become file and address names (pure functions)."""

from __future__ import annotations

import re
import unicodedata

from .page_models import SLUG_MAX

_SPACES = re.compile(r"\s+")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def title_key(title: str) -> str:
    """The title as compared: one form per letter, case folded, single spaces
    ("Rückerstattung  bei ZUGAUSFALL" == "rückerstattung bei zugausfall")."""
    text = unicodedata.normalize("NFKC", title.replace("\x00", ""))
    return _SPACES.sub(" ", text).strip().casefold()


def slugify(title: str, *, fallback: str = "seite") -> str:
    """ASCII letters, digits and hyphens only, never empty, never `..`, at most 80 characters."""
    text = title.lower().translate(_GERMAN)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_text).strip("-")[:SLUG_MAX].strip("-")
    return slug or fallback


def clean_title(title: str) -> str:
    """Control characters out, spaces folded: what is stored as the title."""
    text = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C" or ch == " ")
    return _SPACES.sub(" ", text).strip()
