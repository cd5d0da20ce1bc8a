"""API authentication: personal bearer tokens, checked against the access table."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from socialdesk import access
from socialdesk.accounts.audit import Acting, client_ip
from socialdesk.accounts.models import User
from socialdesk.accounts.tokens import api_token_authenticate
from socialdesk.api.errors import UNAUTHORIZED
from socialdesk.core.http import ApiRequest

READING = frozenset({"GET", "HEAD", "OPTIONS"})


class RoleTokenAuth(HttpBearer):
    """Accept `Authorization: Bearer <token>` and allow the operation by `access.API`; a
    read-only token only reads."""

    def __init__(self, operation: str) -> None:
        super().__init__()
        self.operation = operation

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token_authenticate(token)
        if found is None:
            return None
        user = found.user
        if user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # The language a request asks for wins; else the person's own, as on the pages.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if found.read_only and request.method not in READING:
            raise HttpError(403, _("This token may only read."))
        if not access.api_allows(self.operation, user.role):
            raise HttpError(403, _("Your role may not do this."))
        request.user = user
        request.api_token_name = found.name  # type: ignore[attr-defined,unused-ignore]
        return user


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the docs page: for a signed-in person, or with a live token (a client
    generator fetching `openapi.json`); else the page sends to sign-in and the schema answers
    401 in JSON."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and key:
            if api_token_authenticate(key.strip()) is None:
                return JsonResponse({"detail": str(UNAUTHORIZED)}, status=401)
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": str(UNAUTHORIZED)}, status=401)
        return redirect_to_login(request.get_full_path())

    return guarded


def allow(operation: str) -> dict[str, Any]:
    """Return the keyword arguments that tie an endpoint to its row in the access table."""
    return {"auth": RoleTokenAuth(operation), "operation_id": operation, "url_name": operation}


def acting(request: ApiRequest) -> Acting:
    """Who acts through this request: the token's person, audited with the token's name."""
    return Acting(
        user=request.auth, ip=client_ip(request), token=getattr(request, "api_token_name", "")
    )
