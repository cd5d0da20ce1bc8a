"""Audit every sign-in, sign-out and failed sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from socialdesk.accounts.audit import Acting, client_ip, record
from socialdesk.accounts.models import User, sign_in_address


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    ip = client_ip(request) if request is not None else None
    record(Acting(user=user, ip=ip), "login.succeeded", user)


@receiver(user_logged_out)
def audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:
        return
    ip = client_ip(request) if request is not None else None
    record(Acting(user=user, ip=ip), "login.signed_out", user)


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempted = str(credentials.get("username") or credentials.get("email") or "")[:254]
    ip = client_ip(request) if request is not None else None
    address = sign_in_address(attempted)
    user = User.objects.filter(email__iexact=address).first() if address else None
    record(
        Acting(user=None, ip=ip, label=attempted or "unknown"),
        "login.failed",
        user,
        object_repr=attempted,
        after={"reason": kwargs.get("reason", "wrong e-mail address or password"), **credentials},
    )
