"""Tell people about something: a notification in the app and an e-mail, in their language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation, User
from socialdesk.core.tasks import send_email
from socialdesk.inbox.models import Notification


def notify(
    people: Iterable[User],
    *,
    kind: str,
    path: str,
    title: Callable[[], str],
    template: str,
    context: dict[str, Any],
) -> None:
    """One notification and one e-mail per person; `title` runs in each person's language.

    The e-mails are queued when the surrounding transaction commits.
    """
    default_language = Organisation.current().default_language
    for person in people:
        with translation.override(person.language or default_language):
            subject = str(title())
            body = render_to_string(
                template, {**context, "person": person, "link": settings.SITE_URL + path}
            )
        Notification.objects.create(user=person, kind=kind, title=subject[:300], link=path)
        transaction.on_commit(partial(send_email.enqueue, subject, body, [person.email]))


def notifications_mark_read(*, by: Acting, notification: Notification | None = None) -> int:
    """Mark one notification of the acting person read, or all of theirs; return how many.

    Only the acting person's own notifications are touched; one already read keeps its time.
    """
    unread = Notification.objects.filter(user=by.user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    with transaction.atomic():
        return unread.update(read_at=timezone.now())
