from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MonitorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    query = forms.CharField(
        label=_("Query"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            'Words, "phrases", #hashtags and @handles; AND, OR, NOT (or -word) in capitals; '
            "parentheses; word* for every ending; lang:de or lang:en. Example: "
            '(app OR website) AND (login OR "QR code") -spam'
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
