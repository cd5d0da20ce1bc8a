"""Every error under /api/ is JSON, also those answered before an operation runs."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from socialdesk.api.errors import NOT_FOUND, TOO_LARGE, UNAUTHORIZED, is_api

# Headers of an error that still matter to the client once the body is JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    """The error in the caller's language (Django's own answers carry no JSON message)."""
    status = response.status_code
    known = {
        400: _("The request could not be read."),
        401: str(UNAUTHORIZED),
        403: _("This request is not allowed."),
        404: str(NOT_FOUND),
        405: _("%(method)s is not allowed at this address.") % {"method": request.method},
        413: str(TOO_LARGE),
        429: _("Too many requests. Please wait a moment."),
    }
    if status in known:
        return known[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _("Error")


class JsonErrorsMiddleware:
    """Turn a non-JSON error answer under /api/ (405 from routing, 403 from CSRF, …) into
    `{"detail": …}` with the same status, so a client never has to parse an HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not is_api(request)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = JsonResponse({"detail": _detail(request, response)}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer
