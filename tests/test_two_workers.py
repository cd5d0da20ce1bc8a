"""Two workers run the same scheduled task at the same moment on one PostgreSQL database: each
unit of work is done once (one warning, one reminder, one e-mail, one stored item).

Each "worker" is a thread with its own database connection; both start together behind a
barrier, and the work is slowed a little where needed so that both really are in the middle
of it at once. SQLite lets one writer in at a time (IMMEDIATE transactions), so two runs there
cannot overlap: these tests run on PostgreSQL only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, Organisation, User
from socialdesk.channels.models import ChannelAccount, Network, SetAsideItem, WebhookDelivery
from socialdesk.channels.webhook import receiver
from socialdesk.channels.webhook.receiver import process_pending
from socialdesk.feedback import services as feedback
from socialdesk.feedback import understanding
from socialdesk.feedback.models import Classification, FeedbackItem, FeedbackStatus
from socialdesk.goals.goal_models import Goal, GoalStatus, GoalStatusChange
from socialdesk.goals.goal_services import goal_create, refresh_due
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Notification
from socialdesk.listening.models import SpikeAlert
from socialdesk.listening.services import check_spike, monitor_create
from socialdesk.privacy.services import retention_apply
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.services import refresh_sla
from socialdesk.sla.warnings import check_and_warn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two connections at once need PostgreSQL (SQLite lets one writer in at a time)",
    ),
]

BY = Acting(user=None, label="test")


def at_once[T](work: Callable[[], T], workers: int = 2) -> list[T]:
    """Run `work` in `workers` threads that start together, each on its own connection; return
    what each returned. An exception in any of them fails the test (a worker's failed task)."""
    barrier = threading.Barrier(workers)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == workers
    return results


def slowed(monkeypatch: pytest.MonkeyPatch, target: str, seconds: float = 0.01) -> None:
    """Make a function take a little longer, so two workers overlap in the middle of the work."""
    module, name = target.rsplit(".", 1)
    real = getattr(__import__(module, fromlist=[name]), name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, slow)


def _account(network: str = Network.MASTODON) -> ChannelAccount:
    return ChannelAccount.objects.create(network=network, handle=f"nordlicht-{network}")


def _question(account: ChannelAccount, n: int, ago: timedelta) -> Conversation:
    """A conversation with one customer question, `ago` old."""
    contact = Contact.objects.create(display_name=f"Kim {n}")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id=f"q{n}",
        direction=Direction.INBOUND, contact=contact, author_handle=f"kim{n}", text="Wann?",
        needs_reply=True, created_at=timezone.now() - ago,
    )  # fmt: skip
    refresh_conversations({conversation.pk})
    return conversation


def test_an_sla_warning_is_notified_and_mailed_once(people: dict[str, User], monkeypatch) -> None:
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60, warn_before_minutes=15)
    account = _account()
    conversations = [_question(account, n, timedelta(minutes=50)) for n in range(20)]
    Conversation.objects.update(assignee=people["agent"])
    refresh_sla([c.pk for c in conversations])
    # Both workers find the same clocks to record and the same warnings to send.
    SlaOutcome.objects.all().delete()
    Conversation.objects.update(sla_state="", sla_warned="")
    slowed(monkeypatch, "socialdesk.sla.warnings._recipients")

    warned = at_once(check_and_warn)

    assert sum(warned) == 20
    assert Notification.objects.filter(kind=Notification.Kind.AT_RISK).count() == 20
    assert len(mail.outbox) == 20


def _goal(people: dict[str, User], name: str, today: date) -> Goal:
    return goal_create(
        by=Acting(user=people["manager"]), name=name, kpi="inbound_volume", params={}, target=200,
        start=today - timedelta(days=10), deadline=today + timedelta(days=30),
        owner=people["agent"],
    )  # fmt: skip


def test_a_change_of_a_goals_status_is_told_once(people: dict[str, User], monkeypatch) -> None:
    today = timezone.localdate()
    goals = [_goal(people, f"Anfragen {n}", today) for n in range(6)]
    GoalStatusChange.objects.all().delete()
    for goal in goals:  # the worker sees another status than the stored one (news arrived)
        other = next(s for s in GoalStatus if s != goal.status)
        Goal.objects.filter(pk=goal.pk).update(status=other, evaluated_at=None)
    slowed(monkeypatch, "socialdesk.goals.goal_services.measure")

    evaluated = at_once(refresh_due)

    assert sum(evaluated) == 6
    assert GoalStatusChange.objects.count() == 6  # one per goal
    told = Notification.objects.filter(kind=Notification.Kind.GOAL)
    assert told.count() == 6 * 2  # the owner and the one manager, once per goal
    assert len(mail.outbox) == 6 * 2


def test_a_feedback_reminder_and_the_daily_digest_go_out_once(
    people: dict[str, User], departments: dict[str, Department], monkeypatch
) -> None:
    product = departments["Product Development"]
    product.people.update(language="en")
    members = list(product.people.all())
    assert members
    account = _account(Network.WEBHOOK)
    for n in range(10):
        message = _question(account, n, timedelta(hours=1)).messages.get()
        item = feedback.item_create(by=BY, title=f"QR code {n}", message=message)
        feedback.item_forward(by=BY, item=item, department=product)
    FeedbackItem.objects.update(due_at=timezone.now() - timedelta(hours=1), reminded_at=None)
    User.objects.update(last_login=None)  # nobody was in the tool today: the digest is due
    mail.outbox.clear()
    Notification.objects.all().delete()
    slowed(monkeypatch, "socialdesk.feedback.services._members")

    at_once(lambda: feedback.send_reminders() + feedback.send_digests())

    assert Notification.objects.count() == 10 * len(members)  # one reminder per item
    subjects = [m.subject for m in mail.outbox]
    assert sum("Reminder" in s for s in subjects) == 10 * len(members)
    digests = [m.to for m in mail.outbox if "Feedback for" in m.subject]
    assert sorted(digests) == sorted([[p.email] for p in members])  # one each
    assert FeedbackItem.objects.filter(status=FeedbackStatus.NEW).count() == 10


def test_retention_anonymises_each_old_conversation_once_and_deletes_its_customers(
    people: dict[str, User], monkeypatch
) -> None:
    account = _account()
    customers = [Contact.objects.create(display_name=f"Olga {n}") for n in range(10)]
    for n in range(30):  # three old conversations per customer
        conversation = _question(account, n, timedelta(days=400))
        Conversation.objects.filter(pk=conversation.pk).update(contact=customers[n % 10])
        conversation.messages.update(contact=customers[n % 10])
    Contact.objects.exclude(pk__in=[c.pk for c in customers]).delete()
    organisation = Organisation.current()
    organisation.retention_months = 12
    organisation.save()
    slowed(monkeypatch, "socialdesk.privacy.services._anonymise", 0.2)

    rounds = at_once(lambda: retention_apply().conversations)

    assert sorted(rounds) == [0, 30]  # one round did it, the other found it held
    applied = AuditEvent.objects.filter(action="retention.applied")
    assert [e.after["conversations"] for e in applied] == [30]
    assert not Contact.objects.exists()  # no customer left behind half-erased
    assert set(Message.objects.values_list("text", flat=True)) == {"[erased]"}


def test_each_new_message_is_classified_by_one_worker(db: None, monkeypatch) -> None:
    account = _account(Network.WEBHOOK)
    for n in range(60):
        _question(account, n, timedelta(minutes=5))
    monkeypatch.setattr(understanding, "CLAIM_CHUNK", 10)
    slowed(monkeypatch, "socialdesk.feedback.understanding.classify_messages", 0.05)
    # A slow claim query (a loaded machine): its snapshot is older than the other worker's
    # commit by the time it locks the rows that worker has just classified and let go.
    pending = understanding._pending
    monkeypatch.setattr(
        understanding, "_pending",
        lambda: pending().extra(where=["pg_sleep(0.005) IS NOT NULL"]),
    )  # fmt: skip

    classified = at_once(understanding.classify_new)

    assert sum(classified) == 60  # not 120: no message was classified twice
    assert Classification.objects.count() == 60


def test_each_webhook_delivery_is_stored_by_one_worker(db: None, monkeypatch) -> None:
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop", name="Shop")
    for batch in range(40):
        items = [
            {"id": f"d{batch}-{k}", "author": f"@kim{batch}_{k}", "text": "Wo bleibt mein Paket?",
             "created_at": "2026-11-02T09:00:00Z"}
            for k in range(5)
        ]  # fmt: skip
        WebhookDelivery.objects.create(channel_account=account, body=json.dumps({"items": items}).encode())  # fmt: skip
    stored_by_worker: list[int] = []  # the deliveries each call stored, by their ids
    real = receiver._store_channel

    def storing(deliveries: list[WebhookDelivery]) -> int:
        stored_by_worker.extend(d.pk for d in deliveries)
        time.sleep(0.05)  # both workers in the middle of storing at once
        return real(deliveries)

    monkeypatch.setattr(receiver, "_store_channel", storing)

    stored = at_once(lambda: process_pending(limit=5))

    assert sorted(stored_by_worker) == sorted(WebhookDelivery.objects.values_list("pk", flat=True))
    assert sum(stored) == 200
    assert Message.objects.count() == 200
    assert sorted(set(WebhookDelivery.objects.values_list("stored", "duplicates"))) == [(5, 0)]
    assert not SetAsideItem.objects.exists()


def test_a_spike_is_alerted_once_and_neither_worker_fails(people: dict[str, User]) -> None:
    account = _account()
    monitor = monitor_create(by=BY, name="Streik", query="streik", spike_minimum=5)
    for n in range(12):
        conversation = Conversation.objects.create(channel_account=account)
        message = Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"s{n}",
            direction=Direction.INBOUND, author_handle="kim", text="Schon wieder Streik!",
            created_at=timezone.now() - timedelta(minutes=n),
        )  # fmt: skip
        monitor.matches.create(message=message, created_at=message.created_at)

    alerts = at_once(lambda: check_spike(monitor))

    assert len([a for a in alerts if a is not None]) == 1
    assert SpikeAlert.objects.count() == 1
    managers = {people["admin"].email, people["manager"].email}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(managers)


def test_one_channels_deliveries_are_stored_one_batch_at_a_time_so_threads_stay_whole(
    db: None, monkeypatch
) -> None:
    """A customer's question and the reply to it arrive in two deliveries; two workers store at
    once. Were both batches stored side by side, neither would see the other's message (not
    committed yet) and the reply would start a conversation of its own. A channel's deliveries
    are held with its row, so its batches are stored one after the other; other channels' go
    on meanwhile."""
    shop = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop", name="Shop")
    other = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="bahn", name="Bahn")
    for n in range(10):
        question = {"id": f"q{n}", "author": f"@kim{n}", "text": "Wo bleibt mein Paket?",
                    "created_at": "2026-11-02T09:00:00Z"}  # fmt: skip
        reply = {"id": f"r{n}", "author": "@shop", "text": "Wir sehen nach.", "parent_id": f"q{n}",
                 "created_at": "2026-11-02T09:05:00Z"}  # fmt: skip
        for item in (question, reply):
            WebhookDelivery.objects.create(channel_account=shop, body=json.dumps(item).encode())
        WebhookDelivery.objects.create(channel_account=other, body=json.dumps({**question, "id": f"b{n}"}).encode())  # fmt: skip
    slowed(monkeypatch, "socialdesk.channels.webhook.receiver._store_channel", 0.05)

    at_once(lambda: process_pending(limit=1))

    assert Message.objects.filter(channel_account=shop).count() == 20
    threads = Conversation.objects.filter(channel_account=shop)
    assert threads.count() == 10  # each reply in its question's conversation
    assert sorted(set(threads.values_list("message_count", flat=True))) == [2]
    assert Message.objects.filter(channel_account=other).count() == 10


def test_the_endpoint_keeps_accepting_while_a_worker_stores_that_channels_batch(
    db: None, monkeypatch
) -> None:
    """Holding a channel keeps other workers off it, not the network: a delivery that comes in
    meanwhile is accepted at once (its row refers to the channel's row, which stays free for
    that), not after the batch."""
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop", name="Shop")
    item = {"id": "k1", "author": "@kim", "text": "Hallo?", "created_at": "2026-11-02T09:00:00Z"}
    WebhookDelivery.objects.create(channel_account=account, body=json.dumps(item).encode())
    real = receiver._store_channel
    storing = threading.Event()

    def slow(deliveries: list[WebhookDelivery]) -> int:
        storing.set()
        time.sleep(2)
        return real(deliveries)

    monkeypatch.setattr(receiver, "_store_channel", slow)
    worker = threading.Thread(target=lambda: at_once(process_pending, workers=1))
    worker.start()
    assert storing.wait(10)
    started = time.monotonic()
    receiver.accept(account, json.dumps({**item, "id": "k2"}).encode())
    took = time.monotonic() - started
    worker.join(30)
    assert took < 1.0, f"the endpoint waited {took:.1f} s for the worker's batch"
    assert WebhookDelivery.objects.count() == 2
