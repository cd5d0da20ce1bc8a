"""API authentication: personal bearer tokens, checked against the access table."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
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
        if not access.api_allows(self.operation, user.role):
            raise HttpError(403, "Your role may not do this.")
        request.user = user
        return user


def allow(operation: str) -> dict[str, Any]:
    """Return the keyword arguments that tie an endpoint to its row in the access table."""
    return {"auth": RoleTokenAuth(operation), "operation_id": operation, "url_name": operation}
