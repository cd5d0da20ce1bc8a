"""Small helpers for forms and validation errors, and the form fields for ids and numbers.

`IdField`, `ObjectField` and `WholeNumberField` read a posted value the one safe way of
`core.params`: a value that names nothing is none (or the default), never a crash; whether none
is an error is the form's decision (`required`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from socialdesk.core.params import MAX_INT, id_param, int_param


def error_text(error: ValidationError) -> str:
    """Return the messages of a validation error as one sentence for a flash message."""
    return " ".join(str(message) for message in error.messages)


def form_error_text(form: forms.BaseForm) -> str:
    """Return every error of a form, fields first, as one sentence for a flash message."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class IdField(forms.Field):
    """A database id (`core.params.id_param`); optional unless `required=True`."""

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(required=required, **kwargs)

    def to_python(self, value: Any) -> int | None:
        return id_param(value)


class ObjectField(forms.Field):
    """The object of `queryset` a posted id names, or None; optional unless `required=True`."""

    def __init__(self, queryset: QuerySet[Any], *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(required=required, **kwargs)
        self.queryset = queryset

    def to_python(self, value: Any) -> Model | None:
        pk = id_param(value)
        return self.queryset.filter(pk=pk).first() if pk is not None else None


class WholeNumberField(forms.Field):
    """A whole number (`core.params.int_param`): the default when none or out of range."""

    def __init__(
        self, *, default: int, minimum: int = 0, maximum: int = MAX_INT, **kwargs: Any
    ) -> None:
        super().__init__(required=False, **kwargs)
        self.default, self.minimum, self.maximum = default, minimum, maximum

    def to_python(self, value: Any) -> int:
        return int_param(value, default=self.default, minimum=self.minimum, maximum=self.maximum)


class FlagField(forms.Field):
    """True when the posted value is exactly `on` (a hidden "yes" or "1"), else False."""

    def __init__(self, *, on: str, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.on = on

    def to_python(self, value: Any) -> bool:
        return bool(value == self.on)
