"""Template helpers of the shell."""

from __future__ import annotations

from typing import Any

from django import template

from socialdesk import access
from socialdesk.accounts.models import ROLE_DESCRIPTIONS, Role
from socialdesk.core import erasure
from socialdesk.core.durations import human_duration

register = template.Library()


@register.filter(name="translate_marks")
def translate_marks(value: Any) -> str:
    """Show the marks of erased personal data in the reader's language."""
    return erasure.translate_marks(str(value or ""))


@register.filter
def may(user: Any, url_name: str) -> bool:
    """Return whether the user may open the page: `{% if request.user|may:"accounts:invite" %}`."""
    return access.user_may(user, url_name)


@register.filter
def duration(value: Any) -> str:
    """Seconds or a timedelta as people read them: `{{ value|duration }}` → "2 Std. 14 Min."."""
    if value is None or value == "":
        return "–"
    try:
        return human_duration(value if hasattr(value, "total_seconds") else float(value))
    except (TypeError, ValueError):
        return "–"


@register.filter
def minutes(value: Any) -> int:
    """Return a timedelta as whole minutes (at least 1)."""
    try:
        return max(1, round(float(value.total_seconds()) / 60))
    except AttributeError:
        return 1


@register.simple_tag
def role_descriptions() -> list[tuple[str, str]]:
    """Return (role, what it may do) for the role help beside role choices."""
    return [(str(Role(role).label), str(text)) for role, text in ROLE_DESCRIPTIONS.items()]
