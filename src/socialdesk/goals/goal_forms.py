"""The goal form: it reads what was posted the way people write it (a share as "95", a
duration as "24h" or "90 min") and hands the service its units; `goal_services.check` judges
the goal and its errors are shown at the field they name."""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.durations import human_duration
from socialdesk.goals import strategy_selectors
from socialdesk.goals.goal_models import Comparison
from socialdesk.goals.kpis import Kpi, Unit
from socialdesk.goals.strategy_models import Objective
from socialdesk.inbox.models import Tag
from socialdesk.publishing.idea_forms import DATE, ServiceErrors
from socialdesk.sla.kpi import parse_duration
from socialdesk.sla.models import BusinessHours

TEXT_LIMIT = 100  # what a target or a parameter can sensibly be
CHOICE_LABELS = {
    "negative": _("negative"),
    "neutral": _("neutral"),
    "positive": _("positive"),
}
PARAM_LABELS = {
    "within": _("Answered within"),
    "sentiment": _("Sentiment"),
    "age": _("Measured after"),
    "monitor": _("Monitor"),
}
# People's words for time units, in both languages, onto parse_duration's letters.
_UNITS = [
    (r"(tage?n?|days?)\b", "d"),
    (r"(stunden?|std|hours?|hrs?)(?![a-z])", "h"),
    (r"(minuten?|minutes?|mins?)(?![a-z])", "m"),
    (r"(sekunden?|sek|seconds?|secs?)(?![a-z])", "s"),
]


def parse_number(text: str) -> float:
    """A number as people type it: "95", "95,5", "1.234" (German thousands), "95 %"."""
    text = text.strip().rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValidationError(_("Enter a number, e.g. 95 or 12,5."))
    value = float(text)
    if not math.isfinite(value):
        raise ValidationError(_("Enter a number, e.g. 95 or 12,5."))
    return value


def parse_duration_text(text: str) -> float:
    """Seconds from "24h", "90 min", "1 Std. 30 Min.", "2 Tage"."""
    cleaned = text.strip().lower().replace("\u00a0", " ")
    cleaned = re.sub(r"(?<=[a-z])\.", "", cleaned)
    for pattern, letter in _UNITS:
        cleaned = re.sub(pattern, letter, cleaned)
    cleaned = cleaned.replace(",", ".").replace(" ", "")
    try:
        seconds = parse_duration(cleaned).total_seconds()
    except ValueError:
        raise ValidationError(_("Enter a duration, e.g. 24h, 90 min or 2 d.")) from None
    if not math.isfinite(seconds):
        raise ValidationError(_("Enter a duration, e.g. 24h, 90 min or 2 d."))
    return seconds


def parse_target(unit: Unit, text: str) -> float:
    """The target in the KPI's unit from what people typed (a share in percent)."""
    if unit == Unit.DURATION:
        return parse_duration_text(text)
    value = parse_number(text)
    return value / 100 if unit == Unit.SHARE else value


def show_duration(seconds: float) -> str:
    whole = round(seconds)
    if whole and whole % 86400 == 0 and whole >= 7 * 86400:
        return f"{whole // 86400} d"
    if whole and whole % 3600 == 0:
        return f"{whole // 3600}h"
    if whole and whole % 60 == 0:
        return f"{whole // 60} min"
    return f"{whole} s"


def show_target(unit: Unit, value: float | None) -> str:
    """The target as the form shows it back: 0.95 → "95", 86400 → "24h"."""
    if value is None:
        return ""
    if unit == Unit.DURATION:
        return show_duration(value)
    if unit == Unit.SHARE:
        value = round(value * 100, 4)
    if value == int(value):
        return str(int(value))
    return number_format(value, use_l10n=True)


def target_help(unit: Unit) -> Any:
    return {
        Unit.SHARE: _("In percent, e.g. 95 for 95 %."),
        Unit.DURATION: _("A duration, e.g. 24h, 90 min or 2 d."),
        Unit.COUNT: _("A whole number, e.g. 40."),
        Unit.NUMBER: _("A number, e.g. 12,5."),
    }[unit]


def default_comparison(kpi: Kpi) -> str:
    """Shorter is better for a time; more is better for the rest."""
    return Comparison.AT_MOST if kpi.unit == Unit.DURATION else Comparison.AT_LEAST


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class TitleField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class GoalForm(ServiceErrors, forms.Form):
    """The fields of one KPI: its parameters and the scopes it can be narrowed by."""

    name = forms.CharField(label=_("Name"), required=False, max_length=100_000)
    target = forms.CharField(label=_("Target"), required=False, max_length=100_000)
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=Comparison.choices, widget=forms.RadioSelect
    )
    start = forms.DateField(label=_("Start"), widget=DATE)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    owner = PersonField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label="–"
    )
    objective = TitleField(label=_("Objective"), queryset=Objective.objects.none(), required=False)

    def __init__(self, *args: Any, kpi: Kpi, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.fields["name"].help_text = _("What the team wants to achieve, in a few words.")
        self.fields["target"].help_text = target_help(kpi.unit)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
        objective = self.fields["objective"]
        assert isinstance(objective, forms.ModelChoiceField)
        objective.queryset = strategy_selectors.objectives()
        objective.empty_label = _("None")
        for param in kpi.params:
            self.fields[f"param_{param.name}"] = self._param_field(param)
        self._scope_fields()
        # What is measured (its parameters) right after the name, then the target.
        self.order_fields(["name", *(f"param_{p.name}" for p in kpi.params), "target"])

    def _param_field(self, param: Any) -> forms.Field:
        label = PARAM_LABELS.get(param.name, param.name)
        if param.kind == "choice":
            shown = [
                (c, CHOICE_LABELS.get(c) or human_duration(parse_duration(c)))
                for c in param.choices
            ]
            return forms.ChoiceField(label=label, choices=shown, initial=param.default)
        help_text = _("e.g. 24h, 90 min or 2 d") if param.kind == "duration" else ""
        return forms.CharField(
            label=label,
            required=param.kind == "duration",
            max_length=TEXT_LIMIT,
            initial=param.default,
            help_text=help_text,
        )

    def _scope_fields(self) -> None:
        scopes = self.kpi.scopes
        accounts = ChannelAccount.objects.exclude(handle="").order_by("name", "handle")
        tags = Tag.objects.order_by("name")
        # A scope with nothing to choose from is left out (no empty group of boxes).
        if "accounts" in scopes and accounts.exists():
            self.fields["accounts"] = forms.MultipleChoiceField(
                label=_("Channel accounts"),
                required=False,
                choices=[(a.handle, a.name or a.handle) for a in accounts],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("None chosen: every account."),
            )
        if "departments" in scopes:
            self.fields["departments"] = forms.ModelMultipleChoiceField(
                label=_("Departments"),
                queryset=Department.objects.order_by("name"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("None chosen: the whole organisation."),
            )
        if "tags" in scopes and tags.exists():
            self.fields["tags"] = forms.MultipleChoiceField(
                label=_("Tags"),
                required=False,
                choices=[(t.name, t.name) for t in tags],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("None chosen: every conversation."),
            )
        if "business_hours" in scopes:
            calendars = BusinessHours.objects.order_by("name")
            self.fields["business_hours"] = forms.ChoiceField(
                label=_("Count time"),
                required=False,
                choices=[("", _("around the clock"))] + [(c.name, c.name) for c in calendars],
                help_text=_("Count only the opening hours of a business calendar."),
            )

    @property
    def renamed(self) -> dict[str, str]:  # type: ignore[override]
        first = next((f"param_{p.name}" for p in self.kpi.params), "")
        return {"params": first, "kpi": ""}

    def clean_target(self) -> float | None:
        text = str(self.cleaned_data.get("target") or "").strip()
        if not text:
            raise ValidationError(_("Enter the target."))
        if "\x00" in text or len(text) > TEXT_LIMIT:
            raise ValidationError(_("Enter a number, e.g. 95 or 12,5."))
        return parse_target(self.kpi.unit, text)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as `goal_services.goal_create`/`goal_update` take them."""
        data = self.cleaned_data
        params = {
            p.name: str(data.get(f"param_{p.name}") or "").strip() or p.default
            for p in self.kpi.params
        }
        return {
            "name": data.get("name") or "",
            "kpi": self.kpi.name,
            "params": params,
            "target": data["target"],
            "comparison": data["comparison"],
            "start": data["start"],
            "deadline": data["deadline"],
            "accounts": list(data.get("accounts") or []),
            "departments": list(data.get("departments") or []),
            "tags": list(data.get("tags") or []),
            "business_hours": data.get("business_hours") or "",
            "owner": data.get("owner"),
            "objective": data.get("objective"),
        }


def initial_for(kpi: Kpi, values: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values from a goal's or a template's (the service's units)."""
    initial = {k: v for k, v in values.items() if k not in ("params", "target", "kpi")}
    initial["target"] = show_target(kpi.unit, values.get("target"))
    params = values.get("params") or {}
    for param in kpi.params:
        initial[f"param_{param.name}"] = params.get(param.name, param.default)
    return initial


__all__ = ["GoalForm", "default_comparison", "initial_for", "parse_target", "show_target"]
