"""Reads about one customer: who they are, and everything socialdesk stores about them."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import AuditEvent
from socialdesk.channels.models import Network
from socialdesk.feedback.models import Classification, FeedbackLink, Label, ReplyDraft
from socialdesk.inbox.models import (
    Contact,
    ContactHandle,
    Conversation,
    Message,
    Note,
    Notification,
)
from socialdesk.listening.models import MonitorMatch
from socialdesk.spaces.models import RoomPost
from socialdesk.wiki.models import WikiPage, WikiRevision


class ContactNotFound(Exception):
    """No contact has this id or handle."""


def contact_find(handle_or_id: str) -> Contact:
    """Return the contact with this id, `network:handle`, or handle (with or without @)."""
    text = handle_or_id.strip()
    if text.lstrip("#").isdigit():
        found = Contact.objects.filter(pk=int(text.lstrip("#"))).first()
        if found:
            return found
    network, _sep, handle = text.partition(":")
    if network not in Network.values:  # a handle may hold colons itself (did:plc:…)
        network, handle = "", text
    handles = ContactHandle.objects.filter(handle__iexact=handle.lstrip("@"))
    if network:
        handles = handles.filter(network=network)
    contacts = {h.contact_id for h in handles}
    if len(contacts) > 1:
        raise ContactNotFound(f"{text!r} names several contacts: use network:handle or the id")
    if not contacts:
        raise ContactNotFound(f"no contact has the id or handle {text!r}")
    return Contact.objects.get(pk=contacts.pop())


def contact_get(pk: int) -> Contact:
    try:
        return Contact.objects.get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404 from None


def search_terms(contact: Contact) -> list[str]:
    """Return the words that name the person in free text (handles, @handles, the name)."""
    terms = {h.handle for h in contact.handles.all()} | {
        "@" + h.handle for h in contact.handles.all()
    }
    if len(contact.display_name.strip()) >= 3:
        terms.add(contact.display_name.strip())
    return sorted((t for t in terms if len(t) >= 3), key=len, reverse=True)


def contact_conversations(contact: Contact) -> QuerySet[Conversation]:
    return Conversation.objects.filter(contact=contact)


def contact_messages(contact: Contact) -> QuerySet[Message]:
    """Return every message of their conversations and every message they wrote elsewhere."""
    return Message.objects.filter(Q(conversation__contact=contact) | Q(contact=contact)).distinct()


def notes_mentioning(contact: Contact) -> QuerySet[Note]:
    """Return notes on their conversations and notes elsewhere that name them."""
    named = Q()
    for term in search_terms(contact):
        named |= Q(text__icontains=term)
    condition = Q(conversation__contact=contact)
    if named:
        condition |= named
    return Note.objects.filter(condition).distinct()


def audit_about(
    contact: Contact, conversation_ids: list[int], message_ids: list[int]
) -> QuerySet[AuditEvent]:
    """Return the audit log's events about the person, their conversations and messages."""
    return AuditEvent.objects.filter(
        Q(object_type="contact", object_id=str(contact.pk))
        | Q(object_type="conversation", object_id__in=[str(i) for i in conversation_ids])
        | Q(object_type="message", object_id__in=[str(i) for i in message_ids])
    )


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


_MARKS = r"[*_~`\\]*"  # what Markdown may put between a name's letters: emphasis, code, escapes
_GAP = r"[\s*_~`\\]+"  # between its words


def written(term: str) -> re.Pattern[str]:
    """The term as Markdown may write it, as whole words in any case: marks between its
    letters ("Kim **Quastenberg**", "kim\\_q") still spell it once the text is rendered."""
    letters = [_GAP if char.isspace() else re.escape(char) for char in term]
    return re.compile(rf"(?<!\w){_MARKS.join(letters)}(?!\w)", re.IGNORECASE)


def may_name(terms: list[str], field: str) -> Q | None:
    """Rows that may name the person in Markdown (`names` decides): their `field` holds the
    longest run of letters of one of the terms ("Quastenberg", "kim" of "kim_q")."""
    condition: Q | None = None
    for term in terms:
        runs = re.findall(r"[^\W_]+", term)
        if runs:
            part = Q(**{f"{field}__icontains": max(runs, key=len)})
            condition = part if condition is None else condition | part
    return condition


def names(text: str, terms: list[str]) -> bool:
    """Whether a Markdown text names the person: a term in it, plainly or between marks."""
    lowered = text.lower()
    return any(term.lower() in lowered or written(term).search(text) for term in terms)


def _naming_ids(rows: QuerySet[Any], terms: list[str]) -> list[int]:
    return [row.pk for row in rows.only("pk", "body").iterator() if names(row.body, terms)]


def room_posts_naming(contact: Contact) -> QuerySet[RoomPost]:
    """The team's room posts that name the person (deleted ones too: they are still stored)."""
    terms = search_terms(contact)
    condition = may_name(terms, "body")
    if condition is None:
        return RoomPost.objects.none()
    ids = _naming_ids(RoomPost.objects.filter(condition), terms)
    return RoomPost.objects.filter(pk__in=ids).select_related("room").order_by("pk")


def wiki_pages_naming(contact: Contact) -> QuerySet[WikiPage]:
    """Wiki pages whose text (or one of whose earlier versions) names the person."""
    terms = search_terms(contact)
    condition = may_name(terms, "body")
    if condition is None:
        return WikiPage.objects.none()
    ids = set(_naming_ids(WikiPage.objects.filter(condition), terms))
    for revision in WikiRevision.objects.filter(condition).only("page_id", "body").iterator():
        if revision.page_id not in ids and names(revision.body, terms):
            ids.add(revision.page_id)
    return WikiPage.objects.filter(pk__in=ids).order_by("pk")


def contact_data(contact: Contact) -> dict[str, Any]:
    """Return everything stored about the person, as plain JSON-ready data (DSGVO Art. 15)."""
    messages = list(contact_messages(contact).select_related("channel_account").order_by("pk"))
    ids = [m.pk for m in messages]
    classifications = {c.message_id: c for c in Classification.objects.filter(message_id__in=ids)}
    labels: dict[int, list[dict[str, str]]] = {}
    for label in Label.objects.filter(message_id__in=ids).order_by("pk"):
        labels.setdefault(label.message_id, []).append({"task": label.task, "value": label.value})
    links = FeedbackLink.objects.filter(message_id__in=ids).select_related("item").order_by("pk")
    matches = MonitorMatch.objects.filter(message_id__in=ids).select_related("monitor")
    conversations = list(
        contact_conversations(contact).select_related("channel_account", "department")
    )
    conversation_ids = [c.pk for c in conversations]

    def message_entry(m: Message) -> dict[str, Any]:
        c = classifications.get(m.pk)
        return {
            "id": m.pk,
            "conversation": m.conversation_id,
            "channel": str(m.channel_account),
            "network_id": m.external_id,
            "direction": m.direction,
            "author_handle": m.author_handle,
            "text": m.text,
            "created_at": _time(m.created_at),
            "language": m.language,
            "needs_reply": m.needs_reply,
            "classification": None if c is None else {
                "relevant": c.relevant, "sentiment": c.sentiment, "topics": c.topics,
                "source": c.source,
            },
            "labels": labels.get(m.pk, []),
        }  # fmt: skip

    return {
        "contact": {
            "id": contact.pk,
            "name": contact.display_name,
            "created_at": _time(contact.created_at),
        },
        "handles": [
            {"network": h.network, "handle": h.handle} for h in contact.handles.order_by("pk")
        ],
        "conversations": [
            {
                "id": c.pk,
                "channel": str(c.channel_account),
                "status": c.status,
                "language": c.language,
                "department": str(c.department or ""),
                "tags": [t.name for t in c.tags.all()],
                "first_message_at": _time(c.first_message_at),
                "last_message_at": _time(c.last_message_at),
            }
            for c in conversations
        ],
        "messages": [message_entry(m) for m in messages],
        "notes": [
            {
                "id": n.pk,
                "conversation": n.conversation_id,
                "text": n.text,
                "created_at": _time(n.created_at),
            }
            for n in notes_mentioning(contact).order_by("pk")
        ],
        "room_posts": [
            {"id": p.pk, "room": p.room.name, "text": p.body, "created_at": _time(p.created_at)}
            for p in room_posts_naming(contact)
        ],
        "wiki_pages": [
            {"id": p.pk, "title": p.title, "text": p.body, "updated_at": _time(p.updated_at)}
            for p in wiki_pages_naming(contact)
        ],
        "feedback": [
            {
                "item": link.item_id,
                "title": link.item.title,
                "status": link.item.status,
                "message": link.message_id,
                "linked_at": _time(link.created_at),
            }
            for link in links
        ],
        "reply_drafts": [
            {
                "item": d.item_id,
                "conversation": d.conversation_id,
                "text": d.text,
                "state": d.state,
                "language": d.language,
            }
            for d in ReplyDraft.objects.filter(conversation_id__in=conversation_ids).order_by("pk")
        ],
        "listening_matches": [
            {"monitor": m.monitor.name, "message": m.message_id, "at": _time(m.created_at)}
            for m in matches.order_by("pk")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "conversation": n.conversation_id,
                "created_at": _time(n.created_at),
            }
            for n in Notification.objects.filter(conversation_id__in=conversation_ids)
        ],
        "audit": [
            {
                "at": _time(e.at),
                "action": e.action,
                "by": e.actor_label,
                "about": f"{e.object_type} #{e.object_id}",
            }
            for e in audit_about(contact, conversation_ids, ids).order_by("at", "pk")
        ],
    }
