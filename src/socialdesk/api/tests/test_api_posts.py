"""The posts API: every operation for every role, the way back to review, lists and figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from socialdesk import access
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role
from socialdesk.api.tests.post_requests import (
    approved_post,
    field_errors,
    new_post,
    png,
    send,
)
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import services
from socialdesk.publishing.models import (
    ApprovalStep,
    Campaign,
    Post,
    PostMedia,
    PostMetric,
)

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
        "images": [{"data": png(), "alt_text": "Ein rotes Stellpult"}],
    }
    response = send(api_as("agent"), "POST", "/api/v1/posts", body)
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
    post = new_post(people, channels)
    agent, manager = api_as("agent"), api_as("manager")
    assert send(agent, "POST", f"/api/v1/posts/{post.pk}/submit").json()["status"] == "in_review"
    approved = send(manager, "POST", f"/api/v1/posts/{post.pk}/approve", {"comment": "Gut"})
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["current"] is True
    at = (timezone.now() + timedelta(hours=3)).isoformat()
    scheduled = send(agent, "POST", f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": at})
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["back_to_review"] is False  # a first time is planning, no change
    now = send(manager, "POST", f"/api/v1/posts/{post.pk}/publish-now")
    assert now.status_code == 200 and now.json()["status"] == "scheduled"
    post.refresh_from_db()
    assert post.scheduled_at is not None and post.scheduled_at <= timezone.now()


def test_a_change_after_approval_says_it_goes_back_to_review(api_as, channels, people):
    post = approved_post(people, channels)
    response = send(api_as("agent"), "PATCH", f"/api/v1/posts/{post.pk}", {"text": "Neu"})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "in_review" and answer["back_to_review"] is True
    assert "back to review" in answer["notice"]
    assert answer["version"] == 2 and answer["approvals"][0]["current"] is False
    german = api_as("agent", **{"Accept-Language": "de"})
    again = send(german, "PATCH", f"/api/v1/posts/{post.pk}", {"title": "Intern"})
    assert again.json()["back_to_review"] is False and again.json()["notice"] == ""
    post = approved_post(people, channels)
    image = {"images": [{"data": png("blue"), "alt_text": "Blau"}]}
    moved = send(german, "PATCH", f"/api/v1/posts/{post.pk}", image).json()
    assert moved["back_to_review"] is True and "zurück in die Prüfung" in moved["notice"]


def test_it_lists_with_filters_and_pages(api_as, channels, people):
    soon = timezone.now() + timedelta(days=1)
    later = timezone.now() + timedelta(days=10)
    first = new_post(people, channels, scheduled_at=soon, on=[channels["mastodon"]])
    second = new_post(people, channels, scheduled_at=later, on=[channels["bluesky"]])
    third = approved_post(people, channels)
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
    naive = field_errors(viewer.get("/api/v1/posts?from=2026-12-01T09:30:00"))
    assert list(naive) == ["from"] and "offset" in naive["from"][0]


def test_it_gives_per_channel_state_and_figures(api_as, channels, people):
    post = approved_post(people, channels)
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
    post = new_post(people, channels, variants={channels["bluesky"].pk: ["Kurz für Bluesky"]})
    agent = api_as("agent")
    longer = "Mastodon nimmt mehr. " * 20  # 420 characters: fine for Mastodon, not Bluesky
    changed = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": longer})
    assert changed.status_code == 200, changed.content
    parts = {t["channel"]["network"]: t["parts"][0]["text"] for t in changed.json()["targets"]}
    assert parts == {"mastodon": longer, "bluesky": "Kurz für Bluesky"}
    too_long = {"variants": [{"channel_id": channels["bluesky"].pk, "parts": [longer]}]}
    errors = field_errors(send(agent, "PATCH", f"/api/v1/posts/{post.pk}", too_long))
    assert errors == {"variants.0.parts.0": ["Too long for Bluesky: 420 characters, 300 allowed."]}
    link = "https://example.com/" + "a" * 600  # a link counts 23 characters on Mastodon
    fine = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"text": f"Mehr: {link}"})
    assert fine.status_code == 200, fine.content


def test_the_list_reads_in_a_constant_number_of_queries(
    api_as, channels, people, django_assert_max_num_queries
):
    viewer = api_as("viewer")
    for _ in range(2):
        new_post(people, channels)
    with django_assert_max_num_queries(12) as few:
        assert viewer.get("/api/v1/posts").json()["count"] == 2
    for _ in range(10):
        new_post(people, channels)
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
        post = new_post(people, channels)
        if states.get(operation, "draft") != "draft":
            services.post_submit(by=Acting(user=people["agent"]), post=post)
        if states.get(operation) == "approved":
            services.post_approve(by=Acting(user=people["admin"]), post=post)
        url = url_of.replace("/0", f"/{post.pk}")
        response = send(client, method, url, body)
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
    mine = new_post(people, channels, on=[channels["bluesky"]])
    services.post_submit(by=Acting(user=people["agent"]), post=mine)
    other = new_post(people, channels, on=[channels["mastodon"]])
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
    assert send(member, "POST", f"/api/v1/posts/{other.pk}/approve", {}).status_code == 404
    approved = send(member, "POST", f"/api/v1/posts/{mine.pk}/approve", {"comment": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    agent_approves = send(api_as("agent"), "POST", f"/api/v1/posts/{other.pk}/approve", {})
    assert agent_approves.status_code == 403
    assert "not sent to you" in agent_approves.json()["detail"]


def test_an_approval_needs_no_body(api_as, channels, people):
    post = new_post(people, channels)
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    approved = send(api_as("admin"), "POST", f"/api/v1/posts/{post.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_a_post_joins_and_leaves_a_campaign_and_the_list_filters_by_it(api_as, channels, people):
    campaign = Campaign.objects.create(name="Hinter den Kulissen")
    post, other = new_post(people, channels), new_post(people, channels)
    agent = api_as("agent")
    joined = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"campaign_id": campaign.pk})
    assert joined.json()["campaign"] == {"id": campaign.pk, "name": "Hinter den Kulissen"}
    listed = agent.get(f"/api/v1/posts?campaign={campaign.pk}").json()["items"]
    assert [p["id"] for p in listed] == [post.pk] and other.pk != post.pk
    unknown = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"campaign_id": 99999})
    assert field_errors(unknown) == {"campaign_id": ["There is no campaign with id 99999."]}
    left = send(agent, "PATCH", f"/api/v1/posts/{post.pk}", {"campaign_id": None})
    assert left.json()["campaign"] is None
