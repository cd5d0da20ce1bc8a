"""Forms of the wiki pages. Lengths are checked by the services, so a huge paste gets its
message at the field and the text stays in the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.core.params import MAX_INT

from .models import WikiPage


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), strip=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "wiki-editor"}),
        help_text=_(
            "Markdown. Link to another page with [[Page title]] or [[space-key:Page title]]."
        ),
    )
    note = forms.CharField(label=_("What changed (optional)"), required=False, max_length=200)
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_INT)
    merging = forms.BooleanField(widget=forms.HiddenInput, required=False)


class NewPageForm(forms.Form):
    title = forms.CharField(label=_("Title"), strip=False)
    template = forms.ChoiceField(
        label=_("Template"), choices=WikiPage.Template.choices, required=False
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "wiki-editor"}),
        help_text=_(
            "Markdown. Link to another page with [[Page title]] or [[space-key:Page title]]."
        ),
    )
    parent = forms.ModelChoiceField(
        label=_("Under the page"), queryset=WikiPage.objects.none(), required=False
    )

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Under the page"),
        queryset=WikiPage.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1_000_000, initial=0)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    review_every_days = forms.IntegerField(
        label=_("Review every (days)"), required=False, min_value=1, max_value=3660
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), strip=False)
    key = forms.CharField(
        label=_("Key"),
        required=False,
        help_text=_("Letters, digits and hyphens; used in links like [[key:Page title]]."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
