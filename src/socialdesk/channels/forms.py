from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedForm(forms.Form):
    url = forms.URLField(
        label=_("Feed address (RSS or Atom)"), max_length=1000, assume_scheme="https"
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class MastodonForm(forms.Form):
    instance = forms.CharField(
        label=_("Mastodon instance"),
        max_length=300,
        help_text=_("For example mastodon.social or https://social.example.org"),
    )
    access_token = forms.CharField(
        label=_("Access token (optional)"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Leave empty to sign in at the instance. Or paste a token from the instance's "
            "Preferences → Development with the scopes read and write."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class BlueskyForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"), max_length=253, help_text=_("For example nordlicht.bsky.social")
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Create one in Bluesky under Settings → Privacy and security → App passwords; "
            "allow direct messages only if you want them in the inbox."
        ),
    )
    service = forms.URLField(
        label=_("Server"),
        max_length=300,
        initial="https://bsky.social",
        assume_scheme="https",
        help_text=_("Change only if the account lives on its own PDS."),
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
