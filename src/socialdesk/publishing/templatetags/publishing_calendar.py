"""Small pieces of the calendar: a channel's badge, a campaign's colour."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing.calendar import colour
from socialdesk.publishing.models import PostStatus

register = template.Library()

# A letter per network; the name is read out (and shown on hover).
LETTERS = {"mastodon": "M", "bluesky": "B"}


@register.filter
def status_label(value: str) -> str:
    """A post state's name (a dict lookup: `get_status_display` is slow 168 times a page)."""
    return str(dict(PostStatus.choices).get(value, value))


@register.filter
def campaign_colour(value: str | None) -> str:
    """The campaign's colour if it is a plain #rrggbb (else a neutral grey)."""
    return colour(value) or "#94a3b8"


@register.simple_tag
def channel_badge(channel: ChannelAccount) -> SafeString:
    network = channel.get_network_display()
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
