"""Issue 14, knowledge that stays (FAQ from a conversation, saved replies from pages, the strategy
in the wiki): its pages in the page-wide checks (see `tests/issue14/__init__.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.issue14 import wiki


def _resolved(data: dict[str, Any]) -> dict[str, Any]:
    """A resolved conversation beside the sample one (whose status other pages depend on)."""
    from socialdesk.inbox.models import Conversation, Status

    sample = data["conversation"]
    base = Conversation.objects.get(pk=getattr(sample, "pk", sample))
    resolved = Conversation.objects.filter(
        channel_account=base.channel_account, contact=base.contact, status=Status.RESOLVED
    ).first() or Conversation.objects.create(
        channel_account=base.channel_account, contact=base.contact, status=Status.RESOLVED
    )
    return {"pk": resolved.pk}


ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "wiki:faq_from_conversation": _resolved,
    "wiki:page_reply": wiki.ARGS["wiki:page"],
}
KINDS: dict[str, str] = {
    "wiki:faq_from_conversation": "conversation",
    "wiki:page_reply": "wiki_page",
}
