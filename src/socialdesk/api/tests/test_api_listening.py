"""Listening through the API: monitors made, changed and deleted as on their pages, a query it
cannot read named at its position, and matches only from conversations the caller may open."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.listening.models import Monitor

pytestmark = pytest.mark.django_db


def _json(body: object) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def _said(account: ChannelAccount, text: str, department: Department | None) -> Message:
    conversation = Conversation.objects.create(channel_account=account, department=department)
    return Message.objects.create(
        conversation=conversation,
        channel_account=account,
        external_id=text,
        direction=Direction.INBOUND,
        text=text,
        created_at=timezone.now(),
        language="de",
    )


def test_monitors_and_what_they_matched_as_the_caller_may_see_it(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    product = departments["Product Development"]
    seen = _said(channels["mastodon"], "Der Zugausfall heute nervt", product)
    _said(channels["mastodon"], "Schon wieder Zugausfall", None)
    _said(channels["mastodon"], "Alles pünktlich, danke", None)
    agent = api_as("agent", **{"Accept-Language": "de"})
    made = agent.post("/api/v1/monitors", **_json({"name": "Ausfälle", "query": "zugausfall"}))
    assert made.status_code == 201, made.content
    monitor = made.json()
    assert monitor["matches_day"] == 2 and monitor["active"] is True
    member = api_as("member")
    assert member.get(f"/api/v1/monitors/{monitor['id']}").json()["matches_day"] == 1
    matches = member.get(f"/api/v1/monitors/{monitor['id']}/matches").json()
    assert [m["message"]["id"] for m in matches["items"]] == [seen.pk]
    every = agent.get(f"/api/v1/monitors/{monitor['id']}/matches", {"limit": "1"}).json()
    following = agent.get(
        f"/api/v1/monitors/{monitor['id']}/matches", {"limit": "1", "cursor": every["next"]}
    ).json()
    assert len({every["items"][0]["message"]["id"], following["items"][0]["message"]["id"]}) == 2
    wrong = agent.put(
        f"/api/v1/monitors/{monitor['id']}", **_json({"name": "Ausfälle", "query": '"zug'})
    )
    assert wrong.status_code == 422 and "Position" in wrong.json()["errors"]["query"][0]
    changed = agent.put(
        f"/api/v1/monitors/{monitor['id']}",
        **_json({"name": "Pünktlich", "query": "pünktlich", "active": True}),
    )
    assert changed.json()["name"] == "Pünktlich" and changed.json()["matches_day"] == 1
    assert member.post("/api/v1/monitors", **_json({"name": "x", "query": "x"})).status_code == 403
    assert agent.delete(f"/api/v1/monitors/{monitor['id']}").status_code == 204
    assert not Monitor.objects.exists()
    audited = AuditEvent.objects.filter(action__startswith="monitor.", token_name="test")
    assert audited.count() == 3
