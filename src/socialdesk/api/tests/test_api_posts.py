"""The posts API: every operation for every role, bad input refused per field in the caller's
language with nothing saved, the way back to review, figures, and the OpenAPI document."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from socialdesk import access
from socialdesk.accounts import services as account_services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import services
from socialdesk.publishing.models import (
    ApprovalStep,
    Post,
    PostMedia,
    PostMetric,
    PostPart,
    PostStatus,
)

HUGE = 2**70
Api = Callable[..., Client]


@pytest.fixture
def api_as(people: dict[str, User]) -> Api:
    def make(role: str, **headers: str) -> Client:
        _token, key = account_services.api_token_create(
            by=Acting(user=people[role]), user=people[role], name="test"
        )
        return Client(
            headers={"Authorization": f"Bearer {key}", **headers}, raise_request_exception=False
        )

    return make


@pytest.fixture
def channels(db: None) -> dict[str, ChannelAccount]:
    return {
        "mastodon": ChannelAccount.objects.create(
            network=Network.MASTODON, handle="nordlicht@mock.local", name="Mastodon"
        ),
        "bluesky": ChannelAccount.objects.create(
            network=Network.BLUESKY, handle="nordlicht.bsky.social", name="Bluesky"
        ),
        "rss": ChannelAccount.objects.create(
            network=Network.RSS, handle="blog", name="Blog feed", url="https://example.com/f"
        ),
    }


def _png(colour: str = "red") -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json")


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content[:800]
    assert response["Content-Type"].startswith("application/json")
    errors: dict[str, list[str]] = response.json()["errors"]
    assert errors and all(errors.values())
    return errors


def _post(people: dict[str, User], channels: dict[str, ChannelAccount], **fields: Any) -> Post:
    return services.post_create(
        by=Acting(user=people[fields.pop("author", "agent")]),
        text=fields.pop("text", "Hinter den Kulissen im Stellwerk"),
        channels=fields.pop("on", [channels["mastodon"], channels["bluesky"]]),
        **fields,
    )


def _approved(people: dict[str, User], channels: dict[str, ChannelAccount]) -> Post:
    post = _post(people, channels, scheduled_at=timezone.now() + timedelta(days=2))
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    services.post_approve(by=Acting(user=people["manager"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    return post


# --- writing and reading ---


def test_it_creates_a_post_with_a_thread_variants_and_an_image(api_as, channels, people):
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()
    body = {
        "text": "Nachtschicht im Stellwerk",
        "thread": ["Teil 2: die Weichenheizung"],
        "channel_ids": [channels["mastodon"].pk, channels["bluesky"].pk],
        "variants": [{"channel_id": channels["bluesky"].pk, "parts": ["Kurz für Bluesky"]}],
        "scheduled_at": at,
        "language": "de",
        "content_warning": "Technik",
        "images": [{"data": _png(), "alt_text": "Ein rotes Stellpult"}],
    }
    response = _send(api_as("agent"), "POST", "/api/v1/posts", body)
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["status"] == "draft" and post["author"]["id"] == people["agent"].pk
    parts = {t["channel"]["network"]: [p["text"] for p in t["parts"]] for t in post["targets"]}
    assert parts == {
        "mastodon": ["Nachtschicht im Stellwerk", "Teil 2: die Weichenheizung"],
        "bluesky": ["Kurz für Bluesky"],
    }
    assert post["media"]["count"] == 1 and post["media"]["without_alt_text"] == 0
    assert post["media"]["items"][0]["alt_text"] == "Ein rotes Stellpult"
    assert all(t["state"] == "pending" and t["url"] == "" for t in post["targets"])
    assert PostMedia.objects.get().mime in ("image/jpeg", "image/png")


def test_it_goes_from_draft_to_scheduled_through_the_api(api_as, channels, people):
    post = _post(people, channels)
    agent, manager = api_as("agent"), api_as("manager")
    assert _send(agent, "POST", f"/api/v1/posts/{post.pk}/submit").json()["status"] == "in_review"
    approved = _send(manager, "POST", f"/api/v1/posts/{post.pk}/approve", {"comment": "Gut"})
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["current"] is True
    at = (timezone.now() + timedelta(hours=3)).isoformat()
    scheduled = _send(agent, "POST", f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": at})
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["back_to_review"] is False  # a first time is planning, no change
    now = _send(manager, "POST", f"/api/v1/posts/{post.pk}/publish-now")
    assert now.status_code == 200 and now.json()["status"] == "scheduled"
    post.refresh_from_db()
    assert post.scheduled_at is not None and post.scheduled_at <= timezone.now()


def test_a_change_after_approval_says_it_goes_back_to_review(api_as, channels, people):
    post = _approved(people, channels)
    response = _send(api_as("agent"), "PATCH", f"/api/v1/posts/{post.pk}", {"text": "Neu"})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "in_review" and answer["back_to_review"] is True
    assert "back to review" in answer["notice"]
    assert answer["version"] == 2 and answer["approvals"][0]["current"] is False
    german = api_as("agent", **{"Accept-Language": "de"})
    again = _send(german, "PATCH", f"/api/v1/posts/{post.pk}", {"title": "Intern"})
    assert again.json()["back_to_review"] is False and again.json()["notice"] == ""
    post = _approved(people, channels)
    image = {"images": [{"data": _png("blue"), "alt_text": "Blau"}]}
    moved = _send(german, "PATCH", f"/api/v1/posts/{post.pk}", image).json()
    assert moved["back_to_review"] is True and "zurück in die Prüfung" in moved["notice"]


def test_it_lists_with_filters_and_pages(api_as, channels, people):
    soon = timezone.now() + timedelta(days=1)
    later = timezone.now() + timedelta(days=10)
    first = _post(people, channels, scheduled_at=soon, on=[channels["mastodon"]])
    second = _post(people, channels, scheduled_at=later, on=[channels["bluesky"]])
    third = _approved(people, channels)
    viewer = api_as("viewer")
    everything = viewer.get("/api/v1/posts").json()
    assert everything["count"] == 3
    assert [p["id"] for p in everything["items"]] == [third.pk, second.pk, first.pk]
    by_channel = viewer.get(f"/api/v1/posts?channel={channels['mastodon'].pk}").json()
    assert {p["id"] for p in by_channel["items"]} == {first.pk, third.pk}
    assert viewer.get("/api/v1/posts?status=scheduled").json()["items"][0]["id"] == third.pk
    window = {"from": (soon - timedelta(hours=1)).isoformat(), "to": later.isoformat()}
    in_window = viewer.get("/api/v1/posts", window).json()
    assert {p["id"] for p in in_window["items"]} == {first.pk, third.pk}
    paged = viewer.get("/api/v1/posts?per_page=2&page=2").json()
    assert paged["count"] == 3 and [p["id"] for p in paged["items"]] == [first.pk]
    naive = _errors(viewer.get("/api/v1/posts?from=2026-12-01T09:30:00"))
    assert list(naive) == ["from"] and "offset" in naive["from"][0]


def test_it_gives_per_channel_state_and_figures(api_as, channels, people):
    post = _approved(people, channels)
    mastodon = post.targets.get(channel=channels["mastodon"])
    published = timezone.now() - timedelta(days=1)
    PostMetric.objects.create(target=mastodon, age="1h", taken_at=published, likes=2, replies=1)
    PostMetric.objects.create(target=mastodon, age="6h", taken_at=published + timedelta(hours=5),
                              likes=5, reposts=2, replies=1)  # fmt: skip
    bluesky = post.targets.get(channel=channels["bluesky"])
    PostMetric.objects.create(target=bluesky, age="1h", taken_at=published, likes=3, quotes=1)
    figures = api_as("member").get(f"/api/v1/posts/{post.pk}/metrics")
    assert figures.status_code == 404  # a member sees only what is theirs or sent to them
    figures = api_as("viewer").get(f"/api/v1/posts/{post.pk}/metrics").json()
    series = {c["channel"]["network"]: [m["age"] for m in c["series"]] for c in figures["channels"]}
    assert series == {"mastodon": ["1h", "6h"], "bluesky": ["1h"]}
    assert figures["totals"] == {"likes": 8, "reposts": 2, "replies": 1, "quotes": 1}


def test_a_channel_keeps_its_own_text_and_each_is_checked_against_its_network(
    api_as, channels, people
):
    post = _post(people, channels, variants={channels["bluesky"].pk: ["Kurz für Bluesky"]})
    agent = api_as("agent")
    longer = "Mastodon nimmt mehr. " * 20  # 420 characters: fine for Mastodon, not Bluesky
    changed = _send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": longer})
    assert changed.status_code == 200, changed.content
    parts = {t["channel"]["network"]: t["parts"][0]["text"] for t in changed.json()["targets"]}
    assert parts == {"mastodon": longer, "bluesky": "Kurz für Bluesky"}
    too_long = {"variants": [{"channel_id": channels["bluesky"].pk, "parts": [longer]}]}
    errors = _errors(_send(agent, "PATCH", f"/api/v1/posts/{post.pk}", too_long))
    assert errors == {"variants.0.parts.0": ["Too long for Bluesky: 420 characters, 300 allowed."]}
    link = "https://example.com/" + "a" * 600  # a link counts 23 characters on Mastodon
    fine = _send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": f"Mehr: {link}"})
    assert fine.status_code == 200, fine.content


def test_the_list_reads_in_a_constant_number_of_queries(
    api_as, channels, people, django_assert_max_num_queries
):
    viewer = api_as("viewer")
    for _ in range(2):
        _post(people, channels)
    with django_assert_max_num_queries(12) as few:
        assert viewer.get("/api/v1/posts").json()["count"] == 2
    for _ in range(10):
        _post(people, channels)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(viewer.get("/api/v1/posts").json()["items"]) == 12


# --- who may do what ---


def _calls(post: Post, channels: dict[str, ChannelAccount]) -> dict[str, tuple[str, str, Any]]:
    at = (timezone.now() + timedelta(days=3)).isoformat()
    return {
        "list_posts": ("GET", "/api/v1/posts", None),
        "get_post": ("GET", f"/api/v1/posts/{post.pk}", None),
        "post_metrics": ("GET", f"/api/v1/posts/{post.pk}/metrics", None),
        "create_post": (
            "POST",
            "/api/v1/posts",
            {"text": "Neu", "channel_ids": [channels["mastodon"].pk]},
        ),
        "update_post": ("PATCH", f"/api/v1/posts/{post.pk}", {"title": "Intern"}),
        "submit_post": ("POST", f"/api/v1/posts/{post.pk}/submit", None),
        "approve_post": ("POST", f"/api/v1/posts/{post.pk}/approve", {}),
        "request_changes": (
            "POST",
            f"/api/v1/posts/{post.pk}/request-changes",
            {"comment": "Kürzer"},
        ),
        "schedule_post": ("POST", f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": at}),
        "publish_now": ("POST", f"/api/v1/posts/{post.pk}/publish-now", None),
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_operation_allows_and_denies_each_role_as_the_table_says(
    role, api_as, channels, people
):
    """Each call on a fresh post in the state it needs; the member's post is their own."""
    wrong = []
    client = api_as(role)
    states = {"approve_post": "in_review", "request_changes": "in_review",
              "publish_now": "approved", "submit_post": "draft"}  # fmt: skip
    for operation, (method, url_of, body) in _calls(Post(pk=0), channels).items():
        post = _post(people, channels)
        if states.get(operation, "draft") != "draft":
            services.post_submit(by=Acting(user=people["agent"]), post=post)
        if states.get(operation) == "approved":
            services.post_approve(by=Acting(user=people["admin"]), post=post)
        url = url_of.replace("/0", f"/{post.pk}")
        response = _send(client, method, url, body)
        allowed = role in access.API[operation]
        if operation in ("approve_post", "request_changes"):
            allowed = role in (Role.ADMIN, Role.MANAGER)  # nobody else is asked by a step here
        if role == Role.MEMBER and "/posts/" in url and role in access.API[operation]:
            expected = {404}  # a post not theirs: not even its existence is told
        else:
            expected = {200, 201} if allowed else {403}
        if response.status_code not in expected:
            wrong.append(f"{operation}: {role} got {response.status_code}, wanted {expected}")
    assert wrong == []


def test_a_member_sees_and_approves_only_what_is_sent_to_their_department(
    api_as, channels, people, departments
):
    mine = _post(people, channels, on=[channels["bluesky"]])
    services.post_submit(by=Acting(user=people["agent"]), post=mine)
    other = _post(people, channels, on=[channels["mastodon"]])
    services.post_submit(by=Acting(user=people["agent"]), post=other)
    ApprovalStep.objects.create(channel=channels["bluesky"], department=departments[
        "Product Development"])  # fmt: skip
    member = api_as("member")
    assert [p["id"] for p in member.get("/api/v1/posts").json()["items"]] == [mine.pk]
    hidden = member.get(f"/api/v1/posts/{other.pk}", headers={"Accept-Language": "de"})
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "Hier ist nichts mit dieser ID, das Sie sehen dürfen."}
    assert (
        member.get("/api/v1/posts/99999").json()
        == api_as("member").get(f"/api/v1/posts/{other.pk}").json()
    )  # the same answer as for a post that does not exist
    assert _send(member, "POST", f"/api/v1/posts/{other.pk}/approve", {}).status_code == 404
    approved = _send(member, "POST", f"/api/v1/posts/{mine.pk}/approve", {"comment": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    agent_approves = _send(api_as("agent"), "POST", f"/api/v1/posts/{other.pk}/approve", {})
    assert agent_approves.status_code == 403
    assert "not sent to you" in agent_approves.json()["detail"]


# --- bad input: every wrong field named, nothing saved ---


def _create(client: Client, channels: dict[str, ChannelAccount], **fields: Any) -> Any:
    body = {"text": "Stellwerk", "channel_ids": [channels["mastodon"].pk], **fields}
    return _send(client, "POST", "/api/v1/posts", body)


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"text": "Nacht\x00schicht"}, "text", "NUL"),
        ({"text": "x" * 100_000}, "text", "100000"),
        ({"thread": ["ok", "b\x00"]}, "thread.1", "NUL"),
        ({"channel_ids": [HUGE]}, "channel_ids.0", "largest value"),
        ({"campaign_id": HUGE}, "campaign_id", "largest value"),
        ({"channel_ids": [99999]}, "channel_ids", "no channel with id 99999"),
        ({"channel_ids": ["rss"]}, "channel_ids", "posts cannot be published there"),
        ({"scheduled_at": "2026-12-01T09:30:00"}, "scheduled_at", "offset"),
        ({"scheduled_at": "2020-01-01T09:30:00+01:00"}, "scheduled_at", "in the past"),
        ({"scheduled_at": "morgen früh"}, "scheduled_at", "ISO 8601"),
        ({"images": [{"data": "not base64!!", "alt_text": "x"}]}, "images.0.data", "base64"),
        ({"images": [{"data": base64.b64encode(b"%PDF-1.7 x").decode()}]}, "images.0.data",
         "not an image"),
        ({"images": [{"data": _png(), "part": 3}]}, "images.0.part", "no part 3"),
        ({"text": "ä" * 301, "channel_ids": ["bluesky"]}, "text", "Too long for Bluesky"),
        ({"link_url": "javascript:alert(1)"}, "link_url", "https://"),
        ({"language": "deutsch"}, "language", "language code"),
        ({"visibility": "everyone"}, "visibility", "Choose one of"),
    ],
)  # fmt: skip
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(api_as, channels, fields, field, says):
    if "channel_ids" in fields:
        fields["channel_ids"] = [
            channels[c].pk if isinstance(c, str) else c for c in fields["channel_ids"]
        ]
    errors = _errors(_create(api_as("agent"), channels, **fields))
    assert field in errors, errors
    assert says in " ".join(errors[field]), errors
    assert not Post.objects.exists() and not PostMedia.objects.exists()
    assert not PostPart.objects.exists()


def test_it_names_every_wrong_field_at_once_and_saves_no_half_post(api_as, channels):
    errors = _errors(
        _create(
            api_as("agent"),
            channels,
            channel_ids=[channels["mastodon"].pk, channels["rss"].pk],
            images=[{"data": _png(), "alt_text": "ok"}, {"data": "%%%"}],
        )
    )
    assert set(errors) == {"channel_ids", "images.1.data"}
    assert not Post.objects.exists() and not PostMedia.objects.exists()


def test_huge_and_nul_values_in_the_address_are_a_422(api_as, channels, people):
    agent = api_as("agent")
    assert "post_id" in _errors(agent.get(f"/api/v1/posts/{HUGE}"))
    assert "post_id" in _errors(_send(agent, "POST", f"/api/v1/posts/{HUGE}/submit"))
    assert "campaign" in _errors(agent.get(f"/api/v1/posts?campaign={HUGE}"))
    assert "status" in _errors(agent.get("/api/v1/posts?status=%00"))
    assert "page" in _errors(agent.get(f"/api/v1/posts?page={HUGE}"))
    post = _post(people, channels)
    patch = _send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": "a\x00", "idea_id": HUGE})
    assert set(_errors(patch)) == {"text", "idea_id"}
    post.refresh_from_db()
    assert post.text == "Hinter den Kulissen im Stellwerk" and post.version == 1


def test_an_image_without_alt_text_stops_the_approval(api_as, channels, people):
    created = _create(api_as("agent"), channels, images=[{"data": _png(), "alt_text": " "}])
    assert created.status_code == 201 and created.json()["media"]["without_alt_text"] == 1
    post = Post.objects.get()
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    refused = _send(api_as("manager"), "POST", f"/api/v1/posts/{post.pk}/approve", {})
    assert "alt text" in _errors(refused)["alt_text"][0]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and not post.approvals.exists()
    agent, image = api_as("agent"), PostMedia.objects.get()
    wrong = {"alt_texts": [{"image_id": HUGE, "alt_text": "x"}], "remove_image_ids": [99999]}
    errors = _errors(_send(agent, "PATCH", f"/api/v1/posts/{post.pk}", wrong))
    assert set(errors) == {"alt_texts.0.image_id"}  # 2**70 is no id at all
    wrong["alt_texts"] = [{"image_id": image.pk, "alt_text": "Stellpult"}]
    errors = _errors(_send(agent, "PATCH", f"/api/v1/posts/{post.pk}", wrong))
    assert errors == {"remove_image_ids.0": ["The post has no image with id 99999."]}
    image.refresh_from_db()
    assert image.alt_text == ""  # nothing changed by a request with a wrong field
    fixed = {"alt_texts": [{"image_id": image.pk, "alt_text": "Ein rotes Stellpult"}]}
    media = _send(agent, "PATCH", f"/api/v1/posts/{post.pk}", fixed).json()["media"]
    assert media["without_alt_text"] == 0 and media["items"][0]["alt_text"] == "Ein rotes Stellpult"
    approved = _send(api_as("manager"), "POST", f"/api/v1/posts/{post.pk}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    removed = _send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"remove_image_ids": [image.pk]})
    assert removed.json()["media"]["count"] == 0 and removed.json()["back_to_review"] is True


def test_a_time_in_the_past_when_scheduling_changes_nothing(api_as, channels, people):
    post = _approved(people, channels)
    before = post.scheduled_at
    past = {"scheduled_at": "2020-01-01T09:30:00+00:00"}
    errors = _errors(_send(api_as("agent"), "POST", f"/api/v1/posts/{post.pk}/schedule", past))
    assert "in the past" in errors["scheduled_at"][0]
    post.refresh_from_db()
    assert post.scheduled_at == before and post.status == PostStatus.SCHEDULED


# --- the caller's language ---


def test_field_errors_are_german_for_a_german_token_user(api_as, channels, people):
    people["agent"].language = "de"
    people["agent"].save()
    german = api_as("agent")
    typed = _errors(
        _create(german, channels, text="x" * 20_000, scheduled_at="2026-12-01T09:30:00",
                visibility="alle")
    )  # fmt: skip
    assert typed["text"] == ["Höchstens 10000 Zeichen sind erlaubt; hier sind es 20000."]
    assert "Abstand zu UTC" in typed["scheduled_at"][0]
    assert "Wählen Sie eines von" in typed["visibility"][0]
    checked = _errors(
        _create(
            german,
            channels,
            text="x" * 600,
            channel_ids=[channels["mastodon"].pk, channels["rss"].pk],
            images=[{"data": "kaputt!", "alt_text": "x"}],
        )
    )
    assert checked["text"] == ["Zu lang für Mastodon: 600 Zeichen, erlaubt sind 500."]
    assert "dort können keine Beiträge veröffentlicht werden" in checked["channel_ids"][0]
    assert checked["images.0.data"] == ["Das ist keine base64-kodierte Datei."]
    past = _errors(_create(german, channels, scheduled_at="2020-01-01T09:30:00+01:00"))
    assert past["scheduled_at"] == ["Dieser Zeitpunkt liegt in der Vergangenheit."]
    nul = _errors(_create(german, channels, text="a\x00"))
    assert "darf keine NUL-Zeichen" in nul["text"][0]
    # The language a request asks for wins over the person's.
    english = api_as("agent", **{"Accept-Language": "en"})
    again = _errors(_create(english, channels, scheduled_at="2020-01-01T09:30:00+01:00"))
    assert again["scheduled_at"] == ["This time is in the past."]
    viewer = api_as("viewer", **{"Accept-Language": "de"})
    denied = _send(viewer, "POST", "/api/v1/posts", {})
    assert denied.status_code == 403 and denied.json()["detail"] == "Ihre Rolle darf das nicht."


def test_a_german_request_gets_german_field_errors_from_an_english_person(api_as, channels):
    errors = _errors(
        _create(api_as("agent", **{"Accept-Language": "de"}), channels, text="x" * 100_000)
    )
    assert "Zeichen" in errors["text"][0]


# --- the documentation ---


def test_the_openapi_document_describes_every_posts_operation(client_as):
    schema = client_as("viewer").get("/api/v1/openapi.json").json()
    found = {
        op["operationId"]: (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if path.startswith("/api/v1/posts")
    }
    assert set(found) == {
        "list_posts", "get_post", "create_post", "update_post", "submit_post", "approve_post",
        "request_changes", "schedule_post", "publish_now", "post_metrics",
    }  # fmt: skip
    components = schema["components"]["schemas"]
    for operation, (_path, _method, op) in found.items():
        assert op["summary"] and op["description"], operation
        ok = op["responses"].get("200") or op["responses"]["201"]
        ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert components[ref]["properties"], operation
        for status in ("401", "403", "404", "422"):
            assert "Error" in json.dumps(op["responses"][status]), (operation, status)
    create = found["create_post"][2]["requestBody"]["content"]["application/json"]["schema"]
    fields = components[create["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"text", "thread", "channel_ids", "variants", "images", "scheduled_at"} <= set(fields)
    assert "errors" in components["Error"]["properties"]


def test_an_approval_needs_no_body(api_as, channels, people):
    post = _post(people, channels)
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    approved = _send(api_as("admin"), "POST", f"/api/v1/posts/{post.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
