"""Bulk actions on the inbox list: what they change, undo to the exact state before, scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import bulk
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.job_models import BulkChange, BulkJob
from socialdesk.inbox.models import (
    Contact,
    Conversation,
    ConversationEvent,
    Direction,
    Message,
    Status,
    Tag,
)
from socialdesk.inbox.selectors import InboxFilters
from socialdesk.inbox.signals import conversations_changed
from socialdesk.inbox.tasks import run_bulk_job


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _conversations(account, n: int, **fields: Any) -> list[Conversation]:
    made = []
    for i in range(n):
        contact = Contact.objects.create(display_name=f"Kunde {i}")
        conversation = Conversation.objects.create(
            channel_account=account, contact=contact, **fields
        )
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"m{conversation.pk}",
            direction=Direction.INBOUND,
            contact=contact,
            text=f"Frage {i}?",
            needs_reply=True,
            created_at=timezone.now() - timedelta(minutes=60 - i),
        )
        made.append(conversation)
    refresh_conversations({c.pk for c in made})
    return made


def _state(conversation_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Everything a bulk action may change, per conversation."""
    state = {}
    for c in Conversation.objects.filter(pk__in=conversation_ids).prefetch_related("tags"):
        messages = tuple(
            c.messages.order_by("pk").values_list("needs_reply", "needs_reply_set_by_id")
        )
        events = c.events.count()
        state[c.pk] = (
            c.status,
            c.resolved_at,
            c.assignee_id,
            c.department_id,
            tuple(sorted(t.name for t in c.tags.all())),
            c.needs_reply,
            messages,
            events,
        )
    return state


def test_it_resolves_a_selection_and_undo_restores_each_state(client_as, people, account):
    items = _conversations(account, 4)
    # Different states before: one waiting, one resolved long ago, one open and tagged.
    waiting, resolved, tagged, _plain = items
    Conversation.objects.filter(pk=waiting.pk).update(status=Status.WAITING)
    long_ago = timezone.now() - timedelta(days=3)
    Conversation.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, resolved_at=long_ago)
    tagged.tags.add(Tag.objects.create(name="Zug"))
    ids = [c.pk for c in items]
    before = _state(ids)
    client = client_as("agent")

    response = client.post(reverse("inbox:bulk"), {"action": "resolve", "ids": ids})
    job = BulkJob.objects.get()
    assert response.status_code == 302 and job.state == "done" and job.changed == 3
    assert set(Conversation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.RESOLVED
    }
    assert Conversation.objects.get(pk=resolved.pk).resolved_at == long_ago  # not touched
    assert BulkChange.objects.filter(job=job).count() == 3
    assert AuditEvent.objects.filter(action="conversation.bulk_changed").count() == 1
    assert AuditEvent.objects.get(action="conversation.bulk_changed").after["count"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "3 conversations changed." in page and "Undo" in page

    client.post(reverse("inbox:bulk_undo", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "undone"
    assert _state(ids) == before


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("reopen", {}),
        ("assign", {"assignee": "ADA"}),
        ("department", {"department": "LEGAL"}),
        ("tag_add", {"tag": "Rechnung"}),
        ("tag_remove", {"tag": "Zug"}),
        ("no_reply", {}),
    ],
)
def test_it_undoes_every_bulk_action_exactly(
    client_as, people, departments, account, action, extra
):
    items = _conversations(account, 3)
    first, second, third = items
    Conversation.objects.filter(pk=first.pk).update(
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
        assignee=people["agent"],
        department=departments["Customer Service"],
    )
    second.tags.add(Tag.objects.create(name="Zug"))
    Message.objects.filter(conversation=third).update(needs_reply_set_by=people["manager"])
    ids = [c.pk for c in items]
    before = _state(ids)
    data: dict[str, Any] = {"action": action, "ids": ids}
    for key, value in extra.items():
        data[key] = {"ADA": people["admin"].pk, "LEGAL": departments["Legal"].pk}.get(value, value)
    client = client_as("manager")
    client.post(reverse("inbox:bulk"), data)
    job = BulkJob.objects.get()
    assert job.state == "done" and job.changed >= 1
    assert _state(ids) != before
    client.post(reverse("inbox:bulk_undo", args=[job.pk]))
    assert BulkJob.objects.get().state == "undone"
    assert _state(ids) == before


def test_it_marks_no_reply_needed_as_an_override_by_the_person(client_as, people, account):
    items = _conversations(account, 2)
    client_as("agent").post(
        reverse("inbox:bulk"), {"action": "no_reply", "ids": [c.pk for c in items]}
    )
    for c in Conversation.objects.filter(pk__in=[c.pk for c in items]):
        assert not c.needs_reply
        assert set(c.messages.values_list("needs_reply_set_by", flat=True)) == {people["agent"].pk}


def test_it_refreshes_the_clocks_with_one_signal_per_chunk(people, account):
    items = _conversations(account, 5)
    calls: list[list[int]] = []

    @receiver(conversations_changed)
    def seen(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
        calls.append(conversation_ids)

    try:
        bulk.bulk_start(
            by=Acting(user=people["agent"]),
            action="resolve",
            conversation_ids=[c.pk for c in items],
        )
    finally:
        conversations_changed.disconnect(seen)
    assert calls == [[c.pk for c in items]]


def test_it_runs_all_matching_in_the_background_with_progress(
    client_as, people, account, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk, "BACKGROUND_FROM", 3)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    queued: list[int] = []
    monkeypatch.setattr(bulk, "_enqueue", lambda *, run, job_id: queued.append(job_id))
    _conversations(account, 5)
    other = _conversations(account, 1)[0]
    Conversation.objects.filter(pk=other.pk).update(status=Status.WAITING)  # not matched
    client = client_as("agent")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inbox:bulk"),
            {"action": "resolve", "all_matching": "1", "ids": [1], "filters": "status=open"},
            headers={"HX-Request": "true"},
        )
    job = BulkJob.objects.get()
    assert queued == [job.pk] and job.state == "queued" and job.total == 5
    assert "5" in response.content.decode()
    assert not Conversation.objects.filter(status=Status.RESOLVED).exists()

    run_bulk_job.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.changed) == ("done", 5, 5)
    assert Conversation.objects.get(pk=other.pk).status == Status.WAITING
    html = client.get(reverse("inbox:bulk_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "5 conversations changed" in html.content.decode()
    assert html["HX-Trigger"] == "inbox-changed"


def test_it_never_touches_a_conversation_the_person_cannot_see(people, departments, account):
    """A department member's "all matching" (and their picked ids) stay inside what they see."""
    member = people["member"]
    mine = _conversations(account, 2, department=departments["Product Development"])
    theirs = _conversations(account, 3, department=departments["Legal"])
    unassigned = _conversations(account, 1)
    job = bulk.bulk_start(
        by=Acting(user=member), action="resolve", filters=InboxFilters(status="all")
    )
    job = bulk.bulk_run(job.pk) if job.state == "queued" else job
    assert job.total == 2 and job.changed == 2
    picked = bulk.bulk_start(
        by=Acting(user=member),
        action="tag_add",
        tag="geheim",
        conversation_ids=[c.pk for c in [*mine, *theirs, *unassigned]],
    )
    assert picked.total == 2
    others = [c.pk for c in [*theirs, *unassigned]]
    assert not Conversation.objects.filter(pk__in=others, status=Status.RESOLVED).exists()
    assert not Conversation.objects.filter(pk__in=others, tags__name="geheim").exists()
    assert not ConversationEvent.objects.filter(conversation_id__in=others).exists()


def test_it_refuses_bulk_actions_to_members_and_viewers(client_as, people, account):
    items = _conversations(account, 1)
    for role in ("member", "viewer"):
        response = client_as(role).post(
            reverse("inbox:bulk"), {"action": "resolve", "ids": [items[0].pk]}
        )
        assert response.status_code == 403
    assert not BulkJob.objects.exists()


def test_it_shows_the_reason_when_nothing_is_selected_or_the_tag_is_missing(client_as, people):
    client = client_as("agent")
    html = client.post(
        reverse("inbox:bulk"), {"action": "resolve"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Select at least one conversation." in html
    html = client.post(
        reverse("inbox:bulk"), {"action": "tag_add", "ids": [1]}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Name the tag." in html


def test_it_no_longer_undoes_after_the_grace_period(client_as, people, account):
    items = _conversations(account, 1)
    client = client_as("agent")
    client.post(reverse("inbox:bulk"), {"action": "resolve", "ids": [items[0].pk]})
    job = BulkJob.objects.get()
    BulkJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(seconds=bulk.UNDO_SECONDS + 1)
    )
    client.post(reverse("inbox:bulk_undo", args=[job.pk]))
    assert BulkJob.objects.get().state == "done"
    assert Conversation.objects.get(pk=items[0].pk).status == Status.RESOLVED


def test_it_lets_nobody_else_follow_or_undo_a_job(client_as, people, account):
    items = _conversations(account, 1)
    client_as("agent").post(reverse("inbox:bulk"), {"action": "resolve", "ids": [items[0].pk]})
    job = BulkJob.objects.get()
    other = client_as("manager")
    assert other.get(reverse("inbox:bulk_job", args=[job.pk])).status_code == 404
    assert other.post(reverse("inbox:bulk_undo", args=[job.pk])).status_code == 404


def test_it_ignores_hostile_ids_and_overlong_tags(client_as, people, account):
    items = _conversations(account, 1)
    client = client_as("agent")
    client.post(
        reverse("inbox:bulk"),
        {
            "action": "tag_add",
            "ids": ["x\x00", "99999999999999999999", items[0].pk],
            "tag": "a" * 61,
        },
    )
    assert not BulkJob.objects.exists()  # the tag is too long: refused at the field
    client.post(
        reverse("inbox:bulk"),
        {"action": "tag_add", "ids": ["-1", "99999999999999999999", items[0].pk], "tag": "Zug"},
    )
    job = BulkJob.objects.get()
    assert job.total == 1 and list(items[0].tags.values_list("name", flat=True)) == ["Zug"]


def test_it_renders_checkboxes_and_the_split_pane_in_the_list(client_as, people, account):
    items = _conversations(account, 2)
    html = client_as("agent").get(reverse("inbox:list")).content.decode()
    assert f'value="{items[0].pk}" form="bulk-form"' in html
    assert 'id="pane"' in html and 'id="shortcut-help"' in html
    pane = client_as("agent").get(
        reverse("inbox:conversation", args=[items[0].pk]),
        headers={"HX-Request": "true", "HX-Target": "pane"},
    )
    text = pane.content.decode()
    assert 'id="conv-main"' in text and "<html" not in text and "Frage 0?" in text
