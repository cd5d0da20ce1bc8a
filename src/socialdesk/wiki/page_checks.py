"""What a page's title and text must be, with messages at the field (the text is kept)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext

from .keys import clean_title
from .models import BODY_MAX, TITLE_MAX, WikiPage, WikiRevision

MAX_DEPTH = 10


def too_long(limit: int, count: int) -> str:
    return gettext("Please shorten to %(limit)s characters (now %(count)s).") % {
        "limit": number_format(limit, force_grouping=True),
        "count": number_format(count, force_grouping=True),
    }


def checked(title: str, body: str) -> tuple[str, str]:
    """The title and text as stored, or a ValidationError naming the fields."""
    errors: dict[str, list[str]] = {}
    title = clean_title(title)
    body = body.replace("\x00", "").replace("\r\n", "\n")
    if not title:
        errors["title"] = [gettext("Please give the page a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [too_long(TITLE_MAX, len(title))]
    if len(body) > BODY_MAX:
        errors["body"] = [too_long(BODY_MAX, len(body))]
    if errors:
        raise ValidationError(errors)
    return title, body


def duplicate_title() -> ValidationError:
    return ValidationError(
        {"title": [gettext("A page with this title already exists in this space.")]}
    )


@dataclass
class EditConflict(Exception):
    """Someone saved the page since `base_revision`: nothing was overwritten.

    `current` is the page as it is now; `base` the revision the writer started from (None when
    it no longer exists); `title`/`body` what the writer tried to save.
    """

    current: WikiPage
    base: WikiRevision | None
    base_revision: int
    title: str
    body: str

    def __str__(self) -> str:
        return f"page {self.current.pk}: base {self.base_revision}, now {self.current.revision}"
