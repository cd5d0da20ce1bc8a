"""Warnings before a deadline and at a breach: to whom, how often, in the app and by e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from socialdesk.inbox.models import Notification
from socialdesk.sla.models import SlaPolicy
from socialdesk.sla.services import refresh_sla
from socialdesk.sla.tests.test_policies import _question
from socialdesk.sla.warnings import check_and_warn


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def account(db):
    from socialdesk.channels.models import ChannelAccount

    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def test_it_warns_the_assignee_once_when_at_risk_and_again_at_breach(account, people):
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60, warn_before_minutes=15)
    start = datetime.now(UTC) - timedelta(minutes=50)
    conversation = _question(account, start)
    conversation.assignee = people["agent"]
    conversation.save()
    people["agent"].language = "en"  # the e-mail speaks the person's language
    people["agent"].save()
    refresh_sla([conversation.pk], now=start)  # as when the message arrived
    assert check_and_warn(now=start + timedelta(minutes=50)) == 1
    assert (
        check_and_warn(now=start + timedelta(minutes=52)) == 0
    )  # no second warning for the same state
    assert [n.kind for n in Notification.objects.filter(user=people["agent"])] == ["at_risk"]
    assert [m.to for m in mail.outbox] == [["alex@example.com"]]
    assert "close to its response-time target" in mail.outbox[0].body
    assert check_and_warn(now=start + timedelta(minutes=61)) == 1
    assert sorted(n.kind for n in Notification.objects.filter(user=people["agent"])) == [
        "at_risk",
        "breached",
    ]
    assert mail.outbox[-1].subject.startswith("Deadline missed")


def test_it_warns_the_department_when_nobody_is_assigned(account, people, departments):
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    start = datetime.now(UTC) - timedelta(hours=2)
    conversation = _question(account, start)
    departments["Customer Service"].email = "service@example.com"
    departments["Customer Service"].save()
    conversation.department = departments["Customer Service"]
    conversation.save()
    refresh_sla([conversation.pk])
    check_and_warn()
    assert sorted(n.user.email for n in Notification.objects.all()) == [
        "alex@example.com",
        "max@example.com",
    ]
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("alex@example.com",),
        ("max@example.com",),
        ("service@example.com",),
    ]


def test_it_shows_notifications_in_the_app_and_marks_them_read(client_as, account, people):
    conversation = _question(account, datetime.now(UTC))
    client_as("manager").post(
        reverse("inbox:note", args=[conversation.pk]), {"note-text": "@alex bitte übernehmen"}
    )
    agent = client_as("agent")
    page = agent.get(reverse("inbox:list")).content.decode()
    assert 'class="notifications-link has-unread"' in page
    listing = agent.get(reverse("inbox:notifications")).content.decode()
    assert "mentioned you: “@alex bitte übernehmen”" in listing  # who, and what they wrote
    # Opening the page is a GET and changes nothing; the page's button marks them read (POST).
    assert "Mark all as read" in listing
    agent.post(reverse("inbox:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
