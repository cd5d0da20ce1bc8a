"""The language cookie: remembered for a visitor, cleared to follow the browser again."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import check_for_language


def apply_language(response: HttpResponse, language: str) -> HttpResponse:
    """Remember the chosen language in the cookie; an empty choice follows the browser."""
    if language and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
