"""The ideas and campaigns API: the same rules, services and visibility as the pages, and a
422 naming the field for every hostile value (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.publishing import idea_services
from socialdesk.publishing.models import Campaign, Idea, IdeaPhoto, IdeaStatus

HUGE = 2**63  # one beyond any database id
HUGER = int("9" * 23)


@pytest.fixture
def api_as(people):
    def make(role: str) -> Client:
        _token, key = api_tokens.api_token_create(
            by=Acting(user=people[role]), user=people[role], name="test"
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def _fields(response: Any) -> list[str]:
    """The fields a 422 names, as the request spells them (`photos.0.alt_text`)."""
    locs = [
        [str(p) for p in d["loc"] if p not in ("body", "payload")]
        for d in response.json()["detail"]
    ]
    return [".".join(loc) for loc in locs]


def test_a_member_submits_an_idea_with_a_photo_and_reads_it_back(api_as, people, departments):
    member = api_as("member")
    made = _post(
        member,
        "/api/v1/ideas",
        {
            "title": "Lego-Zug",
            "what_happened": "Azubis bauten ihn.",
            "department_id": departments["Product Development"].pk,
            "photos": [{"data_base64": _jpeg(), "alt_text": "Der Zug", "filename": "zug.jpg"}],
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "new" and body["submitted_by"] == people["member"].email
    [photo] = body["photos"]
    assert photo["alt_text"] == "Der Zug" and photo["mime"] == "image/jpeg"
    assert member.get(f"/api/v1/ideas/{body['id']}").json()["title"] == "Lego-Zug"


def test_a_bad_photo_is_a_422_at_its_place_and_nothing_is_stored(api_as):
    member = api_as("member")
    response = _post(
        member,
        "/api/v1/ideas",
        {
            "title": "Lego-Zug",
            "what_happened": "x",
            "photos": [
                {"data_base64": _jpeg(), "alt_text": "gut"},
                {"data_base64": base64.b64encode(b"kein Bild").decode(), "alt_text": ""},
            ],
        },
    )
    assert response.status_code == 422
    assert sorted(_fields(response)) == ["photos.1.alt_text", "photos.1.data_base64"]
    assert Idea.objects.count() == 0 and IdeaPhoto.objects.count() == 0


def test_the_team_accepts_and_declines_a_member_may_not(api_as, people, departments):
    idea = idea_services.idea_submit(
        by=Acting(user=people["member"]), title="Lego", what_happened="x"
    )
    member, agent = api_as("member"), api_as("agent")
    assert member.post(f"/api/v1/ideas/{idea.pk}/accept").status_code == 403
    no_reason = _post(agent, f"/api/v1/ideas/{idea.pk}/decline", {"reason": "  "})
    assert no_reason.status_code == 422 and _fields(no_reason) == ["reason"]
    declined = _post(agent, f"/api/v1/ideas/{idea.pk}/decline", {"reason": "Zu intern."})
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "Zu intern."
    accepted = agent.post(f"/api/v1/ideas/{idea.pk}/accept")
    assert accepted.json()["status"] == "accepted"
    again = agent.post(f"/api/v1/ideas/{idea.pk}/accept")
    assert again.status_code == 422
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED


def test_a_member_lists_only_ideas_of_their_departments(api_as, people, departments):
    admin = Acting(user=people["admin"])
    legal = idea_services.idea_submit(
        by=admin, title="Legal", what_happened="x", department=departments["Legal"]
    )
    idea_services.idea_submit(
        by=admin, title="Produkt", what_happened="x", department=departments["Product Development"]
    )
    member = api_as("member")
    assert [i["title"] for i in member.get("/api/v1/ideas").json()] == ["Produkt"]
    assert member.get(f"/api/v1/ideas/{legal.pk}").status_code == 404
    everyone = api_as("viewer").get("/api/v1/ideas?status=new").json()
    assert sorted(i["title"] for i in everyone) == ["Legal", "Produkt"]


def test_managers_create_campaigns_everyone_lists_them(api_as):
    assert _post(api_as("agent"), "/api/v1/campaigns", {"name": "Sommer"}).status_code == 403
    manager = api_as("manager")
    wrong = _post(
        manager,
        "/api/v1/campaigns",
        {"name": "Sommer", "colour": "orange", "starts_on": "2027-06-02", "ends_on": "2027-06-01"},
    )
    assert wrong.status_code == 422 and sorted(_fields(wrong)) == ["colour", "ends_on"]
    made = _post(
        manager,
        "/api/v1/campaigns",
        {"name": "Sommer", "colour": "#FF8800", "goal": "200 neue Follower"},
    )
    assert made.status_code == 201 and made.json()["colour"] == "#ff8800"
    listed = api_as("member").get("/api/v1/campaigns").json()
    assert [c["name"] for c in listed] == ["Sommer"]
    one = api_as("member").get(f"/api/v1/campaigns/{made.json()['id']}")
    assert one.json()["goal"] == "200 neue Follower"
    by_campaign = api_as("member").get(f"/api/v1/ideas?campaign_id={made.json()['id']}")
    assert by_campaign.json() == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/ideas", {"title": "A\x00B", "what_happened": "x"}, "title"),
        ("/api/v1/ideas", {"title": "x" * 201, "what_happened": "x"}, "title"),
        ("/api/v1/ideas", {"title": "x" * 100_000, "what_happened": "x"}, "title"),
        ("/api/v1/ideas", {"title": "t", "what_happened": "w\x00"}, "what_happened"),
        (
            "/api/v1/ideas",
            {"title": "t", "what_happened": "x", "department_id": HUGER},
            "department_id",
        ),
        ("/api/v1/ideas", {"title": "t", "what_happened": "x", "campaign_id": HUGE}, "campaign_id"),
        (
            "/api/v1/ideas",
            {"title": "t", "what_happened": "x", "about_date": "99999-01-01"},
            "about_date",
        ),
        (
            "/api/v1/ideas",
            {
                "title": "t",
                "what_happened": "x",
                "photos": [{"data_base64": "%%%", "alt_text": "a"}],
            },
            "photos.0.data_base64",
        ),
        (
            "/api/v1/ideas",
            {
                "title": "t",
                "what_happened": "x",
                "photos": [{"data_base64": _jpeg(), "alt_text": "a\x00"}],
            },
            "photos.0.alt_text",
        ),
        ("/api/v1/campaigns", {"name": "S\x00"}, "name"),
        ("/api/v1/campaigns", {"name": "s" * 121}, "name"),
        ("/api/v1/campaigns", {"name": "S", "goal": "\x00"}, "goal"),
    ],
)
def test_hostile_values_are_a_422_naming_the_field_and_store_nothing(api_as, path, body, field):
    response = _post(api_as("admin"), path, body)
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert Idea.objects.count() == 0 and Campaign.objects.count() == 0


@pytest.mark.parametrize("bad", [HUGE, HUGER, 0, -1])
def test_an_id_beyond_any_database_is_a_422_never_a_500(api_as, people, bad):
    admin = api_as("admin")
    for method, path in [
        ("GET", f"/api/v1/ideas/{bad}"),
        ("POST", f"/api/v1/ideas/{bad}/accept"),
        ("POST", f"/api/v1/ideas/{bad}/decline"),
        ("GET", f"/api/v1/campaigns/{bad}"),
        ("GET", f"/api/v1/ideas?campaign_id={bad}"),
        ("GET", f"/api/v1/ideas?department_id={bad}"),
    ]:
        response = admin.generic(
            method, path, json.dumps({"reason": "r"}), content_type="application/json"
        )
        assert response.status_code == 422, (method, path, response.status_code)


def test_a_missing_idea_or_campaign_is_a_404(api_as):
    admin = api_as("admin")
    assert admin.get("/api/v1/ideas/12345").status_code == 404
    assert admin.get("/api/v1/campaigns/12345").status_code == 404
    assert admin.post("/api/v1/ideas/12345/accept").status_code == 404


def test_the_operations_are_in_the_openapi_schema(client_as):
    schema = client_as("viewer").get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "list_ideas",
        "get_idea",
        "create_idea",
        "accept_idea",
        "decline_idea",
        "list_campaigns",
        "get_campaign",
        "create_campaign",
    } <= operations
