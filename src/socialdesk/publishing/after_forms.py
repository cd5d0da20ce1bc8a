"""Forms of the after-publishing pages: edit a published post, choose where to delete it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialdesk.publishing.models import PostTarget


class _TargetChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.channel.get_network_display()} · {obj.channel}"


class _TargetsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.channel.get_network_display()} · {obj.channel}"


class EditPublishedForm(forms.Form):
    target = _TargetChoice(label=_("Channel"), queryset=PostTarget.objects.none(), empty_label=None)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    content_warning = forms.CharField(label=_("Content warning"), required=False, max_length=500)

    def __init__(self, *args: Any, targets: list[PostTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, _TargetChoice)
        field.queryset = PostTarget.objects.filter(pk__in=[t.pk for t in targets]).select_related(
            "channel"
        )


class DeletePublishedForm(forms.Form):
    targets = _TargetsChoice(
        label=_("Delete from"),
        queryset=PostTarget.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one network the post is on.")},
    )

    def __init__(self, *args: Any, targets: list[PostTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["targets"]
        assert isinstance(field, _TargetsChoice)
        field.queryset = PostTarget.objects.filter(pk__in=[t.pk for t in targets]).select_related(
            "channel"
        )
