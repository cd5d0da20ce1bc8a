"""Forms of the review part: decisions, comments, and the approval steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import ObjectField
from socialdesk.core.params import id_param
from socialdesk.publishing.models import ApprovalMode, ApprovalStep, Campaign

COMMENT_MAX = 5000


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").strip()


class SubmitForm(forms.Form):
    """Send a post for review (nothing to fill in)."""


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea
    )

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data["comment"])


class ChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"), max_length=COMMENT_MAX, widget=forms.Textarea,
        error_messages={"required": _("Say what should change.")},
    )  # fmt: skip

    def clean_comment(self) -> str:
        text = _clean_text(self.cleaned_data["comment"])
        if not text:
            raise forms.ValidationError(_("Say what should change."))
        return text


class LinkForm(forms.Form):
    """The choice on an approval link page: approve, or ask for changes with a comment."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("changes", _("Changes"))])
    comment = forms.CharField(required=False, max_length=COMMENT_MAX, widget=forms.Textarea)

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data["comment"])


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Internal comment"), max_length=COMMENT_MAX, widget=forms.Textarea,
        error_messages={"required": _("Write a comment first.")},
    )  # fmt: skip

    def clean_text(self) -> str:
        text = _clean_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("Write a comment first."))
        return text


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """People by id; a value that names no one (a word, a number beyond any id) is refused
    before the database is asked."""

    def clean(self, value: Any) -> Any:
        values = list(value or []) if isinstance(value, list | tuple) else [value] if value else []
        ids = [id_param(v) for v in values]
        if any(i is None for i in ids):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().clean([str(i) for i in ids])


def approvers() -> Any:
    return User.objects.filter(is_active=True).exclude(role=Role.VIEWER)


class StepForm(forms.Form):
    """A new step for one channel or one campaign."""

    channel = ObjectField(ChannelAccount.objects.all())
    campaign = ObjectField(Campaign.objects.all())
    department = forms.ModelChoiceField(
        Department.objects.all(), required=False, label=_("Department"),
        empty_label=_("— no department —"),
    )  # fmt: skip
    people = PeopleField(
        approvers(), required=False, label=_("People"),
        error_messages={"invalid_choice": _("Choose people from the list.")},
    )  # fmt: skip
    mode = forms.ChoiceField(
        choices=ApprovalMode.choices, initial=ApprovalMode.ANY, label=_("Who must approve"),
        widget=forms.RadioSelect,
    )  # fmt: skip
    authors_may_approve = forms.BooleanField(
        required=False, label=_("Authors may approve their own posts in this step")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") is None and data.get("campaign") is None:
            raise forms.ValidationError(_("Choose a channel or a campaign for the step."))
        if data.get("department") is None and not data.get("people"):
            self.add_error("department", _("Choose a department or at least one person."))
        return data


class StepActionForm(forms.Form):
    step = ObjectField(ApprovalStep.objects.all(), required=True)
    action = forms.ChoiceField(choices=[("up", "up"), ("down", "down"), ("remove", "remove")])
