from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from socialdesk.spaces.models import RoomPost
from socialdesk.spaces.rendering import render_post

register = template.Library()


@register.filter
def room_html(post: RoomPost) -> SafeString:
    """A post's body as safe HTML (the one renderer, mentions as links)."""
    return render_post(post, list(post.mentions.all()))
