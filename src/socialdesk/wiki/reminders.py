"""Reminders to review: the owner of a page whose review date has come is told once per page
and due date, in the app and by e-mail, in their language (no owner, or one who can no longer
read the page: the managers who can)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from socialdesk.access import MANAGERS
from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import User
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import notify

from .models import WikiPage
from .selectors import pages_for_user

BY = Acting(user=None, label="wiki reminders")


def due_unreminded(today: date | None = None) -> QuerySet[WikiPage]:
    day = today or timezone.localdate()
    return WikiPage.objects.filter(
        deleted_at__isnull=True, managed_by="", review_by__isnull=False, review_by__lte=day
    ).filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_by")))


def has_work() -> bool:
    return due_unreminded().exists()


def _readers(page: WikiPage) -> list[User]:
    owner = page.owner
    if owner is not None and owner.is_active and pages_for_user(owner).filter(pk=page.pk).exists():
        return [owner]
    managers = User.objects.filter(is_active=True, role__in=MANAGERS).order_by("pk")
    return [m for m in managers if pages_for_user(m).filter(pk=page.pk).exists()]


def _title(title: str, due: date) -> Callable[[], str]:
    def make() -> str:  # runs in each person's language
        return gettext("Please review: “%(title)s” (due since %(date)s)") % {
            "title": title,
            "date": date_format(due, "DATE_FORMAT"),
        }

    return make


def send_review_reminders(today: date | None = None) -> int:
    """Remind about every page due and not yet reminded for its due date; return how many."""
    sent = 0
    for pk in list(due_unreminded(today).values_list("pk", flat=True)):
        with transaction.atomic():
            page = (
                due_unreminded(today)
                .select_for_update(of=("self",))
                .select_related("space", "owner")
                .filter(pk=pk)
                .first()
            )
            if page is None or page.review_by is None:
                continue  # another worker was quicker, or the date changed
            people = _readers(page)
            due = page.review_by
            notify(
                people,
                kind=Notification.Kind.WIKI,
                path=reverse("wiki:page", args=[page.pk]),
                title=_title(page.title, due),
                template="wiki/email/review.txt",
                context={"page": page, "due": due},
            )
            page.review_reminded_for, page.review_reminded_at = due, timezone.now()
            page.save(update_fields=["review_reminded_for", "review_reminded_at"])
            record(BY, "wiki.review_reminded", page, after={"people": [p.pk for p in people]})
            sent += len(people)
    return sent
