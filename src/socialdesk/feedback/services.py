"""Feedback items: capture, link, route, forward, track, hand off, and answer the customers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, GreetingForm, Organisation, User
from socialdesk.core import changes
from socialdesk.core.tasks import send_email
from socialdesk.feedback import event_data
from socialdesk.feedback.models import (
    CLOSED,
    DigestSent,
    FeedbackEvent,
    FeedbackItem,
    FeedbackLink,
    FeedbackStatus,
    ReplyDraft,
    RoutingRule,
    Topic,
    UsedLink,
)
from socialdesk.feedback.similarity import bag, cosine
from socialdesk.inbox.models import Conversation, Message, Notification
from socialdesk.inbox.notify import notify
from socialdesk.inbox.services import conversation_reply
from socialdesk.insights.query import Document, QueryError, compile_query

LINK_DAYS = 7  # digest links work this long
LINK_SALT = "socialdesk.feedback.digest"
SIMILAR_MINIMUM = 0.2


def similar_items(text: str, *, limit: int = 5) -> list[tuple[FeedbackItem, float]]:
    """Open items that say much the same as `text`, most similar first."""
    target = bag(text)
    scored: list[tuple[FeedbackItem, float]] = []
    items = FeedbackItem.objects.exclude(status__in=CLOSED).prefetch_related("links__message")
    for item in items:
        texts = [item.title, item.description, *(link.message.text for link in item.links.all())]
        score = cosine(target, bag(" ".join(texts)))
        if score >= SIMILAR_MINIMUM:
            scored.append((item, round(score, 2)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


# --------------------------------------------------------------------------- items and links


def item_event(item: FeedbackItem, by: Acting, kind: str, text: str = "") -> None:
    """Note on the item's history what was done to it, and by whom."""
    FeedbackEvent.objects.create(
        item=item, actor=by.user, actor_label=by.name[:200], kind=kind, text=text
    )


def refresh_facts(item: FeedbackItem) -> None:
    facts = FeedbackLink.objects.filter(item=item).aggregate(
        first=Min("message__created_at"), last=Max("message__created_at")
    )
    item.first_seen, item.last_seen = facts["first"], facts["last"]
    item.mention_count = FeedbackLink.objects.filter(item=item).count()
    item.save(update_fields=["first_seen", "last_seen", "mention_count", "updated_at"])


def route(item: FeedbackItem, text: str) -> Department | None:
    """The department for an item: the first rule whose query matches, else its topic's."""
    document = Document.of(f"{item.title}\n{item.description}\n{text}")
    for rule in RoutingRule.objects.select_related("department"):
        try:
            if compile_query(rule.query)(document):
                return rule.department
        except QueryError:
            continue  # rules are checked when saved; an old broken one is skipped
    if item.topic is not None and item.topic.department is not None:
        return item.topic.department
    return None


def item_create(
    *,
    by: Acting,
    title: str,
    message: Message | None = None,
    topic: Topic | None = None,
    description: str = "",
) -> FeedbackItem:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Say in a few words what the feedback is.")})
    with transaction.atomic():
        item = FeedbackItem.objects.create(
            title=title[:200], description=description, topic=topic, created_by=by.user
        )
        item_event(item, by, "created")
        record(by, "feedback.created", item, after={"title": item.title})
        if message is not None:
            item_link(by=by, item=item, message=message)
        event_data.announce_created(item, by, message)  # before it is forwarded
        department = route(item, message.text if message is not None else "")
        if department is not None:
            item_forward(by=by, item=item, department=department)
        changes.changed("feedback.item", [item.pk])
    return item


def item_link(*, by: Acting, item: FeedbackItem, message: Message) -> FeedbackLink | None:
    """Confirm that `message` says the item's feedback; None when it was linked already."""
    sentiment = ""
    classification = getattr(message, "classification", None)
    if classification is not None:
        sentiment = str(getattr(classification, "sentiment", "") or "")
    try:
        with transaction.atomic():
            link = FeedbackLink.objects.create(
                item=item, message=message, linked_by=by.user, sentiment=sentiment
            )
    except IntegrityError:
        return None
    refresh_facts(item)
    item_event(item, by, "linked", message.text[:200])
    if item.is_closed:  # a customer who says it after it was closed gets an answer too
        drafts_for(item)
    return link


def item_unlink(*, by: Acting, link: FeedbackLink) -> None:
    item = link.item
    link.delete()
    refresh_facts(item)
    item_event(item, by, "unlinked", link.message.text[:200])


def _members(department: Department) -> list[User]:
    return list(department.people.filter(is_active=True))


def _notify(people: Iterable[User], item: FeedbackItem, subject: Promise, template: str) -> None:
    """`subject` is a lazy text with %(title)s, translated for each person."""
    notify(
        people,
        kind=Notification.Kind.FEEDBACK,
        path=reverse("feedback:item", args=[item.pk]),
        title=lambda: str(subject) % {"title": item.title},
        template=template,
        context={"item": item},
    )


def item_forward(*, by: Acting, item: FeedbackItem, department: Department) -> FeedbackItem:
    """Hand the item to a department: it lands on their board with their deadline."""
    now = timezone.now()
    with transaction.atomic():
        previous, previous_status = item.department, item.status
        before = {"department": str(item.department or "")}
        item.department = department
        item.forwarded_at = now
        item.due_at = now + timedelta(hours=department.feedback_answer_hours)
        item.reminded_at = None
        if item.is_closed:
            item.status = FeedbackStatus.NEW
        item.save()
        item_event(item, by, "forwarded", department.name)
        record(by, "feedback.forwarded", item, before=before, after={"department": department.name})
        event_data.announce_forwarded(item, by, previous)
        event_data.announce_status(item, by, previous_status)  # a closed item is new again
        _notify(
            _members(department),
            item,
            gettext_lazy("New feedback for your department: %(title)s"),
            "feedback/email/forwarded.txt",
        )
    return item


def item_set_status(
    *, by: Acting, item: FeedbackItem, status: str, reason: str = ""
) -> FeedbackItem:
    """Move the item on its board; done or won't do drafts an answer to every customer."""
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    reason = reason.strip()
    if status == FeedbackStatus.WONT_DO and not reason:
        raise ValidationError({"reason": _("Say why it won't be done: the customers hear it.")})
    with transaction.atomic():
        before = {"status": item.status}
        item.status = status
        if reason:
            item.reason = reason
        item.save(update_fields=["status", "reason", "updated_at"])
        changes.changed("feedback.item", [item.pk])
        item_event(item, by, f"status:{status}", reason)
        record(by, "feedback.status_changed", item, before=before, after={"status": status})
        event_data.announce_status(item, by, before["status"])
        if status in CLOSED:
            drafts_for(item)
            if item.created_by is not None and item.created_by.is_active:
                _notify(
                    [item.created_by],
                    item,
                    gettext_lazy("Feedback answered: %(title)s"),
                    "feedback/email/closed.txt",
                )
    return item


def send_reminders(now: datetime | None = None) -> int:
    """Remind a department of new feedback it has not answered by its deadline (once)."""
    now = now or timezone.now()
    overdue = FeedbackItem.objects.filter(
        status=FeedbackStatus.NEW, due_at__lt=now, reminded_at__isnull=True
    ).select_related("department")
    sent = 0
    for item in overdue:
        if item.department is None:
            continue
        with transaction.atomic():
            # Claimed first: a second worker at the same moment waits for this row, then
            # finds it reminded and tells nobody again.
            if not FeedbackItem.objects.filter(pk=item.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            people = _members(item.department)
            _notify(
                people,
                item,
                gettext_lazy("Reminder: feedback waits for your answer: %(title)s"),
                "feedback/email/reminder.txt",
            )
            sent += len(people)
    return sent


# --------------------------------------------------------------------------- digest links


class LinkError(Exception):
    """A digest link that changes nothing; the message says why."""


def link_token(item: FeedbackItem, status: str, user: User) -> str:
    payload = {"i": item.pk, "s": status, "u": user.pk, "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def read_token(token: str) -> tuple[FeedbackItem, str, User, str]:
    """Check a digest link; raise LinkError saying why it cannot be used."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkError(
            _("This link has expired (links work for %(days)s days). Open the board instead.")
            % {"days": LINK_DAYS}
        ) from None
    except signing.BadSignature:
        raise LinkError(_("This link is not valid: it was changed or not made by us.")) from None
    if UsedLink.objects.filter(nonce=payload["n"]).exists():
        raise LinkError(_("This link has been used already; it works only once."))
    item = FeedbackItem.objects.filter(pk=payload["i"]).first()
    user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if item is None or user is None:
        raise LinkError(_("The feedback or the person of this link no longer exists."))
    return item, str(payload["s"]), user, str(payload["n"])


def apply_token(token: str, *, reason: str = "", ip: str | None = None) -> FeedbackItem:
    item, status, user, nonce = read_token(token)
    with transaction.atomic():
        try:
            UsedLink.objects.create(nonce=nonce)
        except IntegrityError:
            raise LinkError(_("This link has been used already; it works only once.")) from None
        item_set_status(by=Acting(user=user, ip=ip), item=item, status=status, reason=reason)
    return item


def send_digests(now: datetime | None = None) -> int:
    """Once a day: members who were not in the tool for a day get their board by e-mail."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    open_statuses = [s for s in FeedbackStatus.values if s not in CLOSED]
    default_language = Organisation.current().default_language
    for department in Department.objects.all():
        items = list(department.feedback.filter(status__in=open_statuses).order_by("due_at"))
        if not items:
            continue
        for person in _members(department):
            if person.last_login and person.last_login > now - timedelta(days=1):
                continue  # they see the board in the tool
            if DigestSent.objects.filter(user=person, day=today).exists():
                continue
            rows = [
                (
                    item,
                    [
                        (label, settings.SITE_URL + reverse(
                            "feedback:act", args=[link_token(item, status, person)]))
                        for status, label in FeedbackStatus.choices
                        if status != item.status and status != FeedbackStatus.NEW
                    ],
                )
                for item in items
            ]  # fmt: skip
            with translation.override(person.language or default_language):
                subject = _("Feedback for %(department)s: %(count)s open") % {
                    "department": department.name,
                    "count": len(items),
                }
                body = render_to_string(
                    "feedback/email/digest.txt",
                    {"department": department, "rows": rows, "days": LINK_DAYS,
                     "board": settings.SITE_URL + reverse("feedback:board", args=[department.pk])},
                )  # fmt: skip
            if _claim_digest(person, today):
                transaction.on_commit(partial(send_email.enqueue, subject, body, [person.email]))
                sent += 1
    return sent


def _claim_digest(person: User, day: date) -> bool:
    """Record today's digest for the person; False when another worker recorded it first
    (the unique row per person and day decides)."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=person, day=day)
    except IntegrityError:
        return False
    return True


# --------------------------------------------------------------------------- closing the loop

# Drafts by language; German also by how the organisation addresses customers ("de-du").
DRAFTS = {
    "de": {
        FeedbackStatus.DONE: (
            "Hallo {name}, Sie hatten uns auf „{title}“ hingewiesen. Danke dafür! "
            "Das ist jetzt erledigt{reason}."
        ),
        FeedbackStatus.WONT_DO: (
            "Hallo {name}, Sie hatten uns auf „{title}“ hingewiesen. Danke dafür! "
            "Wir haben es geprüft und werden es nicht umsetzen{reason}."
        ),
    },
    "de-du": {
        FeedbackStatus.DONE: (
            "Hallo {name}, du hattest uns auf „{title}“ hingewiesen. Danke dafür! "
            "Das ist jetzt erledigt{reason}."
        ),
        FeedbackStatus.WONT_DO: (
            "Hallo {name}, du hattest uns auf „{title}“ hingewiesen. Danke dafür! "
            "Wir haben es geprüft und werden es nicht umsetzen{reason}."
        ),
    },
    "en": {
        FeedbackStatus.DONE: (
            "Hi {name}, you told us about “{title}”. Thank you! It has been fixed{reason}."
        ),
        FeedbackStatus.WONT_DO: (
            "Hi {name}, you told us about “{title}”. Thank you! We looked into it and "
            "will not change it{reason}."
        ),
    },
}


def draft_text(
    item: FeedbackItem,
    conversation: Conversation,
    language: str,
    organisation: Organisation | None = None,
) -> str:
    """The answer to one customer, as the organisation speaks: du or Sie, first or full name."""
    organisation = organisation or Organisation.current()
    key = f"{language}-du" if organisation.greeting_form == GreetingForm.DU else language
    texts = DRAFTS.get(key) or DRAFTS.get(language) or DRAFTS["en"]
    template = texts.get(FeedbackStatus(item.status)) or texts[FeedbackStatus.DONE]
    reason = f": {item.reason.strip().rstrip('.')}" if item.reason.strip() else ""
    contact = conversation.contact
    name = organisation.greeting_name(contact.display_name) if contact else ""
    return template.format(name=name or ("zusammen" if language == "de" else "there"),
                           title=item.title, reason=reason)  # fmt: skip


def drafts_for(item: FeedbackItem) -> int:
    """A reply draft for every linked conversation that has none (in its language)."""
    if not item.is_closed:
        return 0
    existing = set(item.drafts.values_list("conversation_id", flat=True))
    conversations = (
        Conversation.objects.filter(messages__feedback_links__item=item)
        .exclude(pk__in=existing)
        .select_related("contact")
        .distinct()
    )
    organisation = Organisation.current()
    default_language = organisation.default_language
    created = 0
    for conversation in conversations:
        language = conversation.language if conversation.language in DRAFTS else default_language
        ReplyDraft.objects.create(
            item=item,
            conversation=conversation,
            language=language,
            text=draft_text(item, conversation, language, organisation),
        )
        created += 1
    return created


def draft_send(*, by: Acting, draft: ReplyDraft, text: str) -> Message:
    """Send the (reviewed) draft through the conversation's own channel."""
    if draft.state != ReplyDraft.State.DRAFT:
        raise ValidationError(_("This answer was sent or discarded already."))
    with transaction.atomic():
        message = conversation_reply(by=by, conversation=draft.conversation, text=text)
        draft.text, draft.state, draft.sent_message = text, ReplyDraft.State.SENT, message
        draft.save(update_fields=["text", "state", "sent_message"])
        item_event(draft.item, by, "answered", str(draft.conversation.contact or ""))
    return message


def draft_discard(*, by: Acting, draft: ReplyDraft) -> None:
    if draft.state == ReplyDraft.State.DRAFT:
        draft.state = ReplyDraft.State.DISCARDED
        draft.save(update_fields=["state"])
        item_event(draft.item, by, "discarded", str(draft.conversation.contact or ""))
