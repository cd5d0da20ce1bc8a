"""Forms of the delivery panel: "Publish now" (no fields) and "Retry" with the parts to edit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_PARTS = 25


class PublishNowForm(forms.Form):
    """Confirms "Publish now" (the post and the person come from the URL and the session)."""


class RetryForm(forms.Form):
    """The texts of the parts not yet on the network, `text_0` … `text_<n-1>`."""

    parts = forms.IntegerField(min_value=0, max_value=MAX_PARTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            count = int(self.data.get("parts", 0))
        except (TypeError, ValueError):
            count = 0
        for index in range(max(0, min(count, MAX_PARTS))):
            self.fields[f"text_{index}"] = forms.CharField(
                label=_("Text"), max_length=10_000, strip=False
            )

    def texts(self) -> list[str] | None:
        count = self.cleaned_data["parts"]
        if not count:
            return None
        return [self.cleaned_data[f"text_{index}"] for index in range(count)]
