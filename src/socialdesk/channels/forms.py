from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _OwnIds(forms.Form):
    """Several forms share the channel page: each gets its own element ids (labels work)."""

    prefix_of_ids = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_of_ids}_%s")
        super().__init__(*args, **kwargs)


class FeedForm(_OwnIds):
    prefix_of_ids = "feed"
    url = forms.URLField(
        label=_("Feed address (RSS or Atom)"), max_length=1000, assume_scheme="https"
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class MastodonForm(_OwnIds):
    prefix_of_ids = "mastodon"
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


class BlueskyForm(_OwnIds):
    prefix_of_ids = "bluesky"
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


def _interval_choices() -> list[tuple[int, str]]:
    from socialdesk.channels.running import POLL_INTERVALS
    from socialdesk.core.durations import human_duration

    return [(seconds, _("every %(duration)s") % {"duration": human_duration(seconds)})
            for seconds in POLL_INTERVALS]  # fmt: skip


class ChannelForm(forms.Form):
    """Name and poll rhythm of a channel."""

    name = forms.CharField(label=_("Name"), max_length=120)
    poll_interval_seconds = forms.TypedChoiceField(
        label=_("Poll rhythm"),
        coerce=int,
        help_text=_("How often socialdesk asks the network for what is new."),
    )

    def __init__(self, *args: Any, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _interval_choices()
        if current is not None and current not in dict(choices):
            from socialdesk.core.durations import human_duration

            label = _("every %(duration)s") % {"duration": human_duration(current)}
            choices = sorted([*choices, (current, label)])
        self.fields["poll_interval_seconds"].choices = choices  # type: ignore[attr-defined]


class ReconnectForm(forms.Form):
    secret = forms.CharField(
        label=_("New access token"),
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args: Any, network: str = "mastodon", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if network == "bluesky":
            self.fields["secret"].label = _("New app password")
            self.fields["secret"].help_text = _(
                "Create one in Bluesky under Settings → Privacy and security → App passwords."
            )
        else:
            self.fields["secret"].help_text = _(
                "From the instance's Preferences → Development, with the scopes read and write."
            )


class WebhookForm(_OwnIds):
    prefix_of_ids = "webhook"
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("For example Shop reviews; the channel's handle is made from it."),
    )
    backfill_url = forms.URLField(
        label=_("Back-fill address (optional)"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Where the sending system lists its recent items in the same JSON, to catch "
            "deliveries that never arrived."
        ),
    )


class ConfirmForm(forms.Form):
    """The POST of a button (pause, resume, disconnect, new secret): nothing to fill in."""
