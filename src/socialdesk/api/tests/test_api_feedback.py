"""Feedback through the API, from a customer's message to the drafted answers: capture, link,
forward, status, send and discard; what a department member sees is her departments'."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import FeedbackItem, ReplyDraft
from socialdesk.inbox.models import Contact, Conversation, Direction, Message

pytestmark = pytest.mark.django_db


def _said(account: ChannelAccount, name: str, text: str) -> Message:
    contact = Contact.objects.create(display_name=name)
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    return Message.objects.create(
        conversation=conversation,
        channel_account=account,
        contact=contact,
        external_id=name,
        direction=Direction.INBOUND,
        author_handle=f"@{name}",
        text=text,
        created_at=timezone.now(),
        language="de",
    )


def _json(body: object) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def test_from_a_message_to_the_answers_the_customers_get(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    first = _said(channels["mastodon"], "kim", "Die App stürzt beim Ticketkauf ab")
    second = _said(channels["mastodon"], "lea", "Ticketkauf in der App geht nicht")
    agent = api_as("agent")
    made = agent.post(
        "/api/v1/feedback", **_json({"title": "App stürzt ab", "message_id": first.pk})
    )
    assert made.status_code == 201, made.content
    item = made.json()
    assert item["mention_count"] == 1 and item["links"][0]["message"]["id"] == first.pk
    pk = item["id"]
    linked = agent.post(f"/api/v1/feedback/{pk}/links", **_json({"message_id": second.pk}))
    assert linked.json()["mention_count"] == 2
    again = agent.post(f"/api/v1/feedback/{pk}/links", **_json({"message_id": second.pk}))
    assert again.json()["mention_count"] == 2  # the same message counts once
    unlinked = agent.delete(f"/api/v1/feedback/{pk}/links/{second.pk}")
    assert unlinked.json()["mention_count"] == 1
    assert [e["what"] for e in unlinked.json()["history"]][-1] == "message unlinked"
    assert agent.delete(f"/api/v1/feedback/{pk}/links/{second.pk}").status_code == 404
    agent.post(f"/api/v1/feedback/{pk}/links", **_json({"message_id": second.pk}))
    product = departments["Product Development"]
    assert api_as("member").get(f"/api/v1/feedback/{pk}").status_code == 404  # not hers yet
    forwarded = agent.post(f"/api/v1/feedback/{pk}/forward", **_json({"department_id": product.pk}))
    assert forwarded.json()["department"]["name"] == "Product Development"
    assert forwarded.json()["due_at"] is not None
    member = api_as("member", **{"Accept-Language": "de"})
    assert [
        i["id"] for i in member.get("/api/v1/feedback", {"status": "open"}).json()["items"]
    ] == [pk]
    refused = member.post(f"/api/v1/feedback/{pk}/status", **_json({"status": "wont_do"}))
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    done = member.post(f"/api/v1/feedback/{pk}/status", **_json({"status": "done"}))
    assert done.status_code == 200
    drafts = agent.get(f"/api/v1/feedback/{pk}").json()["drafts"]
    assert sorted(d["conversation_id"] for d in drafts) == sorted(
        [first.conversation_id, second.conversation_id]
    )
    assert member.get(f"/api/v1/feedback/{pk}").json()["drafts"] == []  # not her customers
    to_kim = next(d for d in drafts if d["conversation_id"] == first.conversation_id)
    to_lea = next(d for d in drafts if d["conversation_id"] == second.conversation_id)
    sent = agent.post(
        f"/api/v1/feedback/drafts/{to_kim['id']}/send", **_json({"text": "Behoben, danke!"})
    )
    assert sent.status_code == 201 and sent.json()["direction"] == "out"
    assert agent.post(f"/api/v1/feedback/drafts/{to_lea['id']}/discard").status_code == 204
    states = dict(ReplyDraft.objects.values_list("conversation_id", "state"))
    assert states == {first.conversation_id: "sent", second.conversation_id: "discarded"}
    twice = agent.post(f"/api/v1/feedback/drafts/{to_kim['id']}/send", **_json({"text": "x"}))
    assert twice.status_code == 422
    history = [e["what"] for e in agent.get(f"/api/v1/feedback/{pk}").json()["history"]]
    assert history[0] == "captured" and "customer answered" in history
    audited = AuditEvent.objects.filter(action__startswith="feedback.", token_name="test")
    assert {"feedback.created", "feedback.forwarded"} <= set(
        audited.values_list("action", flat=True)
    )


def test_roles_and_wrong_values(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    message = _said(channels["mastodon"], "kim", "Lob")
    assert api_as("member").post("/api/v1/feedback", **_json({"title": "x"})).status_code == 403
    agent = api_as("agent", **{"Accept-Language": "de"})
    for body in (
        {"title": "a\x00b"},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "x", "message_id": 2**70},
        {"title": "x", "topic_id": 999_999},
    ):
        assert agent.post("/api/v1/feedback", **_json(body)).status_code == 422, body
    assert (
        agent.post("/api/v1/feedback", **_json({"title": "x", "message_id": 999_999})).status_code
        == 404
    )
    assert not FeedbackItem.objects.exists()
    item = agent.post(
        "/api/v1/feedback", **_json({"title": "Lob", "message_id": message.pk})
    ).json()
    wrong = agent.post(f"/api/v1/feedback/{item['id']}/forward", **_json({"department_id": 424242}))
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["department_id"] == ["Es gibt keine Abteilung mit dieser Nummer."]
    assert agent.get("/api/v1/feedback", {"status": "maybe"}).status_code == 422


def test_boards_as_their_pages_show_them(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    product, service = departments["Product Development"], departments["Customer Service"]
    agent = api_as("agent")
    made = [
        agent.post("/api/v1/feedback", **_json({"title": f"Idee {n}"})).json() for n in range(3)
    ]
    for item in made[:2]:
        agent.post(f"/api/v1/feedback/{item['id']}/forward", **_json({"department_id": product.pk}))
    agent.post(f"/api/v1/feedback/{made[1]['id']}/status", **_json({"status": "planned"}))
    FeedbackItem.objects.filter(pk=made[0]["id"]).update(due_at=timezone.now())  # overdue
    boards = {b["name"]: b for b in agent.get("/api/v1/feedback/boards").json()}
    assert boards["Product Development"]["open"] == 2
    assert boards["Product Development"]["overdue"] == 1
    member = api_as("member")
    assert [b["name"] for b in member.get("/api/v1/feedback/boards").json()] == [
        "Product Development"
    ]
    board = member.get(f"/api/v1/feedback/boards/{product.pk}").json()
    assert [i["id"] for i in board["columns"]["new"]] == [made[0]["id"]]
    assert [i["id"] for i in board["columns"]["planned"]] == [made[1]["id"]]
    assert board["open"] == 2 and set(board["columns"]) == {
        "new",
        "acknowledged",
        "planned",
        "in_progress",
        "done",
        "wont_do",
    }
    assert member.get(f"/api/v1/feedback/boards/{service.pk}").status_code == 404
    assert agent.get("/api/v1/feedback/boards/987654").status_code == 404
