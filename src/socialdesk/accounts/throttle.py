"""Login throttling on top of django-axes: per address as sign-in reads it, and per network.

Axes locks an (address, network) pair after ``LOGIN_FAILURE_LIMIT`` failures. The address is
the one sign-in looks up (``sign_in_address``), so spelling it in capitals or with spaces counts
toward the same lock-out. On top, a network (one IP address) with ``LOGIN_NETWORK_FAILURE_LIMIT``
failures across any addresses in the lock-out window may only sign in to accounts that signed in
from it before: a guesser trying many addresses is stopped, while colleagues behind the same
office address keep working.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from socialdesk.accounts.models import sign_in_address

# How long a successful sign-in from a network vouches for the account on that network.
KNOWN_NETWORK_DAYS = 90


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """Return the address Axes counts a failure against: the one sign-in looks up."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    elif request is not None:
        raw = getattr(request, "data", request.POST).get(field)
    else:
        raw = None
    return sign_in_address(raw) or None


def network_failures(ip_address: str | None, since: Any) -> int:
    """Return how many sign-ins failed from one network since the given moment."""
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


def signed_in_from(username: str | None, ip_address: str | None) -> bool:
    """Return whether the account signed in successfully from this network recently."""
    if not username or not ip_address:
        return False
    since = timezone.now() - timedelta(days=KNOWN_NETWORK_DAYS)
    return bool(
        AccessLog.objects.filter(
            username=username, ip_address=ip_address, attempt_time__gte=since
        ).exists()
    )


def network_throttled(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """Return whether this network failed too often to try accounts it has not used before."""
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if network_failures(ip_address, get_cool_off_threshold(request)) < (
        settings.LOGIN_NETWORK_FAILURE_LIMIT
    ):
        return False
    return not signed_in_from(get_client_username(request, credentials), ip_address)


class SignInThrottle(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with the per-network rule added to its lock-out."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if network_throttled(request, credentials):
            # Axes' middleware answers with the lock-out page when this flag is set.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.sign_in_throttled_network = True  # type: ignore[attr-defined]
            return True
        return False
