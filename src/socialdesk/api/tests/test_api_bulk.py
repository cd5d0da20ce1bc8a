"""Bulk actions on conversations through the API: what they change, an exact undo, only what
the caller's inbox shows, the page's roles, and answers to wrong or hostile values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from socialdesk import access
from socialdesk.accounts.models import AuditEvent, Department, Role, User
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import bulk
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.job_models import BulkJob
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Status, Tag

pytestmark = pytest.mark.django_db
BULK = "/api/v1/conversations/bulk"


@pytest.fixture
def account(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _conversations(account: ChannelAccount, n: int, **fields: Any) -> list[Conversation]:
    made = []
    for i in range(n):
        contact = Contact.objects.create(display_name=f"Kundin {i}")
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


def _state(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Everything a bulk action may change, per conversation."""
    state = {}
    for c in Conversation.objects.filter(pk__in=ids).prefetch_related("tags"):
        messages = tuple(
            c.messages.order_by("pk").values_list("needs_reply", "needs_reply_set_by_id")
        )
        tags = tuple(sorted(t.name for t in c.tags.all()))
        state[c.pk] = (
            c.status,
            c.resolved_at,
            c.assignee_id,
            c.department_id,
            tags,
            c.needs_reply,
            messages,
            c.events.count(),
        )
    return state


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def test_it_resolves_the_picked_conversations_and_undo_restores_them_exactly(
    api_as: Api, people: dict[str, User], account: ChannelAccount
) -> None:
    items = _conversations(account, 4)
    waiting, resolved, tagged, _plain = items
    Conversation.objects.filter(pk=waiting.pk).update(status=Status.WAITING)
    long_ago = timezone.now() - timedelta(days=3)
    Conversation.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, resolved_at=long_ago)
    tagged.tags.add(Tag.objects.create(name="Zug"))
    ids = [c.pk for c in items]
    before = _state(ids)
    agent = api_as("agent")

    started = _post(agent, BULK, {"action": "resolve", "conversation_ids": ids})
    assert started.status_code == 202, started.content
    job = started.json()
    assert (job["state"], job["total"], job["done"], job["changed"]) == ("done", 4, 4, 3)
    assert job["all_matching"] is False and job["undoable"] is True and job["undo_until"]
    statuses = set(Conversation.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {Status.RESOLVED}
    assert Conversation.objects.get(pk=resolved.pk).resolved_at == long_ago  # not touched
    event = AuditEvent.objects.get(action="conversation.bulk_changed")
    assert event.token_name == "test" and event.actor == people["agent"]
    assert event.after["count"] == 3

    progress = agent.get(f"{BULK}/{job['id']}")
    assert progress.status_code == 200 and progress.json()["changed"] == 3

    undone = _post(agent, f"{BULK}/{job['id']}/undo")
    assert undone.status_code == 202, undone.content
    assert undone.json()["state"] == "undone" and undone.json()["undoable"] is False
    assert _state(ids) == before
    assert AuditEvent.objects.get(action="conversation.bulk_undone").token_name == "test"

    again = _post(agent, f"{BULK}/{job['id']}/undo")
    assert again.status_code == 409 and "no longer" in again.json()["detail"]


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("reopen", {}),
        ("assign", {"assignee_id": "ADA"}),
        ("department", {"department_id": "LEGAL"}),
        ("tag_add", {"tag": "Rechnung"}),
        ("tag_remove", {"tag": "Zug"}),
        ("no_reply", {}),
    ],
)
def test_every_action_changes_and_is_undone_exactly(
    api_as: Api,
    people: dict[str, User],
    departments: dict[str, Department],
    account: ChannelAccount,
    action: str,
    extra: dict[str, Any],
) -> None:
    first, second, third = items = _conversations(account, 3)
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
    named = {"ADA": people["admin"].pk, "LEGAL": departments["Legal"].pk}
    body = {"action": action, "conversation_ids": ids}
    body.update({key: named.get(value, value) for key, value in extra.items()})
    manager = api_as("manager")

    job = _post(manager, BULK, body).json()
    assert job["state"] == "done" and job["changed"] >= 1
    assert _state(ids) != before
    assert _post(manager, f"{BULK}/{job['id']}/undo").json()["state"] == "undone"
    assert _state(ids) == before


def test_all_matching_follows_the_inbox_filters_in_the_background(
    api_as: Api,
    account: ChannelAccount,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "BACKGROUND_FROM", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    waiting = _conversations(account, 3)
    Conversation.objects.filter(pk__in=[c.pk for c in waiting]).update(status=Status.WAITING)
    still_open = _conversations(account, 2)
    manager = api_as("manager")

    with django_capture_on_commit_callbacks(execute=True):  # the task runs on commit
        started = _post(
            manager,
            BULK,
            {"action": "tag_add", "tag": "Rückruf", "all_matching": True,
             "filters": {"status": "waiting"}},
        )  # fmt: skip
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["state"] == "queued" and job["total"] == 3 and job["all_matching"] is True

    done = manager.get(f"{BULK}/{job['id']}").json()
    assert (done["state"], done["done"], done["changed"]) == ("done", 3, 3)
    tagged = set(Conversation.objects.filter(tags__name="Rückruf").values_list("pk", flat=True))
    assert tagged == {c.pk for c in waiting}
    assert not {c.pk for c in still_open} & tagged
    # The worker ran it; the audit still names the token it was started through.
    assert AuditEvent.objects.get(action="conversation.bulk_changed").token_name == "test"

    with django_capture_on_commit_callbacks(execute=True):
        undoing = _post(manager, f"{BULK}/{job['id']}/undo")
    assert undoing.status_code == 202 and undoing.json()["state"] == "undoing"
    assert manager.get(f"{BULK}/{job['id']}").json()["state"] == "undone"
    assert not Conversation.objects.filter(tags__name="Rückruf").exists()
    assert AuditEvent.objects.get(action="conversation.bulk_undone").token_name == "test"


def test_roles_the_page_forbids_get_403_and_change_nothing(
    api_as: Api, account: ChannelAccount
) -> None:
    items = _conversations(account, 2)
    ids = [c.pk for c in items]
    before = _state(ids)
    for role in ("member", "viewer"):
        answer = _post(api_as(role), BULK, {"action": "resolve", "conversation_ids": ids})
        assert answer.status_code == 403, role
    job = _post(api_as("agent"), BULK, {"action": "resolve", "conversation_ids": ids}).json()
    assert _state(ids) != before
    for role in ("member", "viewer"):
        assert api_as(role).get(f"{BULK}/{job['id']}").status_code == 403
        assert _post(api_as(role), f"{BULK}/{job['id']}/undo").status_code == 403
    assert BulkJob.objects.count() == 1


def test_a_department_member_never_touches_what_her_inbox_does_not_show(
    api_as: Api,
    departments: dict[str, Department],
    account: ChannelAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The table lets no member start a bulk action; were it to, the API still acts only on
    the conversations her selector shows (her departments', or handed to her)."""
    monkeypatch.setitem(access.API, "start_bulk_job", access.TEAM | {Role.MEMBER})
    mine = _conversations(account, 2, department=departments["Product Development"])
    theirs = _conversations(account, 3, department=departments["Legal"])
    nobodys = _conversations(account, 1)
    others = [c.pk for c in [*theirs, *nobodys]]
    before = _state(others)
    member = api_as("member")

    every = _post(member, BULK, {"action": "resolve", "all_matching": True,
                                 "filters": {"status": "all"}})  # fmt: skip
    assert every.status_code == 202 and every.json()["total"] == 2
    picked = _post(
        member,
        BULK,
        {"action": "tag_add", "tag": "geheim",
         "conversation_ids": [c.pk for c in [*mine, *theirs, *nobodys]]},
    )  # fmt: skip
    assert picked.json()["total"] == 2 and picked.json()["changed"] == 2
    only_theirs = _post(member, BULK, {"action": "resolve", "conversation_ids": others})
    assert only_theirs.status_code == 422
    assert only_theirs.json()["errors"] == {
        "conversation_ids": ["Select at least one conversation."]
    }
    assert _state(others) == before
    assert Conversation.objects.filter(tags__name="geheim").count() == 2


def test_nobody_else_follows_or_undoes_a_bulk_action(
    api_as: Api, people: dict[str, User], account: ChannelAccount
) -> None:
    items = _conversations(account, 1)
    job = _post(api_as("agent"), BULK, {"action": "resolve", "conversation_ids": [items[0].pk]})
    job_id = job.json()["id"]
    manager = api_as("manager")
    assert manager.get(f"{BULK}/{job_id}").status_code == 404
    assert _post(manager, f"{BULK}/{job_id}/undo").status_code == 404
    assert Conversation.objects.get(pk=items[0].pk).status == Status.RESOLVED


def test_undo_is_refused_once_the_grace_period_is_over(
    api_as: Api, account: ChannelAccount
) -> None:
    items = _conversations(account, 1)
    agent = api_as("agent")
    job = _post(agent, BULK, {"action": "resolve", "conversation_ids": [items[0].pk]}).json()
    late = timezone.now() - timedelta(seconds=bulk.UNDO_SECONDS + 1)
    BulkJob.objects.filter(pk=job["id"]).update(finished_at=late)
    assert agent.get(f"{BULK}/{job['id']}").json()["undoable"] is False
    answer = _post(agent, f"{BULK}/{job['id']}/undo")
    assert answer.status_code == 409
    assert Conversation.objects.get(pk=items[0].pk).status == Status.RESOLVED


def test_a_wrong_value_is_a_422_naming_the_field_in_the_callers_language(
    api_as: Api, people: dict[str, User], account: ChannelAccount
) -> None:
    items = _conversations(account, 1)
    ids = [items[0].pk]
    agent = api_as("agent", **{"Accept-Language": "de"})

    no_tag = _post(agent, BULK, {"action": "tag_add", "conversation_ids": ids})
    assert no_tag.status_code == 422
    assert no_tag.json()["errors"] == {"tag": ["Geben Sie den Namen des Tags an."]}
    nothing = _post(agent, BULK, {"action": "resolve"})
    assert nothing.json()["errors"] == {
        "conversation_ids": ["Wählen Sie mindestens eine Unterhaltung aus."]
    }
    both = _post(agent, BULK, {"action": "resolve", "conversation_ids": ids, "all_matching": True})
    assert both.status_code == 422 and list(both.json()["errors"]) == ["conversation_ids"]
    assert "nicht beides" in both.json()["errors"]["conversation_ids"][0]
    viewer = _post(
        agent,
        BULK,
        {"action": "assign", "conversation_ids": ids, "assignee_id": people["viewer"].pk},
    )
    assert viewer.status_code == 422 and list(viewer.json()["errors"]) == ["assignee_id"]
    unknown = _post(agent, BULK, {"action": "explode", "conversation_ids": ids})
    assert unknown.status_code == 422 and "action" in unknown.json()["errors"]
    assert unknown.json()["errors"]["action"][0].startswith("Wählen Sie eines von:")
    assert not BulkJob.objects.exists()
    assert Conversation.objects.get(pk=ids[0]).status == Status.OPEN


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "tag_add", "tag": "Zug\x00"}, "tag"),
        ({"action": "tag_add", "tag": "x" * 61}, "tag"),
        ({"action": "resolve", "conversation_ids": [2**64]}, "conversation_ids.0"),
        ({"action": "resolve", "conversation_ids": [1] * (bulk.MAX_PICKED + 1)},
         "conversation_ids"),
        ({"action": "assign", "assignee_id": 2**64}, "assignee_id"),
        ({"action": "resolve", "all_matching": True, "filters": {"q": "a\x00"}}, "filters.q"),
        ({"action": "resolve", "all_matching": True, "filters": {"tag": "x" * 101}},
         "filters.tag"),
    ],
)  # fmt: skip
def test_a_hostile_value_is_a_422_not_a_500(
    api_as: Api, account: ChannelAccount, body: dict[str, Any], field: str
) -> None:
    items = _conversations(account, 1)
    body = {"conversation_ids": [items[0].pk], **body}
    answer = _post(api_as("agent"), BULK, body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"]
    assert not BulkJob.objects.exists()


def test_a_job_id_beyond_64_bits_is_a_422(api_as: Api) -> None:
    agent = api_as("agent")
    assert agent.get(f"{BULK}/{2**64}").status_code == 422
    assert _post(agent, f"{BULK}/{2**64}/undo").status_code == 422
    assert agent.get(f"{BULK}/99999").status_code == 404
