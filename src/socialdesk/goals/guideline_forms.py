"""Forms of the guidelines pages: they read what was posted; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department


class PublishForm(forms.Form):
    AUDIENCE = [("everyone", _("Everyone")), ("departments", _("Chosen departments"))]

    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Headings with #, lists with -, links as [text](https://…). No HTML."),
    )
    audience = forms.ChoiceField(
        label=_("Who is asked to confirm"),
        choices=AUDIENCE,
        initial="everyone",
        widget=forms.RadioSelect,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def show_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "text": data["text"],
            "everyone": data["audience"] == "everyone",
            "departments": list(data["departments"]),
        }


class ConfirmForm(forms.Form):
    """ "I have read it": no fields; the publication is in the URL."""


class TourForm(forms.Form):
    done = forms.BooleanField(required=False)
