"""Request middleware of the shell: preferences, the two-factor policy, the access table."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from socialdesk import access
from socialdesk.accounts.models import Organisation
from socialdesk.core.http import FOR_MACHINES, SiteRequest

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]


class UserPreferencesMiddleware:
    """Activate the signed-in person's language and time zone (else the organisation's).

    The organisation is read when something asks for it: the time zone of a person who chose
    none, the two-factor policy. A view for machines (`core.http.for_machines`: webhook
    deliveries) shows no dates, so no time zone is read for it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: SiteRequest) -> HttpResponse:
        user = request.user
        request.organisation = cast(Organisation, SimpleLazyObject(Organisation.current))
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        timezone.deactivate()
        return response

    def process_view(
        self, request: SiteRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if getattr(view, FOR_MACHINES, False):
            return
        user = request.user
        zone_name = (user.time_zone if user.is_authenticated else "") or (
            request.organisation.time_zone
        )
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()


# Pages a person who still has to set up two-factor login may open.
_TWO_FACTOR_SETUP_PAGES = {
    "accounts:two_factor",
    "accounts:logout",
    "shell:set_language",
    "shell:healthz",
    "shell:metrics",
}


class TwoFactorPolicyMiddleware:
    """Send people whose role requires two-factor login to set it up before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: SiteRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        organisation = request.organisation
        if not organisation.requires_two_factor(user.role):
            return None
        match = request.resolver_match
        if match is None or match.view_name in _TWO_FACTOR_SETUP_PAGES:
            return None
        if match.view_name.startswith("api:") and match.view_name not in access.PAGES:
            return None  # API calls authenticate with tokens, not sessions
        return redirect("accounts:two_factor")


class AccessMiddleware:
    """Allow or deny every page by the table in `socialdesk.access`."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        name = match.view_name
        if name.startswith("api:") and name not in access.PAGES:
            return None  # API operations: checked per operation by api.auth against access.API
        if name not in access.PAGES:
            logger.error("Page %s is missing from socialdesk.access.PAGES; denied", name)
            raise PermissionDenied(f"page {name} is missing from the access table")
        user = request.user
        role = user.role if user.is_authenticated else None
        if access.page_allows(name, role):
            return None
        if role is None:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(f"role {role} may not open {name}")


# Views that check a signature over the body as it came; parsing it as a form would end that.
# Views that read the body themselves: the webhook checks its signature over the raw bytes; a room
# post stops an upload over the size limit while it arrives (spaces/uploads.py), and its services
# refuse NUL characters in the text.
READS_RAW_BODY = {"channels:webhook", "spaces:room_post_new"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def _without_nul(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    return cleaned


class NulFreeInputMiddleware:
    """Remove NUL characters from the query string and form posts of every page.

    No text a person means holds a NUL, and PostgreSQL cannot store or even compare one: a
    search for ``%00`` would fail the page. Forms reject NUL by themselves; this covers the
    filters and fields views read directly. The API (which answers 422 naming the field) and
    views that read the raw body (signed webhooks) get the request as it came.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.namespace == "api" or match.view_name in READS_RAW_BODY:
            return None
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)  # type: ignore[assignment]
        is_form = request.method == "POST" and request.content_type in FORM_TYPES
        if is_form and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)  # type: ignore[assignment]
        return None
