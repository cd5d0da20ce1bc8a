"""Rate limits of the API: so many requests a minute per token (per address without one),
told on every answer with `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
(seconds to the next minute); beyond it 429 with `Retry-After`, in JSON.

Counted per web process in its own memory (a fixed window of a minute): no write to the
database per request. Several web processes each allow as many."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from threading import Lock

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import client_ip
from socialdesk.api.errors import is_api

WINDOW = 60


class Counter:
    """Requests per caller in the current minute (older minutes are dropped)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.window = -1
        self.counts: dict[str, int] = {}
        self.lock = Lock()

    def count(self, caller: str) -> tuple[int, int]:
        """This request's number in the minute, and the seconds until the next minute."""
        now = self.clock()
        window = int(now // WINDOW)
        with self.lock:
            if window != self.window:
                self.window, self.counts = window, {}
            self.counts[caller] = self.counts.get(caller, 0) + 1
            return self.counts[caller], max(1, int((window + 1) * WINDOW - now + 0.999))


COUNTER = Counter()


def _caller(request: HttpRequest) -> tuple[str, int]:
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        digest = hashlib.sha256(key.strip().encode()).hexdigest()[:32]
        return f"token:{digest}", settings.API_RATE_PER_MINUTE
    return f"address:{client_ip(request)}", settings.API_RATE_ANONYMOUS_PER_MINUTE


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        caller, limit = _caller(request)
        number, reset = COUNTER.count(caller)
        if number > limit:  # answered before the locale middleware: its language here
            with translation.override(translation.get_language_from_request(request)):
                detail = _("Too many requests. Please wait a moment.")
            response: HttpResponse = JsonResponse({"detail": detail}, status=429)
            response["Retry-After"] = str(reset)
        else:
            response = self.get_response(request)
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(max(0, limit - number))
        response["RateLimit-Reset"] = str(reset)
        return response
