"""Monitors: matches from every source, changes, spikes with alerts, and their pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation, Message, Notification
from socialdesk.listening.models import MonitorMatch, SpikeAlert
from socialdesk.listening.services import (
    check_spike,
    match_all,
    monitor_create,
    monitor_update,
)

BY = Acting(user=None, label="test")


@pytest.fixture
def post(db: None) -> Any:
    accounts = {
        network: ChannelAccount.objects.create(network=network, handle=f"nordlicht-{network}")
        for network in ("mastodon", "rss", "webhook")
    }
    counter = iter(range(1, 100_000))

    def make(text: str, *, network: str = "mastodon", ago: timedelta = timedelta(0),
             language: str = "de") -> Message:  # fmt: skip
        account = accounts[network]
        conversation = Conversation.objects.create(channel_account=account)
        return Message.objects.create(
            conversation=conversation, channel_account=account, external_id=str(next(counter)),
            direction="in", author_handle="kim", text=text,
            created_at=timezone.now() - ago, language=language,
        )  # fmt: skip

    return make


def test_a_new_monitor_finds_the_last_30_days_from_every_source(post: Any) -> None:
    post("QR-Code am Gate nicht akzeptiert", network="mastodon", ago=timedelta(days=2))
    post("Die App zeigt den QR Code nicht", network="rss", ago=timedelta(days=10))
    post("QR code scanner broken", network="webhook", ago=timedelta(days=40))  # too old
    post("Zug pünktlich", network="webhook")
    monitor = monitor_create(by=BY, name="QR", query='"qr code" OR qr-code')
    found = MonitorMatch.objects.filter(monitor=monitor)
    assert sorted(m.message.channel_account.network for m in found) == ["mastodon", "rss"]
    post("Again: QR code rejected", network="webhook")
    assert match_all() == 1
    assert match_all() == 0


def test_changing_the_query_matches_anew(post: Any) -> None:
    post("Die App stürzt ab")
    post("Die Website lädt nicht")
    monitor = monitor_create(by=BY, name="Digital", query="app")
    assert monitor.matches.count() == 1
    monitor_update(by=BY, monitor=monitor, name="Digital", query="app OR website",
                   is_active=True)  # fmt: skip
    assert monitor.matches.count() == 2


def test_a_bad_query_is_refused_with_its_position(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        monitor_create(by=BY, name="Broken", query="(app OR website")
    text = " ".join(caught.value.messages)
    assert "is not closed at position 1" in text and "▸(app OR website" in text


def test_a_spike_alerts_once_in_the_app_and_by_email(post: Any, people: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    for day in range(1, 8):  # the usual: about one an hour, a few a day
        for hour in (3, 9, 15):
            post("Streik bei der Bahn?", ago=timedelta(days=day, hours=hour))
    monitor = monitor_create(by=BY, name="Streik", query="streik")
    assert check_spike(monitor) is None
    for minute in range(12):
        post("Schon wieder Streik!", ago=timedelta(minutes=minute * 4))
    with django_capture_on_commit_callbacks(execute=True):
        match_all()  # the worker's round: match, then look for spikes
    alert = SpikeAlert.objects.get(monitor=monitor)
    assert alert.count == 12 and 0 < alert.usual < 1
    assert check_spike(monitor) is None  # one alert per burst
    assert SpikeAlert.objects.count() == 1
    managers = {people["admin"].email, people["manager"].email}
    notified = Notification.objects.filter(kind=Notification.Kind.SPIKE)
    assert {n.user.email for n in notified} == managers
    assert {m.to[0] for m in mail.outbox} == managers
    assert any("Streik" in m.subject and "12" in m.subject for m in mail.outbox)


def test_a_steadily_busy_monitor_does_not_alert(post: Any) -> None:
    for hours in range(1, 7 * 24, 1):
        for _ in range(3):
            post("Verspätung", ago=timedelta(hours=hours, minutes=10))
    monitor = monitor_create(by=BY, name="Delays", query="verspätung")
    for minute in range(12):
        post("Verspätung", ago=timedelta(minutes=minute * 4))
    match_all()
    assert check_spike(monitor) is None  # 12 an hour is above 3, but not far above


def test_the_pages(post: Any, client_as: Any) -> None:
    post("Die App <script>x</script> stürzt ab")
    team = client_as("agent")
    response = team.post("/feedback/", {"name": "App", "query": "app AND"})
    assert "AND needs something on both sides at position 5" in response.content.decode()
    response = team.post("/feedback/", {"name": "App", "query": "app"}, follow=True)
    page = response.content.decode()
    assert "found 1 matches" in page and "&lt;script&gt;" in page and "<script>x" not in page
    member = client_as("member")
    assert member.get("/feedback/").status_code == 200
    assert member.post("/feedback/", {"name": "X", "query": "x"}).status_code == 403
