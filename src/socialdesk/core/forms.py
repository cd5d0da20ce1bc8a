"""Small helpers for forms and validation errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(error: ValidationError) -> str:
    """Return the messages of a validation error as one sentence for a flash message."""
    return " ".join(str(message) for message in error.messages)
