"""The customer's rights: export everything about a contact, erase them, and retention.

Erasing anonymises rather than deletes: conversations and messages stay with their times,
directions and needs-reply facts, so the first-response KPI, SLA figures and volumes keep
counting them, but every text becomes "[erased]", the contact and their handles are deleted,
and what was derived from their texts (classifications, labels used for training, listening
matches, feedback links, reply drafts) is removed. The network's message id stays, so a
later poll or backfill does not bring the erased message back.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from socialdesk.accounts.audit import Acting, forget_names, record, scrub_events
from socialdesk.accounts.models import Organisation
from socialdesk.channels.models import SetAsideItem, WebhookDelivery
from socialdesk.channels.webhook.receiver import process_pending
from socialdesk.core import changes
from socialdesk.core.erasure import ERASED
from socialdesk.feedback.models import (
    Classification,
    FeedbackEvent,
    FeedbackItem,
    FeedbackLink,
    Label,
    ReplyDraft,
    TrainedModel,
)
from socialdesk.feedback.services import refresh_facts
from socialdesk.feedback.tasks import retrain_model
from socialdesk.inbox.models import Contact, Conversation, Message, Note, Notification
from socialdesk.listening.models import MonitorMatch
from socialdesk.privacy import selectors
from socialdesk.privacy.internal import scrub_internal
from socialdesk.search.maintenance import compact


@dataclass(frozen=True)
class Erased:
    conversations: int
    messages: int


def export_html(data: dict[str, Any], language: str) -> str:
    """Return the readable document of an export, in the reader's language (escaped)."""
    with translation.override(language):
        return render_to_string("privacy/export.html", {"data": data, "language": language})


def contact_export(*, by: Acting, contact: Contact) -> dict[str, Any]:
    """Return everything stored about the contact and note in the audit log that it was read."""
    data = selectors.contact_data(contact)
    record(
        by,
        "contact.exported",
        contact,
        object_repr=f"contact #{contact.pk}",
        after={"messages": len(data["messages"])},
    )
    return data


def contact_export_files(
    *, by: Acting, contact: Contact, out_dir: Path, language: str = ""
) -> tuple[Path, Path]:
    """Write `contact-<id>.json` and `contact-<id>.html` into `out_dir`; return both paths."""
    data = contact_export(by=by, contact=contact)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = (
        out_dir / f"contact-{contact.pk}.json",
        out_dir / f"contact-{contact.pk}.html",
    )
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    language = language or Organisation.current().default_language
    html_path.write_text(export_html(data, language), encoding="utf-8")
    for path in (json_path, html_path):
        path.chmod(0o600)
    return json_path, html_path


def _scrub(text: str, terms: list[str]) -> str:
    for term in terms:
        text = re.sub(re.escape(term), ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_words(text: str, terms: list[str]) -> str:
    """Like `_scrub`, but only whole words: other people's text keeps "Bobby" when "bob" goes."""
    for term in terms:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", ERASED, text, flags=re.IGNORECASE)
    return text


def _forget_labels(message_ids: list[int]) -> None:
    """Delete the labels of these messages and the models that learnt from them; retrain."""
    labels = Label.objects.filter(message_id__in=message_ids)
    tasks = sorted(set(labels.values_list("task", flat=True)))
    labels.delete()
    TrainedModel.objects.filter(task__in=tasks).delete()
    for task in tasks:
        transaction.on_commit(partial(retrain_model.enqueue, task))


def _forget_raw(handles: list[str]) -> None:
    """Delete raw copies of what the networks delivered that name one of the handles.

    Processed webhook deliveries (their items are stored as messages) and items set aside
    as unreadable keep the payload as received; nothing else needs them once read.
    """
    if not handles:
        return
    pattern = re.compile(
        rb"(?<![\w.])(?:" + b"|".join(re.escape(h.encode()) for h in handles) + rb")(?![\w])",
        re.IGNORECASE,
    )
    processed = WebhookDelivery.objects.filter(processed_at__isnull=False).only("pk", "body")
    named = [d.pk for d in processed.iterator(chunk_size=200) if pattern.search(bytes(d.body))]
    WebhookDelivery.objects.filter(pk__in=named).delete()
    set_aside = [
        item.pk
        for item in SetAsideItem.objects.only("pk", "raw").iterator(chunk_size=200)
        if pattern.search(json.dumps(item.raw, ensure_ascii=False).encode())
    ]
    SetAsideItem.objects.filter(pk__in=set_aside).delete()


def _anonymise(conversation_ids: list[int], message_ids: list[int]) -> set[int]:
    """Erase texts and everything derived from them; keep the facts the KPIs count.

    Return the feedback items the messages were linked to.
    """
    items = set(
        FeedbackLink.objects.filter(message_id__in=message_ids).values_list("item_id", flat=True)
    )
    FeedbackLink.objects.filter(message_id__in=message_ids).delete()
    for item in FeedbackItem.objects.filter(pk__in=items):
        refresh_facts(item)
    # The item's history quotes a linked message's text ("linked", "unlinked").
    quoted = {
        text[:200]
        for text in Message.objects.filter(pk__in=message_ids).values_list("text", flat=True)
    }
    FeedbackEvent.objects.filter(text__in=quoted).exclude(text="").update(text=ERASED)
    ReplyDraft.objects.filter(conversation_id__in=conversation_ids).delete()
    Classification.objects.filter(message_id__in=message_ids).delete()
    _forget_labels(message_ids)
    MonitorMatch.objects.filter(message_id__in=message_ids).delete()
    Message.objects.filter(pk__in=message_ids).update(
        text=ERASED, author_handle="", contact=None, meta={}, delivery_error=""
    )
    notes = Note.objects.filter(conversation_id__in=conversation_ids)
    note_ids = list(notes.values_list("pk", flat=True))
    notes.update(text=ERASED)
    Notification.objects.filter(conversation_id__in=conversation_ids).update(title="")
    Conversation.objects.filter(pk__in=conversation_ids).update(
        preview=ERASED, contact=None, erased_at=timezone.now()
    )
    forget_names("conversation", conversation_ids)
    forget_names("message", message_ids)
    # The search forgets the old texts in the same transaction.
    changes.changed("inbox.message", message_ids)
    changes.changed("inbox.note", note_ids)
    changes.changed("inbox.conversation", conversation_ids)
    changes.changed("feedback.item", sorted(items))
    return items


def _scrub_names(terms: list[str], items: set[int]) -> None:
    """Cut the person's name and handles out of notes, notification titles and feedback."""
    if not terms:
        return
    named, titled = Q(), Q()
    for term in terms:
        named |= Q(text__icontains=term)
        titled |= Q(title__icontains=term)
    notes, messages, conversations = [], [], []
    for note in Note.objects.filter(named):
        note.text = _scrub(note.text, terms)
        note.save(update_fields=["text"])
        notes.append(note.pk)
    for notification in Notification.objects.filter(titled):
        notification.title = _scrub(notification.title, terms)
        notification.save(update_fields=["title"])
    for event in FeedbackEvent.objects.filter(named, item_id__in=items):
        event.text = _scrub(event.text, terms)
        event.save(update_fields=["text"])
    for item in FeedbackItem.objects.filter(pk__in=items):
        title, description = _scrub(item.title, terms), _scrub(item.description, terms)
        if (title, description) != (item.title, item.description):
            item.title, item.description = title, description
            item.save(update_fields=["title", "description"])
    # The audit entries of those items recorded their titles ("feedback.created").
    scrub_events("feedbackitem", sorted(items), lambda text: _scrub(text, terms))
    # Other people's messages that name the person, and their conversations' previews.
    for message in Message.objects.filter(named).only("pk", "text"):
        text = _scrub_words(message.text, terms)
        if text != message.text:
            message.text = text
            message.save(update_fields=["text"])
            messages.append(message.pk)
    previews = Q()
    for term in terms:
        previews |= Q(preview__icontains=term)
    for conversation in Conversation.objects.filter(previews).only("pk", "preview"):
        preview = _scrub_words(conversation.preview, terms)
        if preview != conversation.preview:
            conversation.preview = preview
            conversation.save(update_fields=["preview"])
            conversations.append(conversation.pk)
    changes.changed("inbox.note", notes)
    changes.changed("inbox.message", messages)
    changes.changed("inbox.conversation", conversations)
    changes.changed("feedback.item", sorted(items))
    scrub_internal(terms, _scrub_words)  # room posts and wiki pages, with their history


def contact_erase(*, by: Acting, contact: Contact) -> Erased:
    """Erase the person everywhere (DSGVO Art. 17); the audit entry names no personal data."""
    contact_id = contact.pk
    # What has arrived but is not stored yet would bring the person back after the erasure:
    # store it first, so it is erased with the rest.
    process_pending()
    with transaction.atomic():
        conversation_ids = list(
            selectors.contact_conversations(contact).values_list("pk", flat=True)
        )
        message_ids = list(selectors.contact_messages(contact).values_list("pk", flat=True))
        items = _anonymise(conversation_ids, message_ids)
        _scrub_names(selectors.search_terms(contact), items)
        _forget_raw([h.handle for h in contact.handles.all()])
        record(
            by,
            "contact.erased",
            contact,
            object_repr=f"contact #{contact_id}",
            after={"conversations": len(conversation_ids), "messages": len(message_ids)},
        )
        contact.delete()
        changes.changed("inbox.contact", [contact_id])
    compact()
    _checkpoint()
    return Erased(conversations=len(conversation_ids), messages=len(message_ids))


def _checkpoint() -> None:
    """On SQLite, move the write-ahead log into the (securely deleting) database file, so
    erased texts do not linger in the log; PostgreSQL's VACUUM does this in its own time."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return  # inside an outer transaction the checkpoint waits for its commit
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])  # 31 March → 28/29 Feb
    return moment.replace(year=year, month=month + 1, day=day)


def _claim_round() -> bool:
    """Hold the organisation's row for this round of retention (the caller's transaction).

    A second worker at the same moment skips its round instead of anonymising the same
    conversations again (a second audit entry) or half of a customer's (whose contact would
    then stay behind). On SQLite the IMMEDIATE transaction lets one writer in at a time.
    NO KEY: rows that refer to the organisation can still be written meanwhile."""
    held = Organisation.objects.filter(pk=Organisation.current().pk).select_for_update(
        skip_locked=True, no_key=True
    )
    return held.values_list("pk", flat=True).first() is not None


def retention_apply(now: datetime | None = None) -> Erased:
    """Anonymise conversations whose last message is older than the organisation's setting."""
    months = Organisation.current().retention_months
    if not months:
        return Erased(0, 0)
    cutoff = _months_before(now or timezone.now(), months)
    with transaction.atomic():
        if not _claim_round():
            return Erased(0, 0)  # another worker applies it at this moment
        # Raw payloads as the networks delivered them are kept no longer than the texts.
        WebhookDelivery.objects.filter(processed_at__lt=cutoff).delete()
        SetAsideItem.objects.filter(created_at__lt=cutoff).delete()
        # Also a conversation that was anonymised once and went on afterwards.
        due = Conversation.objects.filter(
            Q(erased_at__isnull=True) | Q(erased_at__lt=F("last_message_at")),
            last_message_at__lt=cutoff,
        )
        conversation_ids = list(due.values_list("pk", flat=True)[:1000])
        if not conversation_ids:
            return Erased(0, 0)
        contact_ids = set(
            Conversation.objects.filter(pk__in=conversation_ids)
            .exclude(contact=None)
            .values_list("contact_id", flat=True)
        )
        message_ids = list(
            Message.objects.filter(conversation_id__in=conversation_ids).values_list(
                "pk", flat=True
            )
        )
        items = _anonymise(conversation_ids, message_ids)
        # A contact with nothing left is deleted with their handles, and their name with them.
        for contact in Contact.objects.filter(
            pk__in=contact_ids, conversations__isnull=True, messages__isnull=True
        ):
            _scrub_names(selectors.search_terms(contact), items)
            contact_id = contact.pk
            contact.delete()
            changes.changed("inbox.contact", [contact_id])
        record(
            Acting(user=None, label="retention"),
            "retention.applied",
            after={"conversations": len(conversation_ids), "messages": len(message_ids),
                   "months": months},
        )  # fmt: skip
    compact()
    return Erased(conversations=len(conversation_ids), messages=len(message_ids))
