"""The wiki API: the same rule and services as the pages, 409 with the current revision on a
conflicting change, and a 422 naming the field for every hostile value (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socialdesk.accounts.audit import Acting
from socialdesk.spaces.models import Room, RoomMembership
from socialdesk.wiki.models import WikiPage, WikiSpace
from socialdesk.wiki.page_services import page_create

pytestmark = pytest.mark.django_db
HUGE = 2**63


def _send(client: Client, method: str, path: str, body: Any) -> Any:
    return client.generic(method, path, json.dumps(body), content_type="application/json")


@pytest.fixture
def space() -> WikiSpace:
    return WikiSpace.objects.create(name="Handbuch", key="handbuch")


def test_it_creates_reads_changes_and_restores_a_page(api_as, space):
    member = api_as("member")
    created = _send(member, "POST", "/api/v1/wiki/pages", {"space_id": space.pk, "title": "Kulanz", "body": "Siehe [[Fehlt]]"})  # fmt: skip
    assert created.status_code == 201, created.content
    page = created.json()
    assert page["revision"] == 1 and 'class="wiki-missing"' in page["html"]
    changed = _send(member, "PATCH", f"/api/v1/wiki/pages/{page['id']}", {"base_revision": 1, "body": "Neu"})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    viewer = api_as("viewer")
    assert [p["title"] for p in viewer.get(f"/api/v1/wiki/spaces/{space.pk}/pages").json()] == ["Kulanz"]  # fmt: skip
    revisions = viewer.get(f"/api/v1/wiki/pages/{page['id']}/revisions").json()
    assert [r["number"] for r in revisions] == [2, 1]
    first = viewer.get(f"/api/v1/wiki/pages/{page['id']}/revisions/1").json()
    assert first["body"] == "Siehe [[Fehlt]]"
    restored = _send(member, "POST", f"/api/v1/wiki/pages/{page['id']}/restore", {"revision": 1})
    assert restored.json()["revision"] == 3 and restored.json()["body"] == "Siehe [[Fehlt]]"
    assert _send(viewer, "PATCH", f"/api/v1/wiki/pages/{page['id']}", {"base_revision": 3}).status_code == 403  # fmt: skip
    assert _send(member, "DELETE", f"/api/v1/wiki/pages/{page['id']}", {}).status_code == 204
    assert viewer.get(f"/api/v1/wiki/pages/{page['id']}").status_code == 404


def test_it_answers_a_conflicting_change_with_409_and_the_current_text(api_as, people, space):
    page = page_create(by=Acting(user=people["agent"]), space=space, title="Preise", body="alt")
    agent, manager = api_as("agent"), api_as("manager")
    first = _send(agent, "PATCH", f"/api/v1/wiki/pages/{page.pk}", {"base_revision": 1, "body": "Anna"})  # fmt: skip
    assert first.status_code == 200
    second = _send(manager, "PATCH", f"/api/v1/wiki/pages/{page.pk}", {"base_revision": 1, "body": "Max"})  # fmt: skip
    assert second.status_code == 409
    assert second.json() == {
        "detail": "The page was changed since revision 1; merge and send again.",
        "current_revision": 2,
        "current_title": "Preise",
        "current_body": "Anna",
    }
    assert WikiPage.objects.get(pk=page.pk).body == "Anna"


def test_it_hides_a_private_rooms_space_from_non_members(api_as, people):
    room = Room.objects.create(name="Geheim", visibility=Room.Visibility.PRIVATE)
    RoomMembership.objects.create(room=room, user=people["member"])
    secret = WikiSpace.objects.create(name="Geheim", key="geheim", room=room)
    page = page_create(by=Acting(user=people["member"]), space=secret, title="Plan")
    agent = api_as("agent")
    assert agent.get("/api/v1/wiki/spaces").json() == []
    assert agent.get(f"/api/v1/wiki/pages/{page.pk}").status_code == 404
    assert agent.get(f"/api/v1/wiki/spaces/{secret.pk}/pages").status_code == 404
    sneaky = _send(agent, "POST", "/api/v1/wiki/pages", {"space_id": secret.pk, "title": "x"})
    assert sneaky.status_code == 404
    assert WikiPage.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "A\x00B"}, "title"),
        ({"title": "ok", "body": "x\x00y"}, "body"),
        ({"title": "T" * 201}, "title"),
        ({"title": "ok", "body": "x" * 200_001}, "body"),
        ({"title": "ok", "parent_id": HUGE}, "parent_id"),
    ],
)
def test_hostile_values_are_a_422_naming_the_field_and_store_nothing(api_as, space, body, field):
    response = _send(api_as("agent"), "POST", "/api/v1/wiki/pages", {"space_id": space.pk, **body})
    assert response.status_code == 422, response.content
    text = json.dumps(response.json())
    assert field in text
    assert not WikiPage.objects.exists()


def test_a_change_with_hostile_values_is_a_422(api_as, people, space):
    page = page_create(by=Acting(user=people["agent"]), space=space, title="Preise", body="alt")
    agent = api_as("agent")
    for body in ({"base_revision": 1, "title": "x\x00"}, {"base_revision": HUGE}, {"body": "y"}):
        response = _send(agent, "PATCH", f"/api/v1/wiki/pages/{page.pk}", body)
        assert response.status_code == 422, (body, response.content)
    assert agent.get(f"/api/v1/wiki/pages/{HUGE}").status_code == 422
    assert WikiPage.objects.get(pk=page.pk).revision == 1


def test_it_exports_a_page_as_markdown_zip_or_pdf(api_as, people, space):
    page = page_create(by=Acting(user=people["agent"]), space=space, title="Preise", body="alt")
    viewer = api_as("viewer")
    markdown = viewer.get(f"/api/v1/wiki/pages/{page.pk}/export?format=md")
    assert markdown.status_code == 200 and markdown.content.decode().endswith("alt\n")
    assert viewer.get(f"/api/v1/wiki/pages/{page.pk}/export?format=zip")["Content-Type"] == "application/zip"  # fmt: skip
    assert viewer.get(f"/api/v1/wiki/pages/{page.pk}/export?format=pdf").content.startswith(b"%PDF")  # fmt: skip
    assert viewer.get(f"/api/v1/wiki/pages/{page.pk}/export?format=exe").status_code == 422
