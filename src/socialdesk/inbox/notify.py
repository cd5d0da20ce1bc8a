"""Tell people about something: a notification in the app and an e-mail, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation, User
from socialdesk.core.tasks import send_email
from socialdesk.inbox.models import Note, Notification

EXCERPT = 140  # characters of a note quoted in a mention


def notify(
    people: Iterable[User],
    *,
    kind: str,
    path: str,
    title: Callable[[], str],
    template: str,
    context: dict[str, Any],
    conversation_id: int | None = None,
    email: bool = True,
) -> None:
    """One notification and one e-mail per person; `title` runs in each person's language.

    The e-mails are queued when the surrounding transaction commits. With `email=False` the
    notification stays in the app only (room mentions: they reach people in the daily digest).
    """
    default_language = Organisation.current().default_language
    for person in people:
        with translation.override(person.language or default_language):
            subject = str(title())
            body = render_to_string(
                template, {**context, "person": person, "link": settings.SITE_URL + path}
            )
        Notification.objects.create(
            user=person,
            kind=kind,
            title=subject[:300],
            link=path,
            conversation_id=conversation_id,
        )
        if email:
            transaction.on_commit(partial(send_email.enqueue, subject, body, [person.email]))


def excerpt(text: str) -> str:
    """One line of at most EXCERPT characters: fit for a list, a subject and a quote."""
    return Truncator(" ".join(text.split())).chars(EXCERPT)


def notify_mentioned(note: Note, people: Iterable[User]) -> None:
    """Tell each person mentioned in a note who mentioned them and what they wrote."""
    author = note.author
    who = " ".join((author.full_name or author.email).split()) if author else gettext("Someone")
    quote = excerpt(note.text)
    notify(
        people,
        kind=Notification.Kind.MENTION,
        path=reverse("inbox:conversation", args=[note.conversation_id]),
        title=lambda: gettext("%(who)s mentioned you: “%(text)s”") % {"who": who, "text": quote},
        template="inbox/email/mention.txt",
        context={"who": who, "excerpt": quote, "conversation": note.conversation},
        conversation_id=note.conversation_id,
    )


def notifications_mark_read(*, by: Acting, notification: Notification | None = None) -> int:
    """Mark one notification of the acting person read, or all of theirs; return how many.

    Only the acting person's own notifications are touched; one already read keeps its time.
    """
    unread = Notification.objects.filter(user=by.user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    with transaction.atomic():
        return unread.update(read_at=timezone.now())
