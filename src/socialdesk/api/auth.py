"""API authentication: personal bearer tokens, checked against the access table."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from socialdesk import access
from socialdesk.accounts.models import User
from socialdesk.accounts.services import api_token_authenticate


class RoleTokenAuth(HttpBearer):
    """Accept `Authorization: Bearer <token>` and allow the operation by `access.API`."""

    def __init__(self, operation: str) -> None:
        super().__init__()
        self.operation = operation

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is None:
            return None
        if user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # The language a request asks for wins; else the person's own, as on the pages.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if not access.api_allows(self.operation, user.role):
            raise HttpError(403, _("Your role may not do this."))
        request.user = user
        return user


def allow(operation: str) -> dict[str, Any]:
    """Return the keyword arguments that tie an endpoint to its row in the access table."""
    return {"auth": RoleTokenAuth(operation), "operation_id": operation, "url_name": operation}
