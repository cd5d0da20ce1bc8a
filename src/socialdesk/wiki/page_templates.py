"""The texts a new page can start from (FAQ answer, meeting notes, playbook), German and English.

The texts live in `templates/wiki/page_templates/<name>.<language>.md` (shipped with the
templates), apart from the code.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import get_language

FOLDER = Path(__file__).parent / "templates" / "wiki" / "page_templates"
NAMES = ("faq", "meeting", "playbook")


def template_text(name: str, language: str | None = None) -> str:
    if name not in NAMES:
        return ""
    code = (language or get_language() or "de")[:2]
    path = FOLDER / f"{name}.{'en' if code == 'en' else 'de'}.md"
    return path.read_text(encoding="utf-8")
