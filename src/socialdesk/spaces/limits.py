"""Checks on what people type into rooms: clear messages, nothing cut off silently."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def checked_text(text: str, *, field: str, limit: int, required: bool = False) -> str:
    """The text with Windows line ends made plain; refused with NUL, over the limit or (when
    `required`) empty: "Der Text ist 25.000 Zeichen lang; erlaubt sind 20.000."."""
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError({field: _("This text contains a NUL character.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("The text is %(count)s characters long; %(limit)s are allowed.")
                % {"count": _n(len(text)), "limit": _n(limit)}
            }
        )
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    return text
