from __future__ import annotations

from typing import Any

from django import template

from socialdesk.publishing.models import Post

register = template.Library()


@register.inclusion_tag("publishing/post/_review.html", takes_context=True)
def post_review(context: dict[str, Any], post: Post) -> dict[str, Any]:
    """Approvals, comments and the history of a post, on its page."""
    return {"post": post, "request": context.get("request")}
