"""How the API answers when something is wrong: always JSON with a message, never HTML."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError

from socialdesk.api.messages import input_errors

logger = logging.getLogger("socialdesk.api")

UNEXPECTED = _lazy("Something went wrong on our side. It has been logged.")
NOT_STORABLE = _lazy(
    "A value in this request cannot be stored: a number out of range, a text too long, "
    "or a NUL character."
)
TOO_LARGE = _lazy("The request body is too large.")
NOT_FOUND = _lazy("There is no such address in the API.")
UNAUTHORIZED = _lazy("Send a valid API token as “Authorization: Bearer …”.")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest) -> HttpResponse:
    """The 404 of an address under /api/ that no operation answers (Django's URL routing)."""
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every error of the API's operations as JSON with a ``detail``."""

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        if hasattr(error, "error_dict"):
            detail = [
                {"loc": ["body", field], "msg": " ".join(str(m) for m in messages)}
                for field, messages in error.message_dict.items()
            ]
        else:
            detail = [{"loc": ["body"], "msg": " ".join(error.messages)}]
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(InputError)
    def input_error(request: HttpRequest, error: InputError) -> HttpResponse:
        # `detail` as django-ninja gives it; `errors` per field in the caller's language.
        body = {"detail": error.errors, "errors": input_errors(error.errors)}
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": str(UNAUTHORIZED)}, status=401)

    @api.exception_handler(Http404)
    def nothing_here(request: HttpRequest, error: Http404) -> HttpResponse:
        # The same answer whether the object does not exist or the caller may not see it.
        return api.create_response(
            request, {"detail": _("There is nothing with this id that you may see.")}, status=404
        )

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(error) or _("Your role may not do this.")}, status=403
        )

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def not_storable(request: HttpRequest, error: Exception) -> HttpResponse:
        # The input types catch these first; this is the net for a value they do not know.
        logger.warning("API %s %s: %s", request.method, request.path, error)
        return api.create_response(request, {"detail": str(NOT_STORABLE)}, status=422)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        return api.create_response(request, {"detail": str(TOO_LARGE)}, status=413)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("API %s %s failed", request.method, request.path)
        return api.create_response(request, {"detail": str(UNEXPECTED)}, status=500)
