"""SLA policies and business hours through the API, as the SLA page lists them."""

from __future__ import annotations

from typing import Any

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


def _json(body: object) -> dict[str, Any]:
    import json

    return {"data": json.dumps(body), "content_type": "application/json"}


def test_a_manager_writes_policies_and_hours_as_the_page_does(
    api_as: Api, channels: dict[str, ChannelAccount], departments: dict[str, Department]
) -> None:
    from socialdesk.accounts.models import AuditEvent

    manager = api_as("manager", **{"Accept-Language": "de"})
    made = manager.post(
        "/api/v1/business-hours",
        **_json({"name": "Service", "german_state": "BY", "closed_days": ["2026-12-24"],
                 "weekly_hours": {str(d): [["08:00", "12:00"], ["13:00", "17:00"]] for d in range(5)}}),
    )  # fmt: skip
    assert made.status_code == 201, made.content
    hours = made.json()
    assert hours["weekly_hours"]["4"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert "5" not in hours["weekly_hours"] and hours["closed_days"] == ["2026-12-24"]
    tag = Tag.objects.create(name="Störung")
    policy = manager.post(
        "/api/v1/sla-policies",
        **_json({"name": "Störung", "priority": 5, "first_response_minutes": 60,
                 "business_hours_id": hours["id"], "channel_ids": [channels["mastodon"].pk],
                 "department_ids": [departments["Legal"].pk], "tag_ids": [tag.pk]}),
    )  # fmt: skip
    assert policy.status_code == 201, policy.content
    body = policy.json()
    assert body["business_hours"]["id"] == hours["id"] and body["tags"] == ["Störung"]
    assert AuditEvent.objects.filter(action="settings.sla_policy_saved", token_name="test").exists()
    changed = manager.put(
        f"/api/v1/sla-policies/{body['id']}",
        **_json({"name": "Störung", "first_response_minutes": 30, "active": False}),
    ).json()
    assert changed["first_response_minutes"] == 30 and changed["active"] is False
    assert changed["channel_ids"] == [] and changed["business_hours"] is None
    assert manager.delete(f"/api/v1/sla-policies/{body['id']}").status_code == 204
    assert not SlaPolicy.objects.exists()


def test_what_the_page_refuses_the_api_refuses_at_its_field_in_german(api_as: Api) -> None:
    manager = api_as("manager", **{"Accept-Language": "de"})
    bad_day = manager.post(
        "/api/v1/business-hours",
        **_json({"name": "X", "weekly_hours": {"0": [["09:00", "17:00"]]},
                 "closed_days": ["24.12.2026"]}),
    )  # fmt: skip
    assert bad_day.status_code == 422
    assert "24.12.2026" in " ".join(bad_day.json()["errors"]["closed_days"])
    bad_week = manager.post(
        "/api/v1/business-hours",
        **_json({"name": "X", "weekly_hours": {"7": [["09:00", "17:00"]]}}),
    )
    assert bad_week.status_code == 422 and "Montag" in " ".join(
        bad_week.json()["errors"]["weekly_hours"]
    )
    no_hours = manager.post(
        "/api/v1/sla-policies",
        **_json({"name": "X", "first_response_minutes": 60, "business_hours_id": 999999}),
    )
    assert no_hours.status_code == 422 and "business_hours_id" in no_hours.json()["errors"]
    assert not SlaPolicy.objects.exists() and not BusinessHours.objects.exists()


@pytest.mark.parametrize("role", ["agent", "member", "viewer"])
def test_only_managers_and_admins_change_response_time_targets(api_as: Api, role: str) -> None:
    answer = api_as(role).post(
        "/api/v1/sla-policies", **_json({"name": "X", "first_response_minutes": 60})
    )
    assert answer.status_code == 403 and not SlaPolicy.objects.exists()
