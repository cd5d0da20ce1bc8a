"""The search form: the query and its filters, each checked at its field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Organisation, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.search.kinds.base import Filters
from socialdesk.search.registry import KINDS

QUERY_MAX = 500
PER_PAGE = 20
MAX_PAGE = 25


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=QUERY_MAX, required=False, strip=True)
    type = forms.MultipleChoiceField(
        label=_("Type"), required=False, widget=forms.CheckboxSelectMultiple
    )
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)
    author = forms.ModelChoiceField(
        label=_("Author"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("Any department"),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=ChannelAccount.objects.order_by("name"),
        required=False,
        empty_label=_("Any channel"),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[("relevance", _("Best match first")), ("newest", _("Newest first"))],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(key, kind.label) for key, kind in KINDS.items()]  # type: ignore[attr-defined]
        self.fields["author"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "full_name", "email"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end lies before the start."))
        return data

    def filters(self) -> Filters:
        """The filters of a valid form (the organisation's days, both ends included)."""
        data = self.cleaned_data
        author, department, channel = (
            data.get("author"),
            data.get("department"),
            data.get("channel"),
        )
        return Filters(
            kinds=tuple(data.get("type") or ()),
            since=_start_of(data.get("since")),
            until=_start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
            author_id=author.pk if author else None,
            department_id=department.pk if department else None,
            channel_id=channel.pk if channel else None,
        )

    def narrowed(self) -> bool:
        """Whether any filter beyond the query is set (the page opens the filters then)."""
        data = self.cleaned_data
        keys = ("type", "since", "until", "author", "department", "channel")
        return any(data.get(key) for key in keys)


def _start_of(day: date | None) -> datetime | None:
    if day is None or not date.min < day < date.max:
        return None
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(Organisation.current().time_zone))
