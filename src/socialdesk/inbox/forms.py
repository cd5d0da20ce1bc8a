"""Forms of the inbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Role, User
from socialdesk.core.forms import FlagField
from socialdesk.core.params import id_param
from socialdesk.inbox.bulk import MAX_PICKED
from socialdesk.inbox.job_models import BulkJob


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


class IdsField(forms.Field):
    """Conversation ids ticked in the list (repeated `ids`); anything not an id is dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return [i for i in (id_param(v) for v in values[:MAX_PICKED]) if i is not None]


class BulkForm(forms.Form):
    """A bulk action on the ticked conversations or on everything the filter matches."""

    action = forms.ChoiceField(label=_("Action"), choices=BulkJob.Action.choices)
    ids = IdsField(required=False)
    all_matching = FlagField(on="1")
    filters = forms.CharField(required=False, max_length=2000)  # the list's query string
    assignee = forms.ModelChoiceField(
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
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all_matching") and not data.get("ids"):
            raise forms.ValidationError(_("Select at least one conversation."))
        if data.get("action") in ("tag_add", "tag_remove") and not data.get("tag", "").strip():
            self.add_error("tag", _("Name the tag."))
        return data
