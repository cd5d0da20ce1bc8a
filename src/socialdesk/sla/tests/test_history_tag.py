"""The conversation page tells its SLA history in words, German and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.sla.models import SlaPolicy
from socialdesk.sla.services import refresh_sla

BERLIN = ZoneInfo("Europe/Berlin")
NBSP = "\u00a0"


NOW = datetime(2026, 11, 30, 15, 20, tzinfo=BERLIN)


@pytest.fixture
def history(db, people, monkeypatch):
    """First response 55 min after the question (target 3 h); next response 3 h 12 min late;
    the last question still inside its hour. The page is read at NOW, as the clocks were: a
    real clock past 16:00 on that day would rightly call the last question missed."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    SlaPolicy.objects.create(name="Social", first_response_minutes=180, next_response_minutes=60)
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    start = datetime(2026, 11, 30, 8, 50, tzinfo=BERLIN)
    steps = [("in", start), ("out", start + timedelta(minutes=55)),
             ("in", start + timedelta(hours=1)),
             ("out", datetime(2026, 11, 30, 14, 2, tzinfo=BERLIN)),
             ("in", datetime(2026, 11, 30, 15, 0, tzinfo=BERLIN))]  # fmt: skip
    for number, (direction, at) in enumerate(steps):
        Message.objects.create(
            conversation=conversation, channel_account=account, direction=direction,
            external_id=f"h{number}", text="…", needs_reply=direction == Direction.INBOUND,
            created_at=at,
        )  # fmt: skip
    refresh_conversations({conversation.pk})
    refresh_sla([conversation.pk], now=NOW)
    return conversation


def _page(client_as, people, conversation, language: str) -> str:
    people["admin"].language = language
    people["admin"].time_zone = "Europe/Berlin"
    people["admin"].save()
    response = client_as("admin").get(reverse("inbox:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_it_tells_the_history_in_german(client_as, people, history):
    page = _page(client_as, people, history, "de")
    assert "SLA-Verlauf" in page
    assert (
        f"Erste Antwort: rechtzeitig (noch 2{NBSP}Std. 5{NBSP}Min. Luft), am 30.11.2026 09:45"
        in page
    )
    assert f"Nächste Antwort: 3{NBSP}Std. 12{NBSP}Min. zu spät, am 30.11.2026 14:02" in page
    assert "Nächste Antwort: verfehlt" not in page
    assert "Nächste Antwort: läuft, fällig am 30.11.2026 16:00" in page


def test_it_tells_the_history_in_english(client_as, people, history):
    page = _page(client_as, people, history, "en")
    assert "SLA history" in page
    assert f"First response: on time (2{NBSP}h 5{NBSP}min to spare)" in page
    assert f"Next response: 3{NBSP}h 12{NBSP}min late, on " in page
    assert "Next response: pending, due " in page


def test_it_says_nothing_of_a_conversation_the_person_may_not_see(people, departments, history):
    history.department = departments["Legal"]
    history.save()
    template = Template("{% load sla %}[{% sla_history conversation %}]")
    with translation.override("en"):
        hidden = template.render(Context({"user": people["member"], "conversation": history}))
        shown = template.render(Context({"user": people["admin"], "conversation": history}))
    assert "SLA history" not in hidden and "late" not in hidden
    assert "Next response: 3" in shown


def test_it_calls_a_running_clock_past_its_due_time_missed(people, history):
    template = Template("{% load sla %}{% sla_history conversation %}")
    refresh_sla([history.pk], now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # no answer since
    with translation.override("en"):
        page = template.render(Context({"user": people["admin"], "conversation": history}))
    assert "Next response: missed, due 11/30/2026 4 p.m., no answer yet" in page
