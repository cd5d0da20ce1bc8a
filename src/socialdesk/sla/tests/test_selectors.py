"""Which SLA calendars and policies a person reads and may open to change."""

from __future__ import annotations

import pytest
from django.http import Http404

from socialdesk.accounts.models import User
from socialdesk.sla import selectors
from socialdesk.sla.models import BusinessHours, SlaPolicy

pytestmark = pytest.mark.django_db


def test_it_lets_everyone_read_and_only_managers_open_a_policy_or_calendar(
    people: dict[str, User],
) -> None:
    hours = BusinessHours.objects.create(name="Office")
    policy = SlaPolicy.objects.create(name="Hour", first_response_minutes=60, business_hours=hours)
    for role in ("admin", "manager"):
        assert selectors.policy_for(people[role], policy.pk) == policy
        assert selectors.calendar_for(people[role], hours.pk) == hours
    for role in ("agent", "member", "viewer"):
        assert list(selectors.policies_for(people[role])) == [policy]
        assert list(selectors.calendars_for(people[role])) == [hours]
        with pytest.raises(Http404):
            selectors.policy_for(people[role], policy.pk)
        with pytest.raises(Http404):
            selectors.calendar_for(people[role], hours.pk)
    with pytest.raises(Http404):
        selectors.policy_for(people["admin"], policy.pk + 1)
