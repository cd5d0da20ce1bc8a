"""Saved replies, tags, one's own notifications and the audit log through the API, with the
roles of their pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation, Notification, SavedReply, Tag

pytestmark = pytest.mark.django_db


def _json(body: object) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def test_saved_replies_as_on_their_page(api_as: Api) -> None:
    agent = api_as("agent", **{"Accept-Language": "de"})
    made = agent.post(
        "/api/v1/saved-replies", **_json({"title": "Danke", "body": "Danke, {name}!"})
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    twice = agent.post("/api/v1/saved-replies", **_json({"title": "danke", "body": "x"}))
    assert twice.status_code == 422 and "title" in twice.json()["errors"]
    changed = agent.put(f"/api/v1/saved-replies/{pk}", **_json({"title": "Dank", "body": "Merci"}))
    assert changed.json()["body"] == "Merci"
    assert [s["title"] for s in agent.get("/api/v1/saved-replies").json()] == ["Dank"]
    assert agent.delete(f"/api/v1/saved-replies/{pk}").status_code == 403  # managers delete
    assert api_as("manager").delete(f"/api/v1/saved-replies/{pk}").status_code == 204
    assert not SavedReply.objects.exists()
    assert api_as("member").get("/api/v1/saved-replies").status_code == 403
    saved = AuditEvent.objects.filter(action__startswith="saved_reply.").order_by("pk")
    actions = list(saved.values_list("action", "token_name"))
    assert actions == [
        ("saved_reply.created", "test"),
        ("saved_reply.updated", "test"),
        ("saved_reply.deleted", "test"),
    ]


def test_tags_are_listed_for_everyone(api_as: Api) -> None:
    Tag.objects.create(name="Störung")
    Tag.objects.create(name="Lob")
    assert api_as("viewer").get("/api/v1/tags").json() == ["Lob", "Störung"]


def test_notifications_are_ones_own_and_hide_what_one_may_no_longer_open(
    api_as: Api,
    people: dict[str, User],
    departments: dict[str, Department],
    channels: dict[str, ChannelAccount],
) -> None:
    member = people["member"]
    handed = Conversation.objects.create(
        channel_account=channels["mastodon"], department=departments["Product Development"]
    )
    elsewhere = Conversation.objects.create(channel_account=channels["mastodon"])
    Notification.objects.create(user=member, conversation=handed, kind="at_risk")
    Notification.objects.create(
        user=member, conversation=elsewhere, kind="mention", link=f"/inbox/{elsewhere.pk}/"
    )
    Notification.objects.create(user=people["agent"], conversation=handed, kind="breached")
    api = api_as("member", **{"Accept-Language": "de"})
    items = api.get("/api/v1/notifications").json()["items"]
    assert [(n["kind"], n["conversation_id"], n["link"]) for n in items] == [
        ("mention", None, ""),  # no longer hers to open: neither the conversation nor a link
        ("at_risk", handed.pk, ""),
    ]
    assert items[1]["label"] == "Frist läuft bald ab"
    assert api.post("/api/v1/notifications/read").json() == {"marked": 2}
    assert api.get("/api/v1/notifications", {"unread": "true"}).json()["items"] == []
    assert Notification.objects.filter(user=people["agent"], read_at__isnull=True).count() == 1


def test_the_audit_log_is_for_admins_in_words_and_filters(
    api_as: Api, departments: dict[str, Department]
) -> None:
    manager = api_as("manager")
    manager.post("/api/v1/departments", **_json({"name": "Presse"}))
    assert manager.get("/api/v1/audit").status_code == 403
    admin = api_as("admin", **{"Accept-Language": "de"})
    events = admin.get("/api/v1/audit", {"action": "department."}).json()["items"]
    assert len(events) == 1
    event = events[0]
    assert event["action"] == "department.created" and event["token"] == "test"
    assert "Max Manager (API-Token „test“)" in event["sentence"]
    pages = admin.get("/api/v1/audit", {"limit": "1"}).json()
    following = admin.get("/api/v1/audit", {"limit": "1", "cursor": pages["next"]}).json()
    assert pages["items"][0]["id"] != following["items"][0]["id"]
    assert admin.get("/api/v1/audit", {"since": "gestern"}).status_code == 422
