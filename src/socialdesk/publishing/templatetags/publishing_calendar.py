"""Small pieces of the calendar: a channel's badge, a campaign's colour, a state's name.

They run up to a few hundred times a page, so the names of states and networks are looked up
once per language (Django's `get_FOO_display` flattens the choices on every call)."""

from __future__ import annotations

from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing.calendar import colour
from socialdesk.publishing.models import PostStatus

register = template.Library()

# A letter per network; the name is read out (and shown on hover).
LETTERS = {"mastodon": "M", "bluesky": "B"}


@cache
def _names(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The names of the states and of the networks in `language` (the active one)."""
    return (
        {value: str(label) for value, label in PostStatus.choices},
        {value: str(label) for value, label in Network.choices},
    )


@register.filter
def status_label(value: str) -> str:
    return _names(get_language())[0].get(value, value)


@register.filter
def campaign_colour(value: str | None) -> str:
    """The campaign's colour if it is a plain #rrggbb (else a neutral grey)."""
    return colour(value) or "#94a3b8"


@register.simple_tag
def channel_badge(channel: ChannelAccount) -> SafeString:
    network = _names(get_language())[1].get(channel.network, channel.network)
    return format_html(
        '<span class="channel-badge net-{}" title="{}: {}" aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}: {}</span>',
        channel.network,
        network,
        channel.handle,
        LETTERS.get(channel.network, network[:1]),
        network,
        channel.handle,
    )
