"""The posts API refuses bad input at the field, in the caller's language, and saves nothing;
its OpenAPI document describes every operation."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import ValidationError

from socialdesk.accounts.audit import Acting
from socialdesk.api.tests.post_requests import (
    HUGE,
    approved_post,
    create_post,
    field_errors,
    new_post,
    png,
    send,
)
from socialdesk.publishing import services
from socialdesk.publishing.models import Post, PostMedia, PostPart, PostStatus

# --- bad input: every wrong field named, nothing saved ---


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
        ({"images": [{"data": png(), "part": 3}]}, "images.0.part", "no part 3"),
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
    errors = field_errors(create_post(api_as("agent"), channels, **fields))
    assert field in errors, errors
    assert says in " ".join(errors[field]), errors
    assert not Post.objects.exists() and not PostMedia.objects.exists()
    assert not PostPart.objects.exists()


def test_it_names_every_wrong_field_at_once_and_saves_no_half_post(api_as, channels):
    errors = field_errors(
        create_post(
            api_as("agent"),
            channels,
            channel_ids=[channels["mastodon"].pk, channels["rss"].pk],
            images=[{"data": png(), "alt_text": "ok"}, {"data": "%%%"}],
        )
    )
    assert set(errors) == {"channel_ids", "images.1.data"}
    assert not Post.objects.exists() and not PostMedia.objects.exists()


def test_huge_and_nul_values_in_the_address_are_a_422(api_as, channels, people):
    agent = api_as("agent")
    assert "post_id" in field_errors(agent.get(f"/api/v1/posts/{HUGE}"))
    assert "post_id" in field_errors(send(agent, "POST", f"/api/v1/posts/{HUGE}/submit"))
    assert "campaign" in field_errors(agent.get(f"/api/v1/posts?campaign={HUGE}"))
    assert "status" in field_errors(agent.get("/api/v1/posts?status=%00"))
    assert "page" in field_errors(agent.get(f"/api/v1/posts?page={HUGE}"))
    post = new_post(people, channels)
    patch = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": "a\x00", "idea_id": HUGE})
    assert set(field_errors(patch)) == {"text", "idea_id"}
    post.refresh_from_db()
    assert post.text == "Hinter den Kulissen im Stellwerk" and post.version == 1


def test_an_image_without_alt_text_stops_the_approval(api_as, channels, people):
    created = create_post(api_as("agent"), channels, images=[{"data": png(), "alt_text": " "}])
    assert created.status_code == 201 and created.json()["media"]["without_alt_text"] == 1
    post = Post.objects.get()
    with pytest.raises(ValidationError, match="alt text"):  # not even sent for review
        services.post_submit(by=Acting(user=people["agent"]), post=post)
    refused = send(api_as("manager"), "POST", f"/api/v1/posts/{post.pk}/approve", {})
    assert "alt text" in field_errors(refused)["alt_text"][0]
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and not post.approvals.exists()
    agent, image = api_as("agent"), PostMedia.objects.get()
    wrong = {"alt_texts": [{"image_id": HUGE, "alt_text": "x"}], "remove_image_ids": [99999]}
    errors = field_errors(send(agent, "PATCH", f"/api/v1/posts/{post.pk}", wrong))
    assert set(errors) == {"alt_texts.0.image_id"}  # 2**70 is no id at all
    wrong["alt_texts"] = [{"image_id": image.pk, "alt_text": "Stellpult"}]
    errors = field_errors(send(agent, "PATCH", f"/api/v1/posts/{post.pk}", wrong))
    assert errors == {"remove_image_ids.0": ["The post has no image with id 99999."]}
    image.refresh_from_db()
    assert image.alt_text == ""  # nothing changed by a request with a wrong field
    fixed = {"alt_texts": [{"image_id": image.pk, "alt_text": "Ein rotes Stellpult"}]}
    media = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", fixed).json()["media"]
    assert media["without_alt_text"] == 0 and media["items"][0]["alt_text"] == "Ein rotes Stellpult"
    approved = send(api_as("manager"), "POST", f"/api/v1/posts/{post.pk}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    removed = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"remove_image_ids": [image.pk]})
    assert removed.json()["media"]["count"] == 0 and removed.json()["back_to_review"] is True


def test_a_time_in_the_past_when_scheduling_changes_nothing(api_as, channels, people):
    post = approved_post(people, channels)
    before = post.scheduled_at
    past = {"scheduled_at": "2020-01-01T09:30:00+00:00"}
    errors = field_errors(send(api_as("agent"), "POST", f"/api/v1/posts/{post.pk}/schedule", past))
    assert "in the past" in errors["scheduled_at"][0]
    post.refresh_from_db()
    assert post.scheduled_at == before and post.status == PostStatus.SCHEDULED


# --- the caller's language ---


def test_field_errors_are_german_for_a_german_token_user(api_as, channels, people):
    people["agent"].language = "de"
    people["agent"].save()
    german = api_as("agent")
    typed = field_errors(
        create_post(german, channels, text="x" * 20_000, scheduled_at="2026-12-01T09:30:00",
                visibility="alle")
    )  # fmt: skip
    assert typed["text"] == ["Höchstens 10000 Zeichen sind erlaubt; hier sind es 20000."]
    assert "Abstand zu UTC" in typed["scheduled_at"][0]
    assert "Wählen Sie eines von" in typed["visibility"][0]
    checked = field_errors(
        create_post(
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
    past = field_errors(create_post(german, channels, scheduled_at="2020-01-01T09:30:00+01:00"))
    assert past["scheduled_at"] == ["Dieser Zeitpunkt liegt in der Vergangenheit."]
    nul = field_errors(create_post(german, channels, text="a\x00"))
    assert "darf keine NUL-Zeichen" in nul["text"][0]
    # The language a request asks for wins over the person's.
    english = api_as("agent", **{"Accept-Language": "en"})
    again = field_errors(create_post(english, channels, scheduled_at="2020-01-01T09:30:00+01:00"))
    assert again["scheduled_at"] == ["This time is in the past."]
    viewer = api_as("viewer", **{"Accept-Language": "de"})
    denied = send(viewer, "POST", "/api/v1/posts", {})
    assert denied.status_code == 403 and denied.json()["detail"] == "Ihre Rolle darf das nicht."


def test_a_german_request_gets_german_field_errors_from_an_english_person(api_as, channels):
    errors = field_errors(
        create_post(api_as("agent", **{"Accept-Language": "de"}), channels, text="x" * 100_000)
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


def test_more_images_than_a_network_takes_are_refused_also_when_added_later(api_as, channels):
    bluesky = [channels["bluesky"].pk]
    four = [{"data": png(c), "alt_text": c} for c in ("red", "blue", "green", "black")]
    agent = api_as("agent")
    five = create_post(agent, channels, channel_ids=bluesky, images=[*four, four[0]])
    assert field_errors(five) == {
        "images.4": ["At most 4 images fit in one part on the chosen networks."]
    }
    created = create_post(agent, channels, channel_ids=bluesky, images=four)
    assert created.json()["media"]["count"] == 4
    url = f"/api/v1/posts/{created.json()['id']}"
    one_more = send(agent, "PATCH", url, {"images": [four[0]]})
    assert field_errors(one_more) == {
        "images.0": ["At most 4 images fit in one part on the chosen networks."]
    }
    first = created.json()["media"]["items"][0]["id"]
    swapped = send(agent, "PATCH", url, {"images": [four[0]], "remove_image_ids": [first]})
    assert swapped.status_code == 200 and swapped.json()["media"]["count"] == 4
