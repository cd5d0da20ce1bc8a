"""The rooms API: the same rules, services and visibility as the pages (private rooms 404 to
others, archived read-only, owners only), and hostile values as 422 naming the field (on
SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from socialdesk.spaces.models import Room, RoomPost

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _json(client: Client, method: str, path: str, body: Any = None) -> Any:
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json")


def test_it_creates_a_room_posts_replies_and_reads_them_back(api_as, people):
    agent, member = api_as("agent"), api_as("member")
    made = _json(agent, "POST", "/api/v1/rooms", {
        "name": "Relaunch", "purpose": "Neue Seite", "member_ids": [people["member"].pk],
    })  # fmt: skip
    assert made.status_code == 201, made.content
    room_id = made.json()["id"]
    assert made.json()["role"] == "owner"
    root = member.post(
        f"/api/v1/rooms/{room_id}/posts",
        {"body": "Erster Stand @alex", "files": [SimpleUploadedFile("stand.pdf", PDF)]},
    )
    assert root.status_code == 201, root.content
    root_id = root.json()["post"]["id"]
    attachment = root.json()["post"]["attachments"][0]
    assert (attachment["name"], attachment["content_type"]) == ("stand.pdf", "application/pdf")
    reply = _json(
        agent, "POST", f"/api/v1/rooms/{room_id}/posts", {"body": "Ok", "parent_id": root_id}
    )
    assert reply.status_code == 201
    threads = agent.get(f"/api/v1/rooms/{room_id}/posts").json()
    assert [(p["id"], p["reply_count"]) for p in threads] == [(root_id, 1)]
    replies = agent.get(f"/api/v1/rooms/{room_id}/posts?thread={root_id}").json()
    assert [p["body"] for p in replies] == ["Ok"]
    download = agent.get(attachment["url"])
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert _json(agent, "POST", f"/api/v1/room-posts/{root_id}/reactions", {"emoji": "👍"}).json()[
        "reactions"
    ] == {"👍": 1}
    assert _json(agent, "POST", f"/api/v1/room-posts/{root_id}/pin").json()["pinned"]


def test_it_hides_private_rooms_and_enforces_object_rules(api_as, people):
    agent, member, viewer = api_as("agent"), api_as("member"), api_as("viewer")
    room_id = _json(agent, "POST", "/api/v1/rooms", {"name": "Zu", "visibility": "private"}).json()[
        "id"
    ]
    assert member.get(f"/api/v1/rooms/{room_id}").status_code == 404
    assert member.get(f"/api/v1/rooms/{room_id}/posts").status_code == 404
    assert [r["id"] for r in member.get("/api/v1/rooms").json()] == []
    assert _json(member, "POST", f"/api/v1/rooms/{room_id}/join").status_code == 404
    assert _json(viewer, "POST", "/api/v1/rooms", {"name": "Viewer"}).status_code == 403
    public = _json(agent, "POST", "/api/v1/rooms", {"name": "Offen"}).json()["id"]
    assert _json(member, "PATCH", f"/api/v1/rooms/{public}", {"name": "Meins"}).status_code == 403
    post = _json(agent, "POST", f"/api/v1/rooms/{public}/posts", {"body": "Hallo"}).json()["post"][
        "id"
    ]
    assert (
        _json(member, "PATCH", f"/api/v1/room-posts/{post}", {"body": "Fremd"}).status_code == 403
    )
    left = _json(agent, "POST", f"/api/v1/rooms/{public}/leave")
    assert left.status_code == 422 and "last owner" in left.content.decode()
    assert _json(agent, "POST", f"/api/v1/rooms/{public}/archive").json()["archived"]
    refused = _json(agent, "POST", f"/api/v1/rooms/{public}/posts", {"body": "Noch was"})
    assert refused.status_code == 403 and "archived" in refused.content.decode()


def test_it_answers_hostile_values_with_422_and_stores_nothing(api_as, people):
    agent = api_as("agent")
    room_bodies: list[dict[str, Any]] = [
        {"name": "a\x00b"},
        {"name": "x" * 5000},
        {"name": "Ok", "purpose": "p" * 3000},
        {"name": "Ok", "visibility": "secret"},
        {"name": "Ok", "member_ids": [2**63]},
        {"name": "Ok", "member_ids": [999999]},
    ]
    for body in room_bodies:
        response = _json(agent, "POST", "/api/v1/rooms", body)
        assert response.status_code == 422, (body, response.content)
    assert not Room.objects.exists()
    room_id = _json(agent, "POST", "/api/v1/rooms", {"name": "Ok"}).json()["id"]
    post_bodies: list[dict[str, Any]] = [
        {"body": "a\x00b"},
        {"body": "x" * 20_001},
        {"body": ""},
        {"body": 5},
        {"body": "x", "parent_id": "abc"},
        {"body": "x", "parent_id": 2**64},
        {"body": "x", "parent_id": 999999},
    ]
    for body in post_bodies:
        response = _json(agent, "POST", f"/api/v1/rooms/{room_id}/posts", body)
        assert response.status_code == 422, (body, response.content)
    response = _json(agent, "POST", f"/api/v1/room-posts/{2**64}/reactions", {"emoji": "👍"})
    assert response.status_code == 422
    assert not RoomPost.objects.exists()
