"""Every change to a conversation goes through these functions (views, API, commands)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.mentions import people_mentioned
from socialdesk.accounts.models import Department, Organisation, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import Capability, sender, supports
from socialdesk.core import changes
from socialdesk.inbox import event_data
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import (
    Conversation,
    ConversationEvent,
    Delivery,
    Direction,
    Message,
    Note,
    Presence,
    SavedReply,
    Status,
    Tag,
)
from socialdesk.inbox.notify import notify_mentioned
from socialdesk.inbox.sending import requeue
from socialdesk.inbox.signals import conversations_changed
from socialdesk.inbox.tasks import send_replies

logger = logging.getLogger(__name__)
MAX_REPLY = 5000


def conversation_reply(
    *, by: Acting, conversation: Conversation, text: str, then: str = ""
) -> Message:
    """Store the company's reply; `then` may be "waiting" or "resolved".

    The reply is visible to the customer, so it stops the first-response clock. In a
    connected channel it is queued and the worker sends it (inbox/sending.py); the text
    is the one that goes out (on Mastodon it names the customer, so they are notified).
    """
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a reply first.")})
    if len(text) > MAX_REPLY:
        raise ValidationError(
            {"text": _("The reply is longer than %(max)s characters.") % {"max": MAX_REPLY}}
        )
    account = conversation.channel_account
    parent = (
        conversation.messages.filter(direction=Direction.INBOUND).order_by("-created_at").first()
    )
    live = live_channel(account)
    if live and parent is not None and (module := sender(account.network)) is not None:
        text = module.reply_text(parent.meta, parent.author_handle, text)
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"local-{uuid.uuid4()}",
            direction=Direction.OUTBOUND,
            author_handle=account.handle,
            author_user=by.user,
            text=text,
            created_at=timezone.now(),
            parent=parent,
            language=conversation.language,
            delivery=Delivery.QUEUED if live else Delivery.NONE,
        )
        refresh_conversations({conversation.pk})
        conversation.refresh_from_db()
        if then in (Status.WAITING, Status.RESOLVED):
            conversation_set_status(by=by, conversation=conversation, status=then)
        _changed(conversation.pk)
        changes.changed("inbox.message", [message.pk])
        changes.changed("inbox.conversation", [conversation.pk])
        if live:
            transaction.on_commit(_send_soon)
    return message


def live_channel(account: ChannelAccount) -> bool:
    """Whether replies in this channel go out to the network (a connected account)."""
    return supports(account.network, Capability.SEND) and bool(account.credentials_encrypted)


def _send_soon() -> None:
    try:
        send_replies.enqueue()
    except Exception:  # the worker's schedule sends it within a minute anyway
        logger.exception("could not queue sending")


def message_retry_send(*, by: Acting, message: Message) -> None:
    """Queue a reply that was not sent once more; the network is asked first if it arrived."""
    if message.delivery != Delivery.FAILED:
        raise ValidationError(_("Only a reply that was not sent can be sent again."))
    requeue(message)
    record(by, "message.send_retried", message, before={"error": message.delivery_error})
    transaction.on_commit(_send_soon)


def conversation_add_note(*, by: Acting, conversation: Conversation, text: str) -> Note:
    """Add an internal note; @mentions (e-mail name or first name) tell colleagues."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a note first.")})
    with transaction.atomic():
        note = Note.objects.create(conversation=conversation, author=by.user, text=text)
        mentioned = [u for u in people_mentioned(text) if u != by.user]
        note.mentions.set(mentioned)
        notify_mentioned(note, mentioned)
        changes.changed("inbox.note", [note.pk])
    return note


def conversation_assign(
    *,
    by: Acting,
    conversation: Conversation,
    assignee: User | None,
    department: Department | None,
) -> Conversation:
    """Hand the conversation to a person, a department, or both."""
    before = {
        "assignee": conversation.assignee.email if conversation.assignee else None,
        "department": conversation.department.name if conversation.department else None,
    }
    state = event_data.state_of(conversation)
    with transaction.atomic():
        conversation.assignee, conversation.department = assignee, department
        conversation.save(update_fields=["assignee", "department"])
        after = {
            "assignee": assignee.email if assignee else None,
            "department": department.name if department else None,
        }
        if before != after:
            # Named by number: the audit log outlives a customer's erasure (DSGVO Art. 17).
            record(
                by,
                "conversation.assigned",
                conversation,
                before=before,
                after=after,
                object_repr=f"conversation #{conversation.pk}",
            )
            event_data.announce_moves({conversation.pk: state}, by=by)
        _changed(conversation.pk)
    return conversation


def conversation_set_status(*, by: Acting, conversation: Conversation, status: str) -> Conversation:
    """Open, wait on the customer, or resolve; reopening keeps the history."""
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if conversation.status == status:
        return conversation
    now = timezone.now()
    state = event_data.state_of(conversation)
    with transaction.atomic():
        ConversationEvent.objects.create(
            conversation=conversation,
            at=now,
            old_status=conversation.status,
            new_status=status,
            actor=by.user,
        )
        conversation.status = status
        conversation.resolved_at = now if status == Status.RESOLVED else None
        conversation.save(update_fields=["status", "resolved_at"])
        event_data.announce_moves({conversation.pk: state}, by=by)
        _changed(conversation.pk)
    return conversation


def conversation_set_tags(
    *, by: Acting, conversation: Conversation, names: Iterable[str]
) -> Conversation:
    """Replace the tags; new tag names are created."""
    clean = sorted({n.strip()[:60] for n in names if n.strip()}, key=str.lower)
    with transaction.atomic():
        tags = [Tag.objects.get_or_create(name=name)[0] for name in clean]
        conversation.tags.set(tags)
        _changed(conversation.pk)
        changes.changed("inbox.conversation", [conversation.pk])
    return conversation


def message_set_needs_reply(*, by: Acting, message: Message, value: bool) -> Message:
    """Override the detector: this message does (not) need a reply."""
    if message.direction != Direction.INBOUND:
        raise ValidationError(_("Only messages from customers can need a reply."))
    with transaction.atomic():
        message.needs_reply = value
        message.needs_reply_set_by = by.user
        message.save(update_fields=["needs_reply", "needs_reply_set_by"])
        refresh_conversations({message.conversation_id})
        _changed(message.conversation_id)
    return message


PRESENCE_FRESH_SECONDS = 20


def presence_update(*, user: User, conversation: Conversation, typing: bool) -> list[Presence]:
    """Note that the person has the conversation open; return the others who have it open."""
    now = timezone.now()
    Presence.objects.update_or_create(
        conversation=conversation, user=user, defaults={"seen_at": now, "typing": typing}
    )
    fresh = now - timedelta(seconds=PRESENCE_FRESH_SECONDS)
    return list(
        Presence.objects.filter(conversation=conversation, seen_at__gte=fresh)
        .exclude(user=user)
        .select_related("user")
    )


def fill_placeholders(text: str, *, conversation: Conversation, agent: User | None) -> str:
    """Fill {name}, {agent} and {company} of a saved reply for this conversation."""
    organisation = Organisation.current()
    contact = conversation.contact
    values = {
        # first or full name, as the organisation chose (accounts: organisation settings)
        "name": organisation.greeting_name(contact.display_name) if contact else "",
        "agent": agent.get_short_name() if agent else "",
        "company": organisation.name,
    }
    return re.sub(r"\{(name|agent|company)\}", lambda m: values[m.group(1)], text)


def saved_reply_create(*, by: Acting, title: str, body: str) -> SavedReply:
    """Add a saved reply for the whole team."""
    title = title.strip()
    if SavedReply.objects.filter(title__iexact=title).exists():
        raise ValidationError({"title": _("A saved reply with this title exists already.")})
    with transaction.atomic():
        saved = SavedReply.objects.create(title=title, body=body.strip())
        record(by, "saved_reply.created", saved, after={"title": saved.title})
    return saved


def saved_reply_update(*, by: Acting, saved: SavedReply, title: str, body: str) -> SavedReply:
    """Change a saved reply's title and text; the audit log keeps what it said before."""
    title, body = title.strip(), body.strip()
    if SavedReply.objects.filter(title__iexact=title).exclude(pk=saved.pk).exists():
        raise ValidationError({"title": _("A saved reply with this title exists already.")})
    if saved.source_url and body != saved.body:
        raise ValidationError(
            {
                "body": _(
                    "This saved reply follows the wiki page “%(page)s”: change the text there."
                )
                % {"page": saved.source_label}
            }
        )
    before = {"title": saved.title, "body": saved.body}
    with transaction.atomic():
        saved.title, saved.body = title, body
        saved.save(update_fields=["title", "body"])
        after = {"title": title, "body": body}
        record(by, "saved_reply.updated", saved, before=before, after=after)
    return saved


def saved_reply_sync(
    *,
    by: Acting,
    saved: SavedReply | None,
    title: str,
    body: str,
    source_label: str,
    source_url: str,
) -> SavedReply:
    """Create or refresh a saved reply that follows a page elsewhere (the wiki).

    While `source_url` is set, the text can only change here, from its source; an empty
    `source_url` releases the reply (editable again, text kept). A taken title gets a number.
    """
    title = title.strip()[:120] or _("Saved reply")
    with transaction.atomic():
        taken = SavedReply.objects.filter(title__iexact=title)
        if saved is not None:
            taken = taken.exclude(pk=saved.pk)
        if taken.exists():
            title = _free_title(title, besides=saved.pk if saved else None)
        if saved is None:
            saved = SavedReply.objects.create(
                title=title, body=body.strip(), source_label=source_label, source_url=source_url
            )
            record(by, "saved_reply.created", saved, after={"title": title, "source": source_url})
            return saved
        before = {"title": saved.title, "body": saved.body, "source": saved.source_url}
        after = {"title": title, "body": body.strip(), "source": source_url}
        if before == after and saved.source_label == source_label:
            return saved
        saved.title, saved.body = title, body.strip()
        saved.source_label, saved.source_url = source_label[:200], source_url[:500]
        saved.save(update_fields=["title", "body", "source_label", "source_url"])
        record(by, "saved_reply.synced", saved, before=before, after=after)
    return saved


def _free_title(title: str, *, besides: int | None) -> str:
    for n in range(2, 1000):
        candidate = f"{title[:112]} ({n})"
        taken = SavedReply.objects.filter(title__iexact=candidate)
        if besides is not None:
            taken = taken.exclude(pk=besides)
        if not taken.exists():
            return candidate
    raise ValidationError({"title": _("A saved reply with this title exists already.")})


def saved_reply_delete(*, by: Acting, saved: SavedReply) -> None:
    with transaction.atomic():
        record(by, "saved_reply.deleted", saved, before={"title": saved.title, "body": saved.body})
        saved.delete()


def _changed(conversation_id: int) -> None:
    """Tell the apps above (the SLA clocks) that this conversation changed."""
    conversations_changed.send(sender=Conversation, conversation_ids=[conversation_id])
