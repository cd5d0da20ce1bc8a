"""The inbox through the API: what a person's inbox shows, page after page by cursor; reply,
note, assign, status, tags and the needs-reply override through the same services, with the
same roles as the pages; hostile values answered with 422 on both databases."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Note

pytestmark = pytest.mark.django_db


def _world(departments: dict[str, Department], count: int = 7) -> list[Conversation]:
    """`count` open conversations, the customer waiting since different times (not in the
    second and third); every third handed to Product Development, every fifth resolved."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    now = timezone.now()
    made = []
    for n in range(count):
        contact = Contact.objects.create(display_name=f"Kunde {n}")
        conversation = Conversation.objects.create(
            channel_account=account,
            contact=contact,
            preview=f"Frage {n}",
            department=departments["Product Development"] if n % 3 == 0 else None,
            status="resolved" if n % 5 == 4 else "open",
            waiting_for_us_since=None if n in (1, 2) else now - timedelta(hours=n),
            last_message_at=now - timedelta(minutes=n),
        )
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"m{n}",
            direction=Direction.INBOUND,
            author_handle=f"@kunde{n}",
            text=f"Wo ist mein Ticket {n}?",
            created_at=now - timedelta(hours=n),
            needs_reply=True,
        )
        made.append(conversation)
    return made


def _all_pages(api: Client, **query: Any) -> list[int]:
    ids: list[int] = []
    cursor = query.pop("cursor", "")
    for _round in range(50):
        answer = api.get("/api/v1/conversations", {**query, "cursor": cursor})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [c["id"] for c in body["items"]]
        if body["next"] is None:
            return ids
        cursor = body["next"]
    raise AssertionError("no last page")


def _page_ids(client: Client, **query: str) -> list[int]:
    html = client.get(reverse("inbox:list"), query).content.decode()
    return [int(pk) for pk in re.findall(r'href="/inbox/(\d+)/"', html)]


def test_a_member_lists_through_the_api_exactly_what_her_inbox_shows(
    api_as: Api, client_as: Any, departments: dict[str, Department]
) -> None:
    _world(departments)
    for role in ("member", "agent"):
        for query in ({}, {"status": "all"}, {"sort": "newest", "status": "all"}):
            page = _page_ids(client_as(role), **query)
            assert page, (role, query)
            assert _all_pages(api_as(role), limit=2, **query) == page, (role, query)
    member = _all_pages(api_as("member"), status="all")
    assert set(member) == set(
        Conversation.objects.filter(department__name="Product Development").values_list(
            "pk", flat=True
        )
    )


def test_pages_by_cursor_neither_repeat_nor_skip_when_conversations_arrive(
    api_as: Api, departments: dict[str, Department]
) -> None:
    made = _world(departments, count=9)
    api = api_as("agent")
    whole = _all_pages(api, status="all", limit=100)
    first = api.get("/api/v1/conversations", {"status": "all", "limit": "4"}).json()
    newcomer = Conversation.objects.create(  # waits longest of all: it sorts before the cursor
        channel_account=made[0].channel_account,
        waiting_for_us_since=timezone.now() - timedelta(days=30),
    )
    rest = _all_pages(api, status="all", limit=4, cursor=first["next"])
    seen = [c["id"] for c in first["items"]] + rest
    assert seen == whole and newcomer.pk not in seen
    assert len(set(seen)) == len(seen)
    assert whole[-2:] == [made[1].pk, made[2].pk]  # those nobody waits on come last
    newest = _all_pages(api, status="all", sort="newest", limit=2)
    stamps = dict(Conversation.objects.values_list("pk", "last_message_at"))

    def latest_first(pk: int) -> tuple[bool, float, int]:
        stamp = stamps[pk]
        return (stamp is None, -stamp.timestamp() if stamp else 0.0, -pk)

    assert newest == sorted(newest, key=latest_first)


def test_a_cursor_it_did_not_give_is_refused_in_the_callers_language(
    api_as: Api, departments: dict[str, Department]
) -> None:
    _world(departments, count=2)
    api = api_as("agent", **{"Accept-Language": "de"})
    for bad in ("nonsense", "W251bGwsIDk5OTk5OTk5OTk5OTk5OTk5OTk5XQ", "e30", "\x00"):
        answer = api.get("/api/v1/conversations", {"cursor": bad})
        assert answer.status_code in (400, 422), bad
        assert answer["Content-Type"].startswith("application/json")
    refused = api.get("/api/v1/conversations", {"cursor": "nonsense"})
    assert refused.json() == {"detail": "Diesen Cursor hat diese Liste nicht ausgegeben."}
    assert api.get("/api/v1/conversations", {"limit": 10**30}).status_code == 422


def test_one_conversation_with_messages_and_notes_only_for_whom_may_open_it(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    made = _world(departments, count=3)
    Note.objects.create(conversation=made[0], author=people["agent"], text="Intern: prüfen")
    detail = api_as("member").get(f"/api/v1/conversations/{made[0].pk}").json()
    assert [m["text"] for m in detail["messages"]] == ["Wo ist mein Ticket 0?"]
    assert detail["notes"][0]["text"] == "Intern: prüfen"
    assert detail["notes"][0]["author"] == "Alex Agent"
    assert detail["department"]["name"] == "Product Development"
    assert detail["url"] == f"/inbox/{made[0].pk}/"
    hidden = api_as("member").get(f"/api/v1/conversations/{made[1].pk}")
    assert hidden.status_code == 404  # not handed to her department: as if it did not exist
    assert api_as("member").get("/api/v1/conversations/99999").json() == hidden.json()


def test_the_team_replies_notes_assigns_resolves_and_tags_as_on_the_page(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    conversation = _world(departments, count=1)[0]
    base = f"/api/v1/conversations/{conversation.pk}"
    api = api_as("agent")

    def post(path: str, body: dict[str, Any], method: str = "post") -> Any:
        return getattr(api, method)(base + path, json.dumps(body), content_type="application/json")

    reply = post("/reply", {"text": "Wir kümmern uns.", "then": "waiting"})
    assert reply.status_code == 201 and reply.json()["direction"] == "out"
    conversation.refresh_from_db()
    assert conversation.status == "waiting" and conversation.waiting_for_us_since is None
    assert post("/notes", {"text": "@Mia bitte prüfen"}).status_code == 201
    assigned = post("/assign", {"assignee_id": people["member"].pk, "department_id": None})
    assert assigned.status_code == 200 and assigned.json()["assignee"]["name"] == "Mia Member"
    event = AuditEvent.objects.get(action="conversation.assigned")
    assert event.token_name == "test" and event.actor == people["agent"]
    assert post("/status", {"status": "resolved"}).json()["status"] == "resolved"
    tagged = post("/tags", {"names": ["Störung", " Ticket ", "Störung"]}, "put")
    assert tagged.json()["tags"] == ["Störung", "Ticket"]
    message = conversation.messages.filter(direction=Direction.INBOUND).get()
    override = api.post(
        f"/api/v1/messages/{message.pk}/needs-reply",
        json.dumps({"value": False}),
        content_type="application/json",
    )
    assert override.status_code == 200 and override.json()["needs_reply"] is False
    message.refresh_from_db()
    assert message.needs_reply is False and message.needs_reply_set_by == people["agent"]


def test_roles_are_those_of_the_pages(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    conversation = _world(departments, count=1)[0]  # handed to Product Development
    base = f"/api/v1/conversations/{conversation.pk}"
    body = json.dumps({"text": "Hallo"})
    member, viewer = api_as("member"), api_as("viewer")
    assert member.post(base + "/reply", body, content_type="application/json").status_code == 403
    assert member.post(base + "/notes", body, content_type="application/json").status_code == 201
    assert viewer.post(base + "/notes", body, content_type="application/json").status_code == 403
    assert viewer.get(base).status_code == 200  # reads everything, changes nothing
    assert not conversation.messages.filter(direction=Direction.OUTBOUND).exists()


def test_wrong_values_are_named_and_change_nothing(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    conversation = _world(departments, count=1)[0]
    base = f"/api/v1/conversations/{conversation.pk}"
    api = api_as("agent", **{"Accept-Language": "de"})

    def post(path: str, body: Any) -> Any:
        return api.post(base + path, json.dumps(body), content_type="application/json")

    wrong = post("/assign", {"assignee_id": people["viewer"].pk, "department_id": 10**6})
    assert wrong.status_code == 422
    assert set(wrong.json()["errors"]) == {"assignee_id", "department_id"}
    for body in ({"text": "a\x00b"}, {"text": ""}, {"text": "x" * 10_001}, {"text": 7}):
        assert post("/reply", body).status_code == 422, body
    assert post("/status", {"status": "closed"}).status_code == 422
    assert api.get(f"/api/v1/conversations/{2**70}").status_code == 422
    assert post("/assign", {"assignee_id": 2**70}).status_code == 422
    conversation.refresh_from_db()
    assert conversation.assignee is None and conversation.status == "open"
    assert not conversation.messages.filter(direction=Direction.OUTBOUND).exists()
