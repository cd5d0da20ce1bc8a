"""Forms of the accounts pages; every message appears beside its field, in the user's language."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, GreetingForm, Role
from socialdesk.accounts.site_models import SITE_NAME_MAX, Site


def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [(z, z.replace("_", " ")) for z in zones]


def _own_time_zone_choices() -> list[tuple[str, str]]:
    return [("", gettext("As the organisation")), *_time_zone_choices()]


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("E-mail address or password is wrong."),
        "inactive": _("This account has been deactivated."),
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SiteField(forms.ModelChoiceField[Site]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Site.objects.order_by("name"),
            required=False,
            label=_("Site"),
            empty_label=_("No site"),
            **kwargs,
        )


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=SITE_NAME_MAX, strip=True)
    time_zone = forms.ChoiceField(  # a callable: the zones are read when the form is used
        label=_("Time zone"), required=False, choices=_own_time_zone_choices
    )


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("What the department does for the community"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    email = forms.EmailField(label=_("Team e-mail"), required=False)
    feedback_answer_hours = forms.IntegerField(
        label=_("Answers new feedback within (hours)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        initial=48,
        help_text=_("The department's promise to the community team; a reminder follows."),
    )
    issue_tracker_url = forms.URLField(
        label=_("Issue tracker webhook (optional)"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "Feedback handed off is posted here as JSON signed with HMAC-SHA256. A password or "
            "token in the address is shown as •••; leave it so to keep it."
        ),
    )
    site = SiteField()


class DepartmentsField(forms.ModelMultipleChoiceField[Department]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Department.objects.order_by("name"),
            required=False,
            label=_("Departments"),
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    departments = DepartmentsField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not Department.objects.exists():
            self.fields["departments"].help_text = _(
                "There are no departments yet. You can add the person to departments later."
            )


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    departments = DepartmentsField()
    site = SiteField()


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser prefers")), *settings.LANGUAGES],
        required=False,
    )
    time_zone = forms.ChoiceField(  # a callable: the zones are read when the form is used
        label=_("Time zone"), required=False, choices=_own_time_zone_choices
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    two_factor_roles = forms.MultipleChoiceField(
        label=_("Roles that must sign in with two-factor authentication"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    retention_months = forms.IntegerField(
        label=_("Anonymise conversations older than (months)"),
        help_text=_(
            "Empty: keep them. Otherwise the worker replaces the texts of conversations whose "
            "last message is older with “[erased]” and removes the customer; KPIs keep counting."
        ),
        required=False,
        min_value=1,
        max_value=1200,
    )
    greeting_form = forms.ChoiceField(
        label=_("How drafts address customers in German"),
        choices=GreetingForm.choices,
        initial=GreetingForm.SIE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Reply drafts follow it: “Sie hatten uns …” or “du hattest uns …”."),
    )
    greet_by_first_name = forms.BooleanField(
        label=_("Greet customers by first name"),
        required=False,
        help_text=_(
            "“Hallo Lena” instead of “Hallo Lena Kaiser”, in drafts and in {name} of saved "
            "replies; handles stay as they are."
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("Say what will use it, e.g. “reporting script”."),
    )
    expires_at = forms.DateField(
        label=_("Works until"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: the last day it works."),
    )
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        help_text=_("It may read everything your role may see, but change nothing."),
    )


class AuditFilterForm(forms.Form):
    ACTIONS = [
        ("", _("Everything")),
        ("login", _("Sign-ins")),
        ("person", _("People and roles")),
        ("invitation", _("Invitations")),
        ("department", _("Departments")),
        ("settings", _("Settings")),
        ("two_factor", _("Two-factor authentication")),
        ("api_token", _("API tokens")),
    ]

    actor = forms.CharField(label=_("Who"), required=False)
    action = forms.ChoiceField(label=_("What"), required=False, choices=ACTIONS)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end lies before the start."))
        return cleaned
