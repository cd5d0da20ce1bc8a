"""The form of "Save as FAQ": the anonymised draft, checked and corrected before it is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import WikiSpace
from .page_models import TITLE_MAX

TEXT_MAX = 50_000


class FaqForm(forms.Form):
    space = forms.ModelChoiceField(label=_("Space"), queryset=WikiSpace.objects.none())
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    question = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX
    )
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_MAX,
        help_text=_("{name} stands for the customer's name, {agent} for yours."),
    )

    def __init__(self, *args: Any, spaces: QuerySet[WikiSpace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces  # type: ignore[attr-defined]
