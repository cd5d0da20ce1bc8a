"""Contacts and channels through the API: only the contacts of conversations the caller may
open; merging one customer's two contacts moves everything and loses nothing; channel health,
pause and resume as on the health page."""

from __future__ import annotations

import json

import pytest

from socialdesk.accounts.models import AuditEvent, Department
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Direction, Message

pytestmark = pytest.mark.django_db


def _customer(
    account: ChannelAccount, name: str, handle: str, department: Department | None = None
) -> Contact:
    contact = Contact.objects.create(display_name=name)
    ContactHandle.objects.create(contact=contact, network=account.network, handle=handle)
    conversation = Conversation.objects.create(
        channel_account=account, contact=contact, department=department
    )
    Message.objects.create(
        conversation=conversation,
        channel_account=account,
        contact=contact,
        external_id=handle,
        direction=Direction.INBOUND,
        author_handle=handle,
        text="Hallo",
        created_at=conversation.created_at,
    )
    return contact


def test_a_member_finds_only_the_contacts_of_conversations_she_may_open(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    product = departments["Product Development"]
    mine = _customer(channels["mastodon"], "Kim Kunde", "@kim@x.social", product)
    other = _customer(channels["mastodon"], "Lea Leser", "@lea@x.social")
    member = api_as("member")
    listed = member.get("/api/v1/contacts").json()
    assert [c["id"] for c in listed["items"]] == [mine.pk] and listed["next"] is None
    assert member.get(f"/api/v1/contacts/{other.pk}").status_code == 404
    detail = member.get(f"/api/v1/contacts/{mine.pk}").json()
    assert detail["handles"] == [{"network": "mastodon", "handle": "@kim@x.social"}]
    assert [c["department"]["name"] for c in detail["conversations"]] == ["Product Development"]
    agent = api_as("agent")
    assert {c["id"] for c in agent.get("/api/v1/contacts").json()["items"]} == {mine.pk, other.pk}
    assert [c["id"] for c in agent.get("/api/v1/contacts", {"q": "lea@"}).json()["items"]] == [
        other.pk
    ]
    pages = agent.get("/api/v1/contacts", {"limit": "1"}).json()
    second = agent.get("/api/v1/contacts", {"limit": "1", "cursor": pages["next"]}).json()
    assert [pages["items"][0]["id"], second["items"][0]["id"]] == [other.pk, mine.pk]


def test_merging_two_contacts_moves_handles_conversations_and_messages(
    api_as: Api, channels: dict[str, ChannelAccount]
) -> None:
    keep = _customer(channels["mastodon"], "", "@kim@x.social")
    other = _customer(channels["bluesky"], "Kim Kunde", "kim.bsky.social")
    before = Message.objects.count(), Conversation.objects.count()
    manager = api_as("manager")
    answer = manager.post(
        f"/api/v1/contacts/{keep.pk}/merge",
        json.dumps({"other_id": other.pk}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    merged = answer.json()
    assert merged["name"] == "Kim Kunde"  # the other's name fills the empty one
    assert {h["handle"] for h in merged["handles"]} == {"@kim@x.social", "kim.bsky.social"}
    assert len(merged["conversations"]) == 2
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert (Message.objects.count(), Conversation.objects.count()) == before  # nothing lost
    assert set(Message.objects.values_list("contact_id", flat=True)) == {keep.pk}
    event = AuditEvent.objects.get(action="contact.merged")
    assert "Kim" not in event.object_repr  # by number: the log outlives an erasure
    itself = manager.post(
        f"/api/v1/contacts/{keep.pk}/merge",
        json.dumps({"other_id": keep.pk}),
        content_type="application/json",
    )
    assert itself.status_code == 422 and "other_id" in itself.json()["errors"]
    agent = api_as("agent").post(
        f"/api/v1/contacts/{keep.pk}/merge",
        json.dumps({"other_id": 5}),
        content_type="application/json",
    )
    assert agent.status_code == 403  # as the contact's privacy page: managers


def test_channel_health_pause_and_resume(api_as: Api, channels: dict[str, ChannelAccount]) -> None:
    feed = channels["rss"]
    feed.url = "https://example.org/feed.xml"
    feed.last_error, feed.last_error_code, feed.failures = "HTTP 404", "not_found", 3
    feed.save()
    manager = api_as("manager", **{"Accept-Language": "de"})
    listed = {c["id"]: c for c in manager.get("/api/v1/channels").json()}
    assert listed[feed.pk]["state"] == "failing" and listed[feed.pk]["failures"] == 3
    assert "nicht gefunden" in listed[feed.pk]["error"]  # in words, in her language
    paused = manager.post(f"/api/v1/channels/{feed.pk}/pause").json()
    assert paused["state"] == "paused" and paused["paused_at"]
    assert manager.post(f"/api/v1/channels/{feed.pk}/resume").json()["paused_at"] is None
    assert [e.token_name for e in AuditEvent.objects.filter(action__startswith="channel.")] == [
        "test",
        "test",
    ]
    assert api_as("agent").get("/api/v1/channels").status_code == 403
    assert manager.post("/api/v1/channels/987654/pause").status_code == 404
