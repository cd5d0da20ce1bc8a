from __future__ import annotations

from typing import Any

from django import template

from socialdesk.publishing.models import Post

register = template.Library()


@register.inclusion_tag("publishing/post/_after.html", takes_context=True)
def post_after(context: dict[str, Any], post: Post) -> dict[str, Any]:
    return {"post": post, "request": context.get("request")}
