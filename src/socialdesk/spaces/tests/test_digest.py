"""The daily digest of unread mentions: once a day per person, after the digest hour in their
own time zone, in their language, only what no earlier digest listed."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail

from socialdesk.accounts.models import Role, User
from socialdesk.spaces import post_services, room_services
from socialdesk.spaces.digest import send_mention_digests
from socialdesk.spaces.models import MentionDigest
from socialdesk.spaces.tests.helpers import by


def test_it_sends_one_digest_a_day_after_the_hour_in_each_time_zone(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SPACES_DIGEST_HOUR = 7
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    anna = User.objects.create_user(
        "anna@example.com", "x", full_name="Anna Schmidt", role=Role.AGENT, language="de",
        time_zone="Europe/Berlin",
    )  # fmt: skip
    ben = User.objects.create_user(
        "ben@example.com", "x", full_name="Ben Brown", role=Role.AGENT, language="en",
        time_zone="America/New_York",
    )  # fmt: skip
    room = room_services.room_create(by=by(people["agent"]), name="Relaunch Website")
    for n in range(3):
        post_services.post_create(by=by(people["agent"]), room=room, body=f"@anna @ben Punkt {n}")
    # 06:30 UTC = 07:30 in Berlin, 01:30 in New York
    with django_capture_on_commit_callbacks(execute=True):
        assert send_mention_digests(datetime(2026, 12, 1, 6, 30, tzinfo=UTC)) == 1
        assert send_mention_digests(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0  # sent today
    assert [m.to for m in mail.outbox] == [["anna@example.com"]]
    assert mail.outbox[0].subject == "Ihre ungelesenen Erwähnungen (3)"
    assert "Relaunch Website" in mail.outbox[0].body
    assert MentionDigest.objects.get(user=anna).count == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert send_mention_digests(datetime(2026, 12, 1, 12, 30, tzinfo=UTC)) == 1  # 07:30 NY
    assert mail.outbox[1].to == ["ben@example.com"]
    assert mail.outbox[1].subject == "Your unread mentions (3)"
    # the next day: nothing new for Anna, so nothing is sent
    with django_capture_on_commit_callbacks(execute=True):
        assert send_mention_digests(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)) == 0
    assert ben.pk
