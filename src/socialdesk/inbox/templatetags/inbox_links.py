from __future__ import annotations

from typing import Any

from django import template

from socialdesk.inbox.links import links_for
from socialdesk.inbox.models import Conversation

register = template.Library()


@register.inclusion_tag("inbox/_links.html", takes_context=True)
def conversation_links(context: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    """What other apps link to this conversation (see `inbox.links`), for the viewer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links = links_for(conversation, user) if user is not None and user.is_authenticated else []
    return {"links": links}
