"""SLA policies and business hours through the API, as the SLA page lists them."""

from __future__ import annotations

import pytest

from socialdesk.accounts.models import Department
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Tag
from socialdesk.sla.models import BusinessHours, SlaPolicy

pytestmark = pytest.mark.django_db


def test_policies_in_the_order_they_are_tried_with_what_they_cover(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    hours = BusinessHours.objects.create(
        name="Service",
        german_state="TH",
        weekly_hours={str(d): [["08:00", "18:00"]] for d in range(5)},
        closed_days=["2026-12-24"],
    )
    general = SlaPolicy.objects.create(name="Alle", first_response_minutes=1440, priority=100)
    urgent = SlaPolicy.objects.create(
        name="Störung",
        first_response_minutes=60,
        next_response_minutes=120,
        priority=10,
        business_hours=hours,
    )
    urgent.channel_accounts.set([channels["mastodon"]])
    urgent.departments.set([departments["Customer Service"]])
    urgent.tags.set([Tag.objects.create(name="Störung")])
    viewer = api_as("viewer")
    policies = viewer.get("/api/v1/sla-policies").json()
    assert [p["id"] for p in policies] == [urgent.pk, general.pk]
    first = policies[0]
    assert first["business_hours"] == {"id": hours.pk, "name": "Service"}
    assert first["channel_ids"] == [channels["mastodon"].pk] and first["tags"] == ["Störung"]
    assert first["department_ids"] == [departments["Customer Service"].pk]
    assert policies[1]["business_hours"] is None and policies[1]["channel_ids"] == []
    listed = viewer.get("/api/v1/business-hours").json()
    assert listed == [
        {
            "id": hours.pk,
            "name": "Service",
            "time_zone": "Europe/Berlin",
            "german_state": "TH",
            "weekly_hours": {str(d): [["08:00", "18:00"]] for d in range(5)},
            "closed_days": ["2026-12-24"],
        }
    ]
