"""The editorial calendar: days in the organisation's time zone, holidays of its state,
filters, what each person sees, a constant number of queries, and moving posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import calendar, services
from socialdesk.publishing.calendar import Filters
from socialdesk.publishing.models import Campaign, Post, PostStatus
from socialdesk.sla.models import BusinessHours

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def channels(db: None) -> dict[str, ChannelAccount]:
    return {
        "mastodon": ChannelAccount.objects.create(
            network=Network.MASTODON, handle="bahn@mock.local"
        ),
        "bluesky": ChannelAccount.objects.create(
            network=Network.BLUESKY, handle="bahn.bsky.social"
        ),
    }


def make_post(
    author: User, at: datetime, channels: list[ChannelAccount], text: str = "Hinter den Kulissen",
    **kwargs: Any,
) -> Post:  # fmt: skip
    return services.post_create(
        by=Acting(user=author), text=text, channels=channels, scheduled_at=at, **kwargs
    )


def spring_forward() -> date:
    """The next Sunday the clocks go forward in Berlin (the last Sunday of March)."""
    year = timezone.now().year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def test_it_groups_posts_by_the_local_day_across_the_change_to_summer_time(
    people: dict[str, User], channels: dict[str, ChannelAccount]
) -> None:
    sunday = spring_forward()
    # 00:30 local on the Sunday is still winter time (UTC+1); 00:30 on Monday is summer (UTC+2).
    before = datetime.combine(sunday, datetime.min.time(), tzinfo=UTC) - timedelta(minutes=30)
    after = datetime.combine(sunday, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=22, minutes=30
    )
    late = datetime.combine(sunday, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=21, minutes=59
    )
    manager = people["manager"]
    for at, title in [(before, "early"), (after, "monday"), (late, "late")]:
        make_post(manager, at, [channels["mastodon"]], title=title)

    shown = calendar.build(manager, "month", sunday)
    titles = {d.day: [p.title for p in d.posts] for d in shown.days}
    assert titles[sunday] == ["early", "late"]  # 00:30 and 23:59 local
    assert titles[sunday + timedelta(days=1)] == ["monday"]
    assert titles[sunday - timedelta(days=1)] == []
    # The database counted the same days (the "+ N more" of a full day rests on it).
    assert {d.day: d.total for d in shown.days if d.total} == {
        sunday: 2,
        sunday + timedelta(days=1): 1,
    }
    # Shown at their local hours in the week view (which ends on that Sunday).
    rows = dict(calendar.build(manager, "week", sunday).hour_rows)
    assert [p.title for _d, posts in rows["00:00"] for p in posts] == ["early"]
    assert [p.title for _d, posts in rows["23:00"] for p in posts] == ["late"]


def test_it_shows_the_public_holidays_of_the_organisations_state(
    people: dict[str, User], client_as: Any
) -> None:
    january = date(timezone.now().year + 1, 1, 1)
    url = reverse("publishing:calendar") + f"?view=month&date={january.isoformat()}"
    nationwide = client_as("agent").get(url).content.decode()
    assert "Epiphany" not in nationwide and "New Year" in nationwide

    BusinessHours.objects.create(name="Büro München", german_state="BY", weekly_hours={})
    bavarian = client_as("agent").get(url).content.decode()
    assert "Epiphany" in bavarian
    people["agent"].language = "de"
    people["agent"].save()
    german = client_as("agent").get(url).content.decode()
    assert "Heilige Drei Könige" in german and "Neujahr" in german


def test_it_filters_by_channel_campaign_status_and_author(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(days=2)
    spring = Campaign.objects.create(name="Frühling", colour="#16a34a")
    make_post(people["manager"], at, [channels["mastodon"]], title="only mastodon")
    both = make_post(
        people["agent"], at, [channels["mastodon"], channels["bluesky"]], title="both",
        campaign=spring,
    )  # fmt: skip
    services.post_submit(by=Acting(user=people["agent"]), post=both)

    def titles(filters: Filters) -> list[str]:
        shown = calendar.build(people["admin"], "list", at.date(), filters)
        return sorted(p.title for d in shown.days for p in d.posts)

    assert titles(Filters()) == ["both", "only mastodon"]
    assert titles(Filters(channel=channels["bluesky"].pk)) == ["both"]
    assert titles(Filters(channel=channels["mastodon"].pk)) == ["both", "only mastodon"]
    assert titles(Filters(campaign=spring.pk)) == ["both"]
    assert titles(Filters(status=PostStatus.IN_REVIEW)) == ["both"]
    assert titles(Filters(author=people["manager"].pk)) == ["only mastodon"]

    # The same through the page, with its choices.
    page = client_as("manager").get(
        reverse("publishing:calendar"),
        {"view": "list", "date": at.date().isoformat(), "channel": channels["bluesky"].pk},
    )
    html = page.content.decode()
    assert "both" in html and "only mastodon" not in html
    assert "Frühling" in html  # the campaign is named on the post and among the filters


def test_a_department_member_sees_only_their_own_posts(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(days=1)
    make_post(people["manager"], at, [channels["mastodon"]], title="Quartalszahlen intern")
    make_post(people["member"], at, [channels["mastodon"]], title="Unser Azubi-Tag")
    url = reverse("publishing:calendar") + f"?view=list&date={at.date().isoformat()}"
    html = client_as("member").get(url).content.decode()
    assert "Unser Azubi-Tag" in html and "Quartalszahlen intern" not in html
    team = client_as("agent").get(url).content.decode()
    assert "Unser Azubi-Tag" in team and "Quartalszahlen intern" in team


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_it_reads_a_range_in_the_same_number_of_queries_for_10_and_200_posts(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any, view: str
) -> None:
    start = timezone.now() + timedelta(days=1)
    campaign = Campaign.objects.create(name="Herbst")
    both = [channels["mastodon"], channels["bluesky"]]

    def add(count: int) -> None:
        for i in range(count):
            make_post(people["agent"], start + timedelta(minutes=7 * i), both, campaign=campaign)

    url = reverse("publishing:calendar") + f"?view={view}&date={start.date().isoformat()}"
    client = client_as("manager")
    client.get(url)  # the session and the organisation exist after the first page
    add(10)
    with_10 = _queries(client, url)
    add(190)
    with_200 = _queries(client, url)
    assert with_200 == with_10, f"{with_10} queries for 10 posts, {with_200} for 200"
    marker = {"month": 'class="cal-month"', "week": 'class="cal-week"', "list": "cal-list-day"}
    assert marker[view] in client.get(url).content.decode()
    # The member's selector (a subquery) costs no query per post either.
    member = client_as("member")
    member.get(url)
    assert _queries(member, url) <= with_10


def test_a_full_day_shows_its_first_posts_and_how_many_more(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    day = (timezone.now() + timedelta(days=3)).astimezone(BERLIN).date()
    for i in range(7):
        at = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN) + timedelta(hours=8 + i)
        make_post(people["agent"], at, [channels["mastodon"]], title=f"Beitrag {i}")
    shown = calendar.build(people["agent"], "month", day)
    cell = next(d for d in shown.days if d.day == day)
    assert [p.title for p in cell.posts] == ["Beitrag 0", "Beitrag 1", "Beitrag 2", "Beitrag 3"]
    assert cell.more == 3
    html = (
        client_as("agent")
        .get(reverse("publishing:calendar") + f"?date={day.isoformat()}")
        .content.decode()
    )
    assert "+ 3 more" in html


def test_the_publishing_area_opens_on_the_calendar(client_as: Any) -> None:
    response = client_as("member").get(reverse("shell:publishing"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("publishing:calendar")
    assert "Editorial calendar" in response.content.decode()


def test_hostile_filter_values_are_ignored_not_crashed(client_as: Any, db: None) -> None:
    client = client_as("manager")
    for query in [
        "?view=year&date=0001-01-01",
        "?date=9999-12-31",
        "?channel=99999999999999999999&campaign=abc&author=%00&status=nope&page=-4",
        "?page=99999999999999999999999&view=list",
        "?date=2026-13-45&view=week",
    ]:
        response = client.get(reverse("publishing:calendar") + query)
        assert response.status_code == 200, query
        assert "Editorial calendar" in response.content.decode()


def _move(client: Client, post: Post, when: datetime) -> Any:
    local = when.astimezone(BERLIN)
    return client.post(
        reverse("publishing:post_reschedule", args=[post.pk]),
        {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "back": "/publishing/calendar/?view=week",
        },
        follow=True,
    )


def test_moving_a_post_sets_its_new_time_and_offers_to_move_it_back(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    first = (
        (timezone.now() + timedelta(days=2))
        .astimezone(BERLIN)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    post = make_post(people["agent"], first, [channels["mastodon"]], title="Stellwerk")
    client = client_as("agent")
    response = _move(client, post, first + timedelta(days=1, hours=6))
    post.refresh_from_db()
    assert post.scheduled_at == first + timedelta(days=1, hours=6)
    assert response.redirect_chain[-1][0] == "/publishing/calendar/?view=week"
    html = response.content.decode()
    assert "“Stellwerk” now goes out on" in html and "15:30" in html
    assert "Undo: move “Stellwerk” back" in html
    # Undo: the old day and time again.
    undo = client.post(
        reverse("publishing:post_reschedule", args=[post.pk]),
        {"date": first.date().isoformat(), "time": "09:30"},
    )
    assert undo.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at == first


def test_a_move_into_the_past_is_refused_and_says_why(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(days=1)
    post = make_post(people["agent"], at, [channels["mastodon"]], title="Zu spät")
    response = _move(client_as("agent"), post, timezone.now() - timedelta(days=1))
    post.refresh_from_db()
    assert post.scheduled_at == at
    assert "“Zu spät” was not moved: This time is in the past." in response.content.decode()


def test_an_approved_post_moved_goes_back_to_review_and_the_message_says_so(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(days=1)
    post = make_post(people["agent"], at, [channels["mastodon"]], title="Freigegeben")
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    services.post_approve(by=Acting(user=people["manager"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    response = _move(client_as("agent"), post, at + timedelta(days=1))
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert "goes back to review" in response.content.decode()


def test_a_post_on_its_way_cannot_move(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(hours=1)
    post = make_post(people["agent"], at, [channels["mastodon"]], title="Unterwegs")
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHING)
    response = _move(client_as("agent"), post, at + timedelta(days=1))
    post.refresh_from_db()
    assert post.scheduled_at == at
    assert "already on its way" in response.content.decode()


def test_nobody_moves_a_post_they_may_not_see_or_with_a_broken_form(
    people: dict[str, User], channels: dict[str, ChannelAccount], client_as: Any
) -> None:
    at = timezone.now() + timedelta(days=1)
    post = make_post(people["member"], at, [channels["mastodon"]])
    url = reverse("publishing:post_reschedule", args=[post.pk])
    assert client_as("member").post(url, {"date": "2030-01-01", "time": "09:00"}).status_code == 403
    assert client_as("viewer").post(url, {"date": "2030-01-01", "time": "09:00"}).status_code == 403
    response = client_as("agent").post(
        url, {"date": "2030-13-01\x00", "time": "25:99"}, follow=True
    )
    post.refresh_from_db()
    assert post.scheduled_at == at
    assert "Enter a valid date." in response.content.decode()
    # An address elsewhere is not followed back.
    away = client_as("agent").post(
        url, {"date": "2030-01-01", "time": "09:00", "back": "https://evil.example/"}
    )
    assert away["Location"] == reverse("publishing:calendar")
