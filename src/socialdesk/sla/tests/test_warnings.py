"""Warnings before a deadline and at a breach: to whom, how often, in the app and by e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from socialdesk.inbox.models import Conversation, Direction, Notification
from socialdesk.sla.models import SlaPolicy
from socialdesk.sla.services import refresh_sla
from socialdesk.sla.tests.test_outcomes import _message
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


def test_imported_history_with_old_open_questions_sends_no_flood_of_warnings(
    account, people, caplog
):
    """Two years of history imported with its unanswered questions: their deadlines passed
    long ago. The check records them as breached without a notification or e-mail each (a
    real import made 71,000 e-mails that held up the worker's queue); a question of today
    that missed its deadline is still warned about."""
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    now = datetime.now(UTC)
    old = [_question(account, now - timedelta(days=700 - n)) for n in range(12)]
    late = old[-1]  # answered two days after its question, still open: no deadline pending
    _message(late, Direction.OUTBOUND, now - timedelta(days=687))
    fresh = _question(account, now - timedelta(hours=2))
    for conversation in [*old, fresh]:
        conversation.assignee = people["agent"]
        conversation.save()
    refresh_sla([c.pk for c in [*old, fresh]], now=now)

    with caplog.at_level("INFO", logger="socialdesk.sla.warnings"):
        assert check_and_warn(now=now) == 1

    assert [n.conversation_id for n in Notification.objects.all()] == [fresh.pk]
    assert len(mail.outbox) == 1
    assert "12 deadlines missed over 24 hours ago recorded without a warning" in caplog.text
    for conversation in old:
        conversation.refresh_from_db()
        assert (conversation.sla_state, conversation.sla_warned) == ("breached", "breached")
    assert late.sla_due_at is None and late.first_response_due_at is not None
    assert check_and_warn(now=now + timedelta(minutes=5)) == 0  # nothing left to warn
    assert len(mail.outbox) == 1


def test_a_deadline_missed_within_the_window_is_still_warned_about(account, people, settings):
    """The worker stopped for most of a day: the breaches of that day are still announced;
    with a window of one hour, the same breach is recorded quietly."""
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    now = datetime.now(UTC)
    conversation = _question(account, now - timedelta(hours=23))  # due 22 hours ago
    conversation.assignee = people["agent"]
    conversation.save()
    refresh_sla([conversation.pk], now=now)
    settings.SLA_WARN_WITHIN_HOURS = 1
    assert check_and_warn(now=now) == 0
    assert mail.outbox == []

    Conversation.objects.filter(pk=conversation.pk).update(sla_warned="")  # as before it
    settings.SLA_WARN_WITHIN_HOURS = 24
    assert check_and_warn(now=now) == 1
    assert [n.kind for n in Notification.objects.filter(user=people["agent"])] == ["breached"]
    assert mail.outbox[0].subject == "Frist überschritten: Kim"  # the organisation speaks German


def test_the_periodic_check_refreshes_only_clocks_running_out_and_all_after_a_policy_change(
    account, people, monkeypatch
):
    """Time alone changes a conversation's state only when a running clock comes within the
    warning time or passes its deadline: the check refreshes those (and every open one after
    a change of the policies); a clock far from its deadline, or one already breached, waits
    for its next message."""
    from socialdesk.sla import warnings

    policy = SlaPolicy.objects.create(
        name="Hour", first_response_minutes=60, warn_before_minutes=15
    )
    now = datetime.now(UTC)
    far = _question(account, now - timedelta(minutes=10))  # due in 50 minutes
    near = _question(account, now - timedelta(minutes=50))  # due in 10: within the warning
    late = _question(account, now - timedelta(minutes=70))  # due 10 minutes ago
    for conversation in (far, near, late):
        refresh_sla([conversation.pk], now=conversation.created_at)  # as when it arrived
    refreshed: list[list[int]] = []
    real = refresh_sla

    def noted(ids, now=None):
        refreshed.append(sorted(ids))
        return real(ids, now=now)

    monkeypatch.setattr(warnings, "refresh_sla", noted)
    check_and_warn(now=now)
    assert refreshed == [[near.pk]]  # the late one was breached when its message came
    states = dict(Conversation.objects.values_list("pk", "sla_state"))
    assert (states[far.pk], states[near.pk], states[late.pk]) == ("on_track", "at_risk", "breached")
    refreshed.clear()
    check_and_warn(now=now + timedelta(minutes=11))  # the near one's deadline passed
    assert refreshed == [[near.pk]]
    assert Conversation.objects.get(pk=near.pk).sla_state == "breached"
    refreshed.clear()
    check_and_warn(now=now + timedelta(minutes=12))  # nothing runs out: nothing refreshed
    assert refreshed == []
    check_and_warn(now=now + timedelta(minutes=36))  # the far one's warning time came
    assert refreshed == [[far.pk]]
    assert Conversation.objects.get(pk=far.pk).sla_state == "at_risk"
    # a longer warning time reaches the far ones at once (the longest of the policies)
    other = _question(account, now - timedelta(minutes=5))
    refresh_sla([other.pk], now=other.created_at)
    policy.warn_before_minutes = 58
    policy.save()
    refreshed.clear()
    check_and_warn(now=now)
    assert other.pk in refreshed[0]
    refreshed.clear()
    check_and_warn(now=now, every=True)  # after a change of the policies: every open one
    assert refreshed == [sorted([far.pk, near.pk, late.pk, other.pk])]


def test_a_change_of_the_policies_asks_for_a_check_of_every_open_conversation(monkeypatch, db):
    from types import SimpleNamespace

    from socialdesk.sla import tasks
    from socialdesk.sla.services import _apply_to_open_conversations

    asked: list[dict[str, object]] = []
    fake = SimpleNamespace(enqueue=lambda **kwargs: asked.append(kwargs))
    monkeypatch.setattr(tasks, "check_slas", fake)

    _apply_to_open_conversations()
    assert asked == [{"every": True}]
