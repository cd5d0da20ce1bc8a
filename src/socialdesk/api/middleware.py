"""Every error under /api/ is JSON, also those answered before an operation runs."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from socialdesk.api.errors import is_api

# Headers of an error that still matter to the client once the body is JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


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
        try:
            detail = HTTPStatus(response.status_code).phrase
        except ValueError:
            detail = "Error"
        answer = JsonResponse({"detail": detail}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer
