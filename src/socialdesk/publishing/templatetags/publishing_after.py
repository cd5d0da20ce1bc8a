from __future__ import annotations

from typing import Any

from django import template

from socialdesk.publishing.models import Post

register = template.Library()


@register.inclusion_tag("publishing/post/_after.html", takes_context=True)
def post_after(context: dict[str, Any], post: Post) -> dict[str, Any]:
    return {"post": post, "request": context.get("request")}


@register.inclusion_tag("publishing/campaign/_engagement.html", takes_context=True)
def campaign_engagement(context: dict[str, Any], campaign: Any) -> dict[str, Any]:
    """A campaign's summed public figures, on the campaign's page."""
    return {"campaign": campaign, "request": context.get("request")}
