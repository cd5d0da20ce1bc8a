"""Forms of the report pages: the period picker, the share link and the e-mail schedule. They
read what was sent; the services judge it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.goals.kpis import Period
from socialdesk.goals.report_models import (
    ADDRESS_LIMIT,
    MAX_RECIPIENTS,
    NAME_LIMIT,
    SHARE_DEFAULT_DAYS,
    SHARE_MAX_DAYS,
    Frequency,
)
from socialdesk.goals.report_services import Recipient, check_period, scheduled_period


class _ShowsErrors(forms.Form):
    def show_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class PeriodForm(_ShowsErrors):
    PRESETS = [
        ("week", _("Weekly (last week, Monday to Sunday)")),
        ("month", _("Monthly (last calendar month)")),
        ("custom", _("From – to")),
    ]
    preset = forms.ChoiceField(choices=PRESETS, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )

    def period(self, today: date) -> Period | None:
        """The chosen period (None with the errors on the form)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        preset = data.get("preset") or ("custom" if data.get("since") else "week")
        if preset in ("week", "month"):  # as the e-mailed reports: whole weeks and months
            return scheduled_period("weekly" if preset == "week" else "monthly", today)
        since, until = data.get("since"), data.get("until")
        if since is None or until is None:
            self.add_error("since" if since is None else "until", _("Give both days."))
            return None
        try:
            return check_period(since, until)
        except ValidationError as error:
            self.show_errors(error)
            return None


class ShareForm(_ShowsErrors):
    since = forms.DateField(
        label=_("From"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    days = forms.IntegerField(
        label=_("Link works for (days)"),
        min_value=1,
        max_value=SHARE_MAX_DAYS,
        initial=SHARE_DEFAULT_DAYS,
    )


class ScheduleForm(_ShowsErrors):
    name = forms.CharField(label=_("Name"), max_length=NAME_LIMIT)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    send_at = forms.TimeField(
        label=_("Time of day"),
        help_text=_("In the organisation's time zone."),
        widget=forms.TimeInput({"type": "time"}),
    )
    attach_pdf = forms.BooleanField(label=_("Attach PDF"), required=False, initial=True)
    attach_xlsx = forms.BooleanField(label=_("Attach XLSX"), required=False)
    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each person gets what they may see in socialdesk, in their language."),
    )
    addresses = forms.CharField(
        label=_("Other e-mail addresses"),
        required=False,
        max_length=MAX_RECIPIENTS * 270,
        widget=forms.Textarea({"rows": 4}),
        help_text=_(
            "One per line, with the language after a space, e.g. “chef@example.com de”. "
            "Addresses get the report of the whole organisation."
        ),
    )

    def clean_addresses(self) -> list[tuple[str, str]]:
        text: str = self.cleaned_data.get("addresses") or ""
        languages = {code for code, _name in settings.LANGUAGES}
        found = []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_RECIPIENTS:
            raise ValidationError(_("At most %(n)s recipients per report.") % {"n": MAX_RECIPIENTS})
        for line in lines:
            parts = line.split()
            address = parts[0]
            language = parts[1].lower() if len(parts) > 1 else ""
            try:
                if len(address) > ADDRESS_LIMIT:
                    raise ValidationError("too long")
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": address[:100]}
                ) from None
            if language not in languages or len(parts) > 2:
                raise ValidationError(
                    _("Give the language after “%(address)s”: de or en.") % {"address": address}
                )
            found.append((address, language))
        return found

    def recipients(self) -> list[Recipient]:
        data = self.cleaned_data
        return [Recipient(user=u) for u in data["people"]] + [
            Recipient(email=a, language=lang) for a, lang in data["addresses"]
        ]

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "frequency": data["frequency"],
            "send_at": data["send_at"],
            "attach_pdf": data["attach_pdf"],
            "attach_xlsx": data["attach_xlsx"],
            "recipients": self.recipients(),
        }
