"""Reminders to review: once per page and due date, to the owner, in their language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from socialdesk.core import schedule
from socialdesk.inbox.models import Notification
from socialdesk.wiki import tasks
from socialdesk.wiki.page_services import page_create, page_mark_reviewed
from socialdesk.wiki.reminders import send_review_reminders

from .helpers import acting, org_space

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_reminds_the_owner_once_per_page_and_due_date_in_their_language(people):
    owner = people["agent"]
    owner.language = "de"
    owner.save()
    today = timezone.localdate()
    page = page_create(
        by=acting(owner), space=org_space(), title="Rückerstattung bei Zugausfall",
        review_by=date(2026, 11, 3),
    )  # fmt: skip
    page.review_every_days = 30
    page.save()
    page_create(by=acting(owner), space=org_space("b", "B"), title="Später", review_by=today + timedelta(days=300))  # fmt: skip
    assert tasks.remind_reviews in schedule.wanted(schedule.REGULAR)
    assert send_review_reminders(today) == 1
    assert send_review_reminders(today) == 0
    notes = Notification.objects.filter(kind=Notification.Kind.WIKI)
    assert [(n.user, n.title) for n in notes] == [
        (owner, "Bitte prüfen: „Rückerstattung bei Zugausfall“ (fällig seit 3. November 2026)")
    ]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    assert "Rückerstattung bei Zugausfall" in mail.outbox[0].body
    assert tasks.remind_reviews not in schedule.wanted(schedule.REGULAR)
    page_mark_reviewed(by=acting(owner), page=page)
    page.refresh_from_db()
    assert page.review_by == today + timedelta(days=30)
    assert send_review_reminders(today + timedelta(days=30)) == 1


def test_it_tells_the_managers_when_the_page_has_no_owner(people):
    page = page_create(by=acting(people["agent"]), space=org_space(), title="Waise", review_by=date(2026, 1, 1))  # fmt: skip
    page.owner = None
    page.save()
    assert send_review_reminders(date(2026, 2, 1)) == 2
    told = set(Notification.objects.values_list("user__role", flat=True))
    assert told == {"admin", "manager"}
