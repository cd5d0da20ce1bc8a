"""Forms of the calendar: its filters, moving a post, posting slots, the feed."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import WholeNumberField
from socialdesk.publishing.calendar import Filters, organisation_zone
from socialdesk.publishing.models import Campaign, PostStatus

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class FilterForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"),
        required=False,
        choices=[("month", _("Month")), ("week", _("Week")), ("list", _("List"))],
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.HiddenInput)
    channel = forms.ModelChoiceField(
        label=_("Channel"), required=False, queryset=ChannelAccount.objects.none(),
        empty_label=_("All channels"),
    )  # fmt: skip
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none(),
        empty_label=_("All campaigns"),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *PostStatus.choices]
    )
    author = forms.ModelChoiceField(
        label=_("Author"), required=False, queryset=User.objects.none(),
        empty_label=_("All authors"),
    )  # fmt: skip
    page = WholeNumberField(default=1, minimum=1, maximum=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, channels: Any, campaigns: Any, authors: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["channel"].queryset = channels
        fields["campaign"].queryset = campaigns
        fields["author"].queryset = authors

    def _data(self) -> dict[str, Any]:
        """What was given correctly: a field with a wrong value is left out, not the rest."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filters(self) -> Filters:
        data = self._data()
        channel, campaign, author = data.get("channel"), data.get("campaign"), data.get("author")
        return Filters(
            channel=channel.pk if channel else None,
            campaign=campaign.pk if campaign else None,
            status=data.get("status") or "",
            author=author.pk if author else None,
        )

    def chosen_view(self) -> str:
        return str(self._data().get("view") or "month")

    def anchor(self, today: dt.date) -> dt.date:
        chosen = self._data().get("date")
        # Far years would overflow the date arithmetic of a month's bounds.
        return chosen if isinstance(chosen, dt.date) and 1900 <= chosen.year <= 2200 else today

    def chosen_page(self) -> int:
        return int(self._data().get("page") or 1)


class MoveForm(forms.Form):
    """A new day and time for a post (the drag and drop fills the same form)."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def at(self) -> datetime:
        """The chosen moment, read in the organisation's time zone."""
        zone = organisation_zone()
        when = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=zone)
        return when.astimezone(UTC).astimezone(zone)  # a time in the spring gap becomes real


class SlotForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=ChannelAccount.objects.none())
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAY_CHOICES, coerce=int)
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, channels: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["channel"]
        field.queryset = channels


class WeekdaysForm(forms.Form):
    """The quick pattern: the same times from Monday to Friday."""

    channel = forms.ModelChoiceField(label=_("Channel"), queryset=ChannelAccount.objects.none())
    times = forms.CharField(
        label=_("Times"), max_length=200, initial="09:30, 15:00",
        help_text=_("Separated by commas, such as 09:30, 15:00."),
    )  # fmt: skip

    def __init__(self, *args: Any, channels: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["channel"]
        field.queryset = channels

    def clean_times(self) -> list[time]:
        found = []
        for part in self.cleaned_data["times"].replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                found.append(datetime.strptime(part, "%H:%M" if ":" in part else "%H").time())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a time; write it as 09:30."), params={"value": part[:20]}
                ) from None
        if not found:
            raise forms.ValidationError(_("Give at least one time, such as 09:30."))
        return [t.replace(second=0, microsecond=0) for t in found]
