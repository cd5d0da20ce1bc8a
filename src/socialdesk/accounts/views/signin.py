"""Signing in (with an optional second factor), out, password reset, invitations."""

from __future__ import annotations

import time

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from socialdesk.accounts import services, two_factor
from socialdesk.accounts.audit import client_ip
from socialdesk.accounts.forms import AcceptInvitationForm, LoginForm, TwoFactorCodeForm
from socialdesk.accounts.models import User

PENDING_KEY = "socialdesk_pending_login"
PENDING_FOR_SECONDS = 300
MAX_CODE_ATTEMPTS = 5


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """Answer a sign-in the throttle refused (Axes' lock-out callable), in the reader's language."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "cooloff_timedelta": get_cool_off(request),
            "network": getattr(request, "sign_in_throttled_network", False),
        },
        status=429,
    )


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    # Only a path on this site: anything else would be read as a view name by redirect().
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Check e-mail and password; ask for a code next when the person uses two factors."""
    if request.user.is_authenticated:
        return redirect(_next_url(request, request.GET.get("next")))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: User = form.get_user()
        next_url = _next_url(request, request.POST.get("next"))
        if two_factor.has_device(user):
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "since": time.time(),
                "next": next_url,
                "attempts": 0,
                "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
            }
            return redirect("accounts:login_two_factor")
        login(request, user)
        return redirect(next_url)
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the authenticator app or a backup code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_FOR_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            user.backend = pending["backend"]
            login(request, user)
            otp_login(request, device)
            return redirect(pending["next"])
        pending["attempts"] += 1
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.email},
            request=request,
            reason="wrong two-factor code",
        )
        if pending["attempts"] >= MAX_CODE_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("accounts:login")
        request.session[PENDING_KEY] = pending
        form.add_error(
            "code", _("This code is not valid. Check the time on your phone and try again.")
        )
    return render(request, "accounts/login_two_factor.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Let an invited person choose name and password, then sign them in."""
    invitation = services.invitation_by_token(token)
    if invitation is None or not invitation.is_pending:
        state = invitation.state if invitation is not None else "unknown"
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"state": state},
            status=410 if invitation else 404,
        )
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to socialdesk, %(name)s.") % {"name": user.get_short_name()}
            )
            return redirect("shell:home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
