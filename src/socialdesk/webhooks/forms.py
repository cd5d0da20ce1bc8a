"""The webhook settings' forms: the address is checked where it is typed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialdesk.channels import net
from socialdesk.core import events
from socialdesk.webhooks.models import DeliveryState


def _choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for kind in events.KINDS.values():
        groups.setdefault(str(kind.group), []).append((kind.name, str(kind.label)))
    return list(groups.items())


def check_address(url: str) -> str:
    """An http(s) address that resolves only to allowed addresses, or a ValidationError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an address that starts with https:// (or http://)."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError(
            _("The port in this address is not a number from 1 to 65535.")
        ) from None
    try:
        net.checked_address(parts.hostname, port)
    except net.UnsafeAddress:
        raise ValidationError(
            _(
                "%(host)s points inside a network. socialdesk only sends to public addresses "
                "and to the networks the operator names in SOCIALDESK_PRIVATE_NETWORKS."
            ),
            params={"host": parts.hostname},
        ) from None
    except net.FetchError:
        raise ValidationError(
            _("%(host)s cannot be found (the name does not resolve)."),
            params={"host": parts.hostname},
        ) from None
    return url


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.CharField(
        label=_("Address"),
        max_length=2000,
        help_text=_("Where the events are sent (POST, JSON). Leave empty to keep the address."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Events"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["kinds"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = _choices()
        url = self.fields["url"]
        url.required = not editing
        if not editing:
            url.help_text = _("Where the events are sent (POST, JSON).")

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url", "")
        return check_address(url) if url.strip() else ""


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *DeliveryState.choices]
    )
