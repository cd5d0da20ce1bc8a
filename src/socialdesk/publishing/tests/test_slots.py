"""Posting slots per channel and "add to queue" (the next free slot of a post's channels)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import services, slot_services
from socialdesk.publishing.models import Post, PostingSlot, PostStatus

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def mastodon(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")


@pytest.fixture
def bluesky(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.BLUESKY, handle="bahn.bsky.social")


def next_monday() -> date:
    today = timezone.now().astimezone(BERLIN).date()
    return today + timedelta(days=7 - today.weekday())


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def weekdays(by: User, channel: ChannelAccount) -> None:
    slot_services.slots_add_weekdays(
        by=Acting(user=by), channel=channel, times=[time(9, 30), time(15, 0)]
    )


def post_on(author: User, channels: list[ChannelAccount], at: datetime | None = None) -> Post:
    return services.post_create(
        by=Acting(user=author), text="Werkstattbesuch", channels=channels, scheduled_at=at
    )


def test_the_next_free_slot_skips_taken_slots_other_channels_and_weekends(
    people: dict[str, User], mastodon: ChannelAccount, bluesky: ChannelAccount
) -> None:
    weekdays(people["manager"], mastodon)
    monday = next_monday()
    post = post_on(people["agent"], [mastodon])
    assert slot_services.next_free_slot(post, after=local(monday, 8)) == local(monday, 9, 30)

    # A scheduled post of the same channel holds 09:30; a draft there and a post on another
    # channel do not.
    taken = post_on(people["agent"], [mastodon], local(monday, 9, 30))
    services.post_approve(by=Acting(user=people["manager"]), post=taken)
    assert Post.objects.get(pk=taken.pk).status == PostStatus.SCHEDULED
    post_on(people["agent"], [mastodon], local(monday, 15))  # a draft
    post_on(people["agent"], [bluesky], local(monday, 15))
    assert slot_services.next_free_slot(post, after=local(monday, 8)) == local(monday, 15)

    friday = monday + timedelta(days=4)
    assert slot_services.next_free_slot(post, after=local(friday, 16)) == local(
        monday + timedelta(days=7), 9, 30
    )


def test_a_slot_stays_at_its_local_time_across_the_change_to_summer_time(
    people: dict[str, User], mastodon: ChannelAccount
) -> None:
    year = timezone.now().year + 1
    last = date(year, 3, 31)
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    weekdays(people["manager"], mastodon)
    post = post_on(people["agent"], [mastodon])
    found = slot_services.next_free_slot(post, after=local(sunday - timedelta(days=2), 16))
    assert found is not None
    assert found.astimezone(BERLIN).replace(tzinfo=None) == datetime.combine(
        sunday + timedelta(days=1), time(9, 30)
    )
    assert found.utcoffset() == timedelta(hours=2)


def test_add_to_queue_schedules_the_post_and_says_when(
    people: dict[str, User], mastodon: ChannelAccount, client_as: Any
) -> None:
    weekdays(people["manager"], mastodon)
    post = post_on(people["agent"], [mastodon])
    response = client_as("agent").post(
        reverse("publishing:post_queue", args=[post.pk]), follow=True
    )
    post.refresh_from_db()
    assert post.scheduled_at is not None and post.scheduled_at > timezone.now()
    local_time = post.scheduled_at.astimezone(BERLIN)
    assert (local_time.hour, local_time.minute) in ((9, 30), (15, 0))
    assert local_time.weekday() < 5
    assert "takes the next free slot" in response.content.decode()


def test_add_to_queue_without_slots_says_so_and_links_the_slots_page(
    people: dict[str, User], mastodon: ChannelAccount, client_as: Any
) -> None:
    post = post_on(people["agent"], [mastodon])
    response = client_as("agent").post(
        reverse("publishing:post_queue", args=[post.pk]), follow=True
    )
    html = response.content.decode()
    assert "have no free posting slot" in html
    assert f'href="{reverse("publishing:slots")}"' in html
    post.refresh_from_db()
    assert post.scheduled_at is None


def test_a_manager_sets_the_weekday_pattern_adds_and_removes_slots(
    people: dict[str, User], mastodon: ChannelAccount, client_as: Any
) -> None:
    client = client_as("manager")
    url = reverse("publishing:slots")
    response = client.post(
        url,
        {"action": "weekdays", "weekdays-channel": mastodon.pk, "weekdays-times": "09:30, 15"},
        follow=True,
    )
    assert "10 in all" in response.content.decode()
    assert PostingSlot.objects.filter(channel=mastodon).count() == 10
    client.post(
        url, {"action": "add", "slot-channel": mastodon.pk, "slot-weekday": 5, "slot-time": "11:00"}
    )
    assert PostingSlot.objects.filter(channel=mastodon, weekday=5, time=time(11)).exists()
    saturday = PostingSlot.objects.get(weekday=5)
    client.post(url, {"action": "remove", "slot": saturday.pk})
    assert not PostingSlot.objects.filter(weekday=5).exists()
    page = client.get(url).content.decode()
    assert "Monday" in page and "09:30" in page and "15:00" in page


def test_bad_slot_input_is_explained_at_the_field_and_nothing_is_saved(
    people: dict[str, User], mastodon: ChannelAccount, client_as: Any
) -> None:
    client = client_as("manager")
    url = reverse("publishing:slots")
    response = client.post(
        url,
        {
            "action": "weekdays",
            "weekdays-channel": mastodon.pk,
            "weekdays-times": "9:30, halb zehn\x00",
        },
    )
    assert response.status_code == 200
    assert "is not a time; write it as 09:30." in response.content.decode()
    response = client.post(
        url, {"action": "add", "slot-channel": mastodon.pk, "slot-weekday": 9, "slot-time": "99:99"}
    )
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url, {"action": "remove", "slot": "99999999999999999999"})
    assert response.status_code == 404
    assert not PostingSlot.objects.exists()


def test_only_managers_set_slots(client_as: Any, mastodon: ChannelAccount) -> None:
    assert client_as("agent").get(reverse("publishing:slots")).status_code == 403
    assert client_as("manager").get(reverse("publishing:slots")).status_code == 200
