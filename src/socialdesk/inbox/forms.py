"""Forms of the inbox."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Role, User
from socialdesk.core.forms import FlagField


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 4, "data-shortcut": "r"}),
        max_length=5000,
    )
    then = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Send")),
            ("waiting", _("Send and wait")),
            ("resolved", _("Send and resolve")),
        ],
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (never sent; @name tells a colleague)"),
        widget=forms.Textarea(attrs={"rows": 2, "data-shortcut": "n"}),
        max_length=5000,
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(  # each form queries afresh (the field copies the set)
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).exclude(role=Role.VIEWER),
        required=False,
        empty_label=_("nobody"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("none"),
    )


class StatusForm(forms.Form):
    status = forms.CharField(required=False, strip=False)  # the service checks the value


class NeedsReplyForm(forms.Form):
    value = FlagField(on="yes")  # the one-click override posts "yes" or "no"


class PresenceForm(forms.Form):
    typing = FlagField(on="1")  # the heartbeat posts "1" while the person types


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=500)

    def names(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,  # a reply is at most that long (services.MAX_REPLY)
        help_text=_(
            "{name} becomes the customer's name, {agent} yours, {company} the organisation's."
        ),
    )
