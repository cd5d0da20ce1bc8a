"""A person's own account: profile, password, two-factor login, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from socialdesk.accounts import selectors, services, two_factor
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import acting
from socialdesk.accounts.forms import (
    ApiTokenForm,
    ProfileForm,
    TwoFactorCodeForm,
    TwoFactorDisableForm,
)
from socialdesk.core.http import AppRequest
from socialdesk.core.language import apply_language


@require_http_methods(["GET", "POST"])
def profile(request: AppRequest) -> HttpResponse:
    """Name, language and time zone of the signed-in person."""
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "language": user.language,
            "time_zone": user.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(by=acting(request), user=user, **form.cleaned_data)
        language = user.language or translation.get_language_from_request(request)
        translation.activate(language)
        messages.success(request, _("Your profile has been saved."))
        return apply_language(redirect("accounts:profile"), user.language)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "has_two_factor": two_factor.has_device(user)},
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request: AppRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(
            by=acting(request), user=user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AppRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app; show backup codes once."""
    user = request.user
    device = two_factor.pending_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(
            by=acting(request), user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/two_factor_done.html", {"codes": codes})
        form.add_error(
            "code", _("This code is not valid. Check the time on your phone and try again.")
        )
    required = request.organisation.requires_two_factor(user.role)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_for_typing(device),
            "has_two_factor": two_factor.has_device(user),
            "required": required,
            "backup_codes_left": two_factor.backup_codes_left(user),
            "disable_form": TwoFactorDisableForm(),
        },
    )


@sensitive_post_parameters("password")
@require_POST
def two_factor_disable(request: AppRequest) -> HttpResponse:
    user = request.user
    if request.organisation.requires_two_factor(user.role):
        messages.error(
            request, _("Your role requires two-factor authentication; it cannot be turned off.")
        )
        return redirect("accounts:two_factor")
    form = TwoFactorDisableForm(request.POST)
    if form.is_valid() and user.check_password(form.cleaned_data["password"]):
        two_factor.disable(by=acting(request), user=user)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:profile")
    messages.error(request, _("The password is wrong; two-factor authentication stays on."))
    return redirect("accounts:two_factor")


@require_http_methods(["GET", "POST"])
def tokens(request: AppRequest) -> HttpResponse:
    """List, create and revoke the person's own API tokens."""
    user = request.user
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            day = form.cleaned_data["expires_at"]
            _token, new_key = api_tokens.api_token_create(
                by=acting(request),
                user=user,
                name=form.cleaned_data["name"],
                expires_at=api_tokens.api_token_end_of(day) if day else None,
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.api_tokens_of(user), "new_key": new_key},
    )


@require_POST
def token_revoke(request: AppRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_for_user(request.user, pk)
    api_tokens.api_token_revoke(by=acting(request), token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
