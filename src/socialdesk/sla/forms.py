"""Forms for business hours and SLA policies, with errors that say which line is wrong."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from holidays.countries.germany import Germany

from socialdesk.accounts.forms import _time_zone_choices
from socialdesk.core.formatting import german_state_name
from socialdesk.sla.models import BusinessHours, SlaPolicy

DAY_NAMES = {
    "mo": 0, "mon": 0, "tu": 1, "tue": 1, "di": 1, "we": 2, "wed": 2, "mi": 2, "th": 3, "thu": 3,
    "do": 3, "fr": 4, "fri": 4, "sa": 5, "sat": 5, "su": 6, "sun": 6, "so": 6,
}  # fmt: skip
_LINE = re.compile(r"^\s*(\w+)(?:\s*-\s*(\w+))?\s+(.+)$")
_BLOCK = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """Parse lines like `Mo-Fr 09:00-12:00, 13:00-17:00`; raise ValidationError naming the line."""
    hours: dict[str, list[list[str]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        first = DAY_NAMES.get(match.group(1).lower()) if match else None
        last = DAY_NAMES.get((match.group(2) or match.group(1)).lower()) if match else None
        if match is None or first is None or last is None:
            raise forms.ValidationError(
                _("Line %(n)s: start with a weekday such as Mo or Mo-Fr, then the hours.")
                % {"n": number}
            )
        blocks = []
        for part in match.group(3).split(","):
            block = _BLOCK.match(part)
            if block is None:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(part)s” is not a time span such as 09:00-17:00.")
                    % {"n": number, "part": part.strip()}
                )
            blocks.append([block.group(1).zfill(5), block.group(2).zfill(5)])
        for day in range(first, last + 1):
            hours.setdefault(str(day), []).extend(blocks)
    if not hours:
        raise forms.ValidationError(_("Give at least one line of opening hours."))
    return hours


def german_state_choices() -> list[tuple[str, str]]:
    """Every subdivision of the holidays library, named, sorted by name in this language."""
    return sorted(
        ((code, german_state_name(code)) for code in Germany.subdivisions),
        key=lambda choice: choice[1],
    )


def format_hours(hours: dict[str, list[list[str]]]) -> str:
    """Write opening hours back as the form reads them, in the reader's day names.

    Days that follow each other with the same hours become one range: "Mo-Fr 09:00-17:00".
    """
    german = (translation.get_language() or "").startswith("de")
    names = (
        ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
        if german
        else ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    )
    runs: list[tuple[int, int, str]] = []
    for day in range(7):
        blocks = hours.get(str(day)) or []
        if not blocks:
            continue
        text = ", ".join(f"{a}-{b}" for a, b in blocks)
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
    return "\n".join(
        (f"{names[first]}-{names[last]} " if last > first else f"{names[first]} ") + text
        for first, last, text in runs
    )


class BusinessHoursForm(forms.ModelForm[BusinessHours]):
    hours_text = forms.CharField(
        label=_("Opening hours"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="Mo-Fr 09:00-17:00",
        help_text=_("One line per day or range of days, e.g. “Mo-Fr 09:00-12:00, 13:00-17:00”."),
    )
    closed_text = forms.CharField(
        label=_("Other closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One date per line (YYYY-MM-DD), e.g. a company holiday."),
    )

    class Meta:
        model = BusinessHours
        fields = ["name", "time_zone", "german_state"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=_time_zone_choices(),
            initial=self.instance.time_zone or "Europe/Berlin",
        )
        self.fields["german_state"] = forms.ChoiceField(
            label=_("German federal state for public holidays"),
            required=False,
            choices=[("", _("nationwide holidays only")), *german_state_choices()],
        )
        if self.instance.pk:
            self.fields["hours_text"].initial = format_hours(self.instance.weekly_hours)
            self.fields["closed_text"].initial = "\n".join(self.instance.closed_days or [])

    def clean_hours_text(self) -> dict[str, list[list[str]]]:
        return parse_hours(self.cleaned_data["hours_text"])

    def clean_closed_text(self) -> list[str]:
        days = []
        for number, line in enumerate(self.cleaned_data["closed_text"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                days.append(date.fromisoformat(line.strip()).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(value)s” is not a date such as 2026-12-24.")
                    % {"n": number, "value": line.strip()}
                ) from None
        return days

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "hours_text" in cleaned:
            self.instance.weekly_hours = cleaned["hours_text"]
        if "closed_text" in cleaned:
            self.instance.closed_days = cleaned["closed_text"]
        return cleaned


class SlaPolicyForm(forms.ModelForm[SlaPolicy]):
    class Meta:
        model = SlaPolicy
        fields = [
            "name", "is_active", "priority", "first_response_minutes", "next_response_minutes",
            "resolution_minutes", "business_hours", "warn_before_minutes", "channel_accounts",
            "departments", "tags",
        ]  # fmt: skip
        labels = {
            "business_hours": _("Business hours"),
            "channel_accounts": _("Channel accounts"),
            "departments": _("Departments"),
            "tags": _("Tags"),
        }
        widgets = {
            "channel_accounts": forms.CheckboxSelectMultiple,
            "departments": forms.CheckboxSelectMultiple,
            "tags": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "channel_accounts": _("Empty: every account."),
            "departments": _("Empty: every department, and none."),
            "tags": _("Empty: with or without tags."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.fields["business_hours"]
        assert isinstance(hours, forms.ModelChoiceField)
        hours.empty_label = str(_("none: the clock runs around the clock"))
