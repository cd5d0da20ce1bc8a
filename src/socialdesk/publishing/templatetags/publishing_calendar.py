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
from socialdesk.publishing.models import Post, PostStatus

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


_MOVE = """
    <details class="cal-move">
      <summary>{t_move}<span class="visually-hidden">: {title}</span></summary>
      <form method="post" action="/publishing/posts/{pk}/reschedule/" class="cal-move-form" id="move-{pk}">
        <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
        <input type="hidden" name="back" value="{back}">
        <label for="move-{pk}-date">{t_date}</label>
        <input type="date" name="date" id="move-{pk}-date" value="{date}" required>
        <label for="move-{pk}-time">{t_time}</label>
        <input type="time" name="time" id="move-{pk}-time" value="{time}" required>
        <button type="submit" class="small">{t_move_post}</button>
      </form>
      <form method="post" action="/publishing/posts/{pk}/queue/">
        <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
        <input type="hidden" name="back" value="{back}">
        <button type="submit" class="small secondary">{t_next_slot}</button>
      </form>
    </details>"""  # noqa: E501


@register.simple_tag(takes_context=True)
def calendar_post(context: template.Context, post: Post) -> SafeString:
    """One post on the calendar, with its "Move" form where the reader may move it. Written in
    Python, not as an included template: a month shows up to 168 of them, and an include costs
    about ten times as much."""
    movable = bool(context.get("may_move")) and post.status in (context.get("movable") or ())
    campaign = (
        format_html(
            ' · <svg class="cal-campaign" width="10" height="10" viewBox="0 0 10 10" '
            'aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="5" fill="{}"/>'
            "</svg> {}",
            campaign_colour(post.campaign.colour),
            post.campaign.name,
        )
        if post.campaign_id and post.campaign is not None
        else ""
    )
    badges = SafeString("".join(channel_badge(t.channel) for t in post.targets.all()))
    local_time = getattr(post, "local_time", "")
    move = (
        format_html(
            _MOVE,
            pk=post.pk,
            title=str(post),
            t_move=context.get("t_move", ""),
            t_date=context.get("t_date", ""),
            t_time=context.get("t_time", ""),
            t_move_post=context.get("t_move_post", ""),
            t_next_slot=context.get("t_next_slot", ""),
            csrf=str(context.get("csrf_token", "")),
            back=context.get("back", ""),
            date=getattr(post, "local_date", ""),
            time=local_time,
        )
        if movable
        else ""
    )
    return format_html(
        '<article class="cal-post status-{status}" id="post-{pk}" data-post="{pk}" '
        'data-time="{time}"{draggable}>\n  <div class="cal-post-body">\n'
        '    <span class="cal-time">{time}</span>\n    {badges}\n'
        '    <a href="/publishing/posts/{pk}/" class="cal-title">{title}</a>\n'
        '    <span class="cal-status">{label}{campaign}</span>{move}\n  </div>\n</article>',
        status=post.status,
        pk=post.pk,
        time=local_time,
        draggable=SafeString(' draggable="true"') if movable else "",
        badges=badges,
        title=str(post),
        label=status_label(post.status),
        campaign=campaign,
        move=move,
    )
