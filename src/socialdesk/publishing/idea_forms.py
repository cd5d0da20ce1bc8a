"""Forms of the idea and campaign pages: they read what was posted; the services judge it and
their errors are shown at the field they name (`show_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department
from socialdesk.core.forms import FlagField, ObjectField
from socialdesk.publishing import images
from socialdesk.publishing.idea_services import MAX_PHOTOS, PhotoUpload
from socialdesk.publishing.models import Campaign

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def active_campaigns() -> Any:
    return Campaign.objects.filter(archived_at__isnull=True).order_by("name")


class ServiceErrors:
    """Show a service's ValidationError at the fields it names (others above the form)."""

    # service field name -> form field name
    renamed: dict[str, str] = {}

    def show_errors(self, error: ValidationError) -> None:
        form: Any = self
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            field = self.renamed.get(key, key)
            form.add_error(field if field in form.fields else None, messages)


class IdeaForm(ServiceErrors, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=1000,
        help_text=_("A few words, like a headline."),
    )
    what_happened = forms.CharField(
        label=_("What happened?"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    why_it_matters = forms.CharField(
        label=_("Why does it matter?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For our customers, for the company, for the people involved."),
    )
    department = ObjectField(Department.objects.all(), label=_("Department"))
    people_involved = forms.CharField(
        label=_("People involved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who could tell the story, or should be asked before it is told."),
    )
    about_date = forms.DateField(label=_("Date it is about"), required=False, widget=DATE)
    campaign = ObjectField(active_campaigns(), label=_("Campaign"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.renamed = {}
        none = ("", "–")
        self.fields["department"].widget = forms.Select(
            choices=[none, *Department.objects.order_by("name").values_list("pk", "name")]
        )
        self.fields["campaign"].widget = forms.Select(
            choices=[none, *active_campaigns().values_list("pk", "name")]
        )
        for number in range(1, MAX_PHOTOS + 1):
            self.fields[f"photo_{number}"] = forms.FileField(
                label=_("Photo %(number)s") % {"number": number},
                required=False,
                widget=forms.FileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
                ),
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("Alt text of photo %(number)s") % {"number": number},
                required=False,
                help_text=_("What the photo shows, for people who cannot see it."),
            )

    def photo_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"photo_{n}"], self[f"alt_{n}"]) for n in range(1, MAX_PHOTOS + 1)]

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(("photo_", "alt_"))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number in range(1, MAX_PHOTOS + 1):
            if data.get(f"alt_{number}", "").strip() and not data.get(f"photo_{number}"):
                self.add_error(f"photo_{number}", _("Choose the photo this text describes."))
        return data

    def photos(self) -> list[PhotoUpload]:
        """The chosen photos; `renamed` remembers which slot each came from."""
        uploads: list[PhotoUpload] = []
        for number in range(1, MAX_PHOTOS + 1):
            upload = self.cleaned_data.get(f"photo_{number}")
            if not upload:
                continue
            index = len(uploads)
            self.renamed[f"photos.{index}"] = f"photo_{number}"
            self.renamed[f"photos.{index}.alt_text"] = f"alt_{number}"
            data = upload.read(images.UPLOAD_LIMIT + 1)
            uploads.append(
                PhotoUpload(
                    data=data,
                    alt_text=self.cleaned_data.get(f"alt_{number}", ""),
                    filename=upload.name or "",
                )
            )
        return uploads


class CommentForm(ServiceErrors, forms.Form):
    text = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(ServiceErrors, forms.Form):
    reason = forms.CharField(
        label=_("Why not? (the submitter is told)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowForm(forms.Form):
    follow = FlagField(on="yes")


class IdeaCampaignForm(ServiceErrors, forms.Form):
    campaign = ObjectField(active_campaigns(), label=_("Campaign"))


class PlanForm(ServiceErrors, forms.Form):
    posts = forms.TypedMultipleChoiceField(label=_("Posts"), required=False, coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posts"].choices = choices  # type: ignore[attr-defined]


class CampaignForm(ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=1000)
    colour = forms.CharField(
        label=_("Colour"),
        required=False,
        initial="#2563eb",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Shown on the calendar and in the lists."),
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goal = forms.CharField(
        label=_("Goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the campaign should achieve, e.g. “200 new followers on Mastodon”."),
    )


class ArchiveForm(forms.Form):
    archived = FlagField(on="yes")
