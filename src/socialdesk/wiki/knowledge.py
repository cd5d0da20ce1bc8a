"""Knowledge that stays: "Save as FAQ" on a resolved conversation.

The inbox shows the link through `inbox.links` (the inbox does not import the wiki); the page
`wiki:faq_from_conversation` shows the anonymised draft for checking, and `faq_create` stores it
as a draft page of the FAQ template that remembers its conversation.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from socialdesk.access import TEAM
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.inbox import links
from socialdesk.inbox.models import Conversation, Status

from . import page_services
from .faq import faq_body
from .models import WikiPage, WikiSpace


def may_save_as_faq(user: User, conversation: Conversation) -> bool:
    return user.role in TEAM and conversation.status == Status.RESOLVED


def conversation_links(conversation: Conversation, user: User) -> list[links.Link]:
    if not may_save_as_faq(user, conversation):
        return []
    url = reverse("wiki:faq_from_conversation", args=[conversation.pk])
    return [links.Link(_("Save as FAQ"), url)]


def source_line(conversation: Conversation) -> str:
    """Where the answer comes from, without naming anyone."""
    day = conversation.first_message_at or conversation.last_message_at
    when = formats.date_format(day, "DATE_FORMAT") if day else ""
    return _("From a conversation of %(date)s (no. %(id)s).") % {
        "date": when,
        "id": conversation.pk,
    }


def faq_create(
    *,
    by: Acting,
    conversation: Conversation,
    space: WikiSpace,
    title: str,
    question: str,
    answer: str,
) -> WikiPage:
    """A draft page of the FAQ template from the checked question and answer."""
    body = faq_body(question, answer, source=source_line(conversation))
    return page_services.page_create(
        by=by,
        space=space,
        title=title,
        body=body,
        template=WikiPage.Template.FAQ,
        status=WikiPage.Status.DRAFT,
        source_conversation_id=conversation.pk,
    )


def connect() -> None:
    links.register(conversation_links)
