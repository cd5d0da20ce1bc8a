"""Forms of the strategy pages: they read what was posted; the services judge it and their
errors are shown at the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.publishing.idea_forms import ServiceErrors
from socialdesk.publishing.models import Campaign


class SectionForm(ServiceErrors, forms.Form):
    text = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "markdown"}),
        help_text=_(
            "Headings with #, lists with - or 1., **bold**, *italic*, [links](https://…) and "
            "tables. HTML is shown as text."
        ),
    )
    campaigns = forms.ModelMultipleChoiceField(
        label=_("Campaigns this section links to"),
        queryset=Campaign.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["campaigns"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Campaign.objects.filter(archived_at__isnull=True).order_by("name")


class ObjectiveForm(ServiceErrors, forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=100_000)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the objective means and why it matters; goals will measure it."),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


# A suggested outline per section, shown while the section is empty.
OUTLINES = {
    "objectives": _(
        "What should social media achieve for the company this year? Three to five "
        "objectives, each in one sentence, e.g. “Answer every question within a day”."
    ),
    "audiences": _(
        "Whom do we want to reach? For each audience: who they are, what they need from us, "
        "where they are online."
    ),
    "channels": _(
        "Which channel does what? For each channel: its role, its audience, how often we post "
        "and who answers."
    ),
    "tone": _(
        "How do we sound? Formal or informal address, three words that describe our voice, "
        "examples of good and bad answers."
    ),
    "guidelines": _(
        "What every colleague should know: speaking for oneself, confidential matters, how to "
        "pass on a customer's question, whom to ask."
    ),
    "crisis": _(
        "What happens when things go wrong: how we notice, who decides, the first answer we "
        "post, whom we inform and when we speak again."
    ),
    "campaigns": _(
        "Which campaigns carry the strategy this year, what each should achieve; tick the "
        "campaigns below to link them."
    ),
}
