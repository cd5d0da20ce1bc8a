"""The inbox's part of a person's hand-over list: the open conversations assigned to them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from socialdesk.accounts.handover import SHOWN, HandoverSection, section_of
from socialdesk.accounts.models import User
from socialdesk.inbox.models import Conversation, Status
from socialdesk.inbox.selectors import conversations_for_user


def open_conversations(person: User, viewer: User) -> HandoverSection | None:
    held = conversations_for_user(viewer).filter(assignee=person).exclude(status=Status.RESOLVED)
    total = held.count()
    if not total:
        return None
    rows = held.select_related("contact", "channel_account").order_by("-last_message_at", "-pk")[
        :SHOWN
    ]
    return section_of(_("Open conversations assigned"), rows, _describe, _url, total)


def _describe(conversation: Conversation) -> str:
    who = str(conversation.contact) if conversation.contact else _("unknown contact")
    return _("%(who)s on %(account)s") % {"who": who, "account": conversation.channel_account}


def _url(conversation: Conversation) -> str:
    return reverse("inbox:conversation", args=[conversation.pk])
