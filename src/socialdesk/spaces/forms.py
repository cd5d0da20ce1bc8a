"""Forms of the room pages. Lengths are checked by the services (clear messages, the text kept
in the form), so the fields here carry no max_length of their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, User
from socialdesk.accounts.site_models import Site

from .models import REACTIONS, Room, RoomMembership


class ServiceErrors:
    """Show a service's ValidationError at the fields it names (others above the form)."""

    def show_errors(self, error: ValidationError) -> None:
        form: Any = self
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class RoomForm(ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the room is for, in a sentence or two."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=[
            (Room.Visibility.PUBLIC, _("Public – everyone can read and join")),
            (Room.Visibility.PRIVATE, _("Private – members only")),
        ],
        initial=Room.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )


class MembersForm(ServiceErrors, forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=User.objects.none(), required=False
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text=_("Adds the people who are in the department now."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.order_by("name"),
        required=False,
        help_text=_("Adds the people who work at the site now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _people()  # type: ignore[attr-defined]


class NewRoomForm(RoomForm, MembersForm):
    pass


class PostForm(ServiceErrors, forms.Form):
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Markdown works. Mention people with @name or @[First Last], a department with "
            "@[Department], everyone in the room with @room."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attachment_errors: list[str] = []

    def show_errors(self, error: ValidationError) -> None:
        """Errors about the files go next to the file field ("files" is no form field)."""
        if hasattr(error, "error_dict") and "files" in error.error_dict:
            self.attachment_errors = ValidationError(error.error_dict.pop("files")).messages
            if not error.error_dict:
                return
        super().show_errors(error)


class NotifyForm(forms.Form):
    notify = forms.ChoiceField(choices=RoomMembership.Notify.choices)


class ReactForm(forms.Form):
    emoji = forms.ChoiceField(choices=[(e, e) for e in REACTIONS])
    on = forms.BooleanField(required=False)
