"""Setting up business hours and SLA policies in the browser-facing pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from socialdesk.accounts.models import AuditEvent
from socialdesk.inbox.models import SlaState
from socialdesk.sla.forms import parse_hours
from socialdesk.sla.models import BusinessHours, SlaPolicy
from socialdesk.sla.tests.test_policies import _question


@pytest.fixture
def account(db):
    from socialdesk.channels.models import ChannelAccount

    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def test_it_reads_opening_hours_with_breaks_and_ranges():
    assert parse_hours("Mo-Fr 09:00-12:00, 13:00-17:00\nSa 10:00-14:00") == {
        **{str(d): [["09:00", "12:00"], ["13:00", "17:00"]] for d in range(5)},
        "5": [["10:00", "14:00"]],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Funday 9:00-17:00", "Line 1: start with a weekday"),
        ("Mo 9-17", "Line 1: “9-17” is not a time span"),
    ],
)
def test_it_says_which_line_of_opening_hours_is_wrong(text, message):
    with pytest.raises(Exception, match=message):
        parse_hours(text)


def test_a_manager_sets_up_hours_and_a_policy_that_applies_at_once(client_as, account):
    conversation = _question(account, datetime.now(UTC) - timedelta(minutes=10))
    client = client_as("manager")
    response = client.post(
        reverse("sla:hours_create"),
        {
            "name": "Service",
            "time_zone": "Europe/Berlin",
            "german_state": "BY",
            "hours_text": "Mo-Fr 08:00-18:00",
            "closed_text": "2026-12-24",
        },
    )
    assert response.status_code == 302, response.content.decode()
    hours = BusinessHours.objects.get()
    assert hours.closed_days == ["2026-12-24"] and hours.weekly_hours["4"] == [["08:00", "18:00"]]
    client.post(
        reverse("sla:policy_create"),
        {
            "name": "24 hours",
            "is_active": "on",
            "priority": 10,
            "first_response_minutes": 1440,
            "warn_before_minutes": 60,
        },
    )
    conversation.refresh_from_db()
    assert conversation.sla_policy == SlaPolicy.objects.get()
    assert conversation.sla_state == SlaState.ON_TRACK
    assert AuditEvent.objects.filter(action="settings.sla_policy_saved").exists()
    page = client_as("viewer").get(reverse("sla:overview")).content.decode()
    assert "24 hours" in page and "1440 min" in page


def test_it_rejects_a_closed_day_that_is_not_a_date(client_as):
    response = client_as("admin").post(
        reverse("sla:hours_create"),
        {
            "name": "X",
            "time_zone": "Europe/Berlin",
            "hours_text": "Mo 09:00-17:00",
            "closed_text": "2026-12-24\nChristmas",
        },
    )
    assert "Line 2: “Christmas” is not a date" in response.content.decode()
    assert not BusinessHours.objects.exists()


def test_the_kpi_counts_only_business_hours_when_asked(db, account):
    BusinessHours.objects.create(
        name="Office",
        time_zone="Europe/Berlin",
        weekly_hours={str(d): [["09:00", "17:00"]] for d in range(5)},
    )
    # Friday 16:30 question, answered Monday 09:30: 63 hours of calendar time, 1 business hour.
    from socialdesk.inbox.importing.pipeline import refresh_conversations
    from socialdesk.inbox.models import Direction, Message

    conversation = _question(account, datetime(2026, 3, 6, 15, 30, tzinfo=UTC))
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id="answer", direction=Direction.OUTBOUND,
        text="Guten Morgen!", created_at=datetime(2026, 3, 9, 8, 30, tzinfo=UTC),
    )  # fmt: skip
    refresh_conversations({conversation.pk})
    out = StringIO()
    call_command(
        "kpi",
        "first-response",
        "--within",
        "2h",
        "--business-hours",
        "Office",
        "--json",
        stdout=out,
    )
    assert '"answered_within": 1' in out.getvalue() and '"median_seconds": 3600.0' in out.getvalue()
    out = StringIO()
    call_command("kpi", "first-response", "--within", "2h", "--json", stdout=out)
    assert '"answered_within": 0' in out.getvalue()
    with pytest.raises(CommandError, match="no business calendar 'Shop' \\(there are: Office\\)"):
        call_command("kpi", "first-response", "--within", "2h", "--business-hours", "Shop")


def test_the_hours_form_starts_in_berlin_with_office_hours(client_as):
    html = client_as("manager").get(reverse("sla:hours_create")).content.decode()
    assert '<option value="Europe/Berlin" selected>' in html
    assert "Mo-Fr 09:00-17:00" in html
