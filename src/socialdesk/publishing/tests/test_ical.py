"""The personal iCalendar feed: a secret address shown once, revocable, serving what its
owner may see, in a form Outlook, Thunderbird and Google Calendar read."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.core.tests.test_log_redaction import _gunicorn_access_line
from socialdesk.publishing import ical, services
from socialdesk.publishing.models import CalendarFeed, Post


@pytest.fixture
def channel(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")


def make_post(author: User, channel: ChannelAccount, title: str, days: int = 1) -> Post:
    return services.post_create(
        by=Acting(user=author), text=f"{title}: mehr im Blog", channels=[channel], title=title,
        scheduled_at=timezone.now() + timedelta(days=days),
    )  # fmt: skip


def make_address(client: Client) -> str:
    """Make the address on the page; return its path (what the page showed once)."""
    response = client.post(reverse("publishing:calendar_feed"), {"action": "create"})
    found = re.search(r"(/publishing/ical/[A-Za-z0-9_\-]+\.ics)", response.content.decode())
    assert found, "the new address is shown"
    return found.group(1)


def parse(client: Client, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_the_feed_holds_one_event_per_post_that_calendar_apps_read(
    people: dict[str, User], channel: ChannelAccount, client_as: Any
) -> None:
    spring = make_post(people["agent"], channel, "Frühlingsfahrplan")
    make_post(people["manager"], channel, "Nachtschicht im Stellwerk", days=3)
    path = make_address(client_as("manager"))
    anonymous = Client()

    feed = parse(anonymous, path)
    assert str(feed["VERSION"]) == "2.0"
    assert str(feed["METHOD"]) == "PUBLISH"
    assert str(feed["PRODID"]) == ical.PRODID
    events = {str(e["SUMMARY"]): e for e in feed.walk("VEVENT")}
    assert set(events) == {"Frühlingsfahrplan (Draft)", "Nachtschicht im Stellwerk (Draft)"}
    event = events["Frühlingsfahrplan (Draft)"]
    assert spring.scheduled_at is not None
    assert event.decoded("DTSTART") == spring.scheduled_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(event["URL"]) == f"{settings.SITE_URL}/publishing/posts/{spring.pk}/"
    raw = anonymous.get(path).content.decode()
    assert re.search(r"DTSTART:\d{8}T\d{6}Z\r\n", raw), "UTC times (…Z), no time zone to resolve"

    # The UID stays when the post moves: calendar apps update the event, not add one.
    uid = str(event["UID"])
    services.post_schedule(
        by=Acting(user=people["agent"]), post=spring, at=timezone.now() + timedelta(days=5)
    )
    again = {str(e["UID"]): e for e in parse(anonymous, path).walk("VEVENT")}
    assert uid in again and len(again) == 2
    assert again[uid].decoded("DTSTART") > event.decoded("DTSTART")


def test_the_feed_is_in_its_owners_language(
    people: dict[str, User], channel: ChannelAccount, client_as: Any
) -> None:
    make_post(people["agent"], channel, "Azubi-Tag")
    people["manager"].language = "de"
    people["manager"].save()
    feed = parse(Client(), make_address(client_as("manager")))
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Azubi-Tag (Entwurf)"]
    assert str(feed["X-WR-CALNAME"]) == "Redaktionskalender"


def test_a_department_member_gets_only_their_posts_in_the_feed(
    people: dict[str, User], channel: ChannelAccount, client_as: Any
) -> None:
    make_post(people["manager"], channel, "Quartalszahlen intern")
    make_post(people["member"], channel, "Unser Azubi-Tag")
    feed = parse(Client(), make_address(client_as("member")))
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Unser Azubi-Tag (Draft)"]


def test_the_secret_is_shown_once_kept_only_as_a_hash_and_revocable(
    people: dict[str, User], channel: ChannelAccount, client_as: Any
) -> None:
    client = client_as("agent")
    first = make_address(client)
    secret = first.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.objects.get(user=people["agent"])
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    page = client.get(reverse("publishing:calendar_feed")).content.decode()
    assert secret not in page and "You have an address" in page

    # A new address replaces the old one.
    second = make_address(client)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    client.post(reverse("publishing:calendar_feed"), {"action": "revoke"})
    assert Client().get(second).status_code == 404
    assert (
        "You have no calendar address yet."
        in client.get(reverse("publishing:calendar_feed")).content.decode()
    )
    assert Client().get("/publishing/ical/not-a-secret.ics").status_code == 404
    assert Client().get("/publishing/ical/" + "a" * 5000 + ".ics").status_code == 404


def test_a_deactivated_persons_feed_stops(
    people: dict[str, User], channel: ChannelAccount, client_as: Any
) -> None:
    path = make_address(client_as("agent"))
    people["agent"].is_active = False
    people["agent"].save()
    assert Client().get(path).status_code == 404


def test_the_secret_never_reaches_a_log(
    people: dict[str, User], client_as: Any, tmp_path: Path
) -> None:
    path = make_address(client_as("agent"))
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    line = _gunicorn_access_line(path, "", tmp_path)
    assert secret not in line and "/publishing/ical/[redacted]" in line

    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(console, logging.StreamHandler)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        client_as("agent").post(reverse("publishing:calendar_feed"), {"action": "revoke"})
        assert Client().get(path).status_code == 404  # Django logs "Not Found: <path>"
    finally:
        console.setStream(previous)
    assert "Not Found: /publishing/ical/[redacted]" in stream.getvalue()
    assert secret not in stream.getvalue()
