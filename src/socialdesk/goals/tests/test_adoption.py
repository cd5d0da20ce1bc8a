"""The adoption view per department: every figure recomputed here on its own, from the rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.feedback.models import CLOSED, FeedbackEvent, FeedbackItem
from socialdesk.goals import guideline_services as services
from socialdesk.goals.adoption import adoption, week_of
from socialdesk.publishing.models import Idea

pytestmark = pytest.mark.django_db


def _item(
    department: Department, status: str, due: datetime | None, **events: datetime
) -> FeedbackItem:
    item = FeedbackItem.objects.create(
        title="x" * 200, department=department, status=status, due_at=due
    )
    for kind, at in events.items():
        event = FeedbackEvent.objects.create(item=item, kind=f"status:{kind}")
        FeedbackEvent.objects.filter(pk=event.pk).update(created_at=at)
    return item


@pytest.fixture
def week(people: dict[str, User], departments: dict[str, Department]) -> dict[str, object]:
    """Customer Service this week: Max and Alex from conftest, Kim who did nothing."""
    service = departments["Customer Service"]
    start, end = week_of()
    now = start + timedelta(days=3)
    kim = User.objects.create_user("kim@example.com", "x", full_name="Kim " + "K" * 100)
    kim.departments.set([service])
    User.objects.filter(pk=kim.pk).update(last_login=start - timedelta(minutes=1))
    User.objects.filter(pk=people["agent"].pk).update(last_login=start + timedelta(hours=2))
    guidelines = services.publish(by=Acting(user=people["manager"]), title="L", text="x")
    services.confirm(by=Acting(user=people["agent"]), publication=guidelines)
    for at in (start, start + timedelta(days=1), start - timedelta(seconds=1)):
        idea = Idea.objects.create(title="I", what_happened="x", department=service)
        Idea.objects.filter(pk=idea.pk).update(created_at=at)
    Idea.objects.create(title="other", what_happened="x", department=departments["Legal"])
    hour = timedelta(hours=1)
    _item(service, "in_progress", None, acknowledged=start + hour, in_progress=start + 2 * hour)
    _item(service, "planned", None, planned=start - hour)
    _item(departments["Legal"], "done", None, done=start + hour)
    _item(service, "done", start + 2 * hour, done=start + hour)  # kept (and handled)
    _item(service, "done", start + 2 * hour, done=start + 3 * hour)  # missed (closed late)
    _item(service, "new", start + 2 * hour)  # missed (still open)
    _item(service, "wont_do", start + 1000 * hour, wont_do=start + hour)  # next week: not counted
    _item(service, "new", now + hour)  # due later this week: still due
    return {"service": service, "start": start, "end": end, "now": now, "kim": kim}


def test_it_counts_each_figure_as_the_rows_say(week: dict[str, object]) -> None:
    service, start, end, now = week["service"], week["start"], week["end"], week["now"]
    assert isinstance(service, Department) and isinstance(now, datetime)
    assert isinstance(start, datetime) and isinstance(end, datetime)
    [row] = [r for r in adoption(now) if r.department == service]
    members = list(User.objects.filter(departments=service))
    # Active: signed in this week, or something in the audit log by them this week.
    active = [
        p for p in members
        if (p.last_login and start <= p.last_login < end)
        or any(start <= e.at < end for e in AuditEvent.objects.all() if e.actor_id == p.pk)
    ]  # fmt: skip
    assert (row.active.done, row.active.total) == (len(active), len(members)) == (2, 3)
    confirmed = [p for p in members if p.confirmations.exists()]
    assert (row.confirmed.done, row.confirmed.total, row.confirmed.percent) == (
        len(confirmed), 3, 33
    )  # fmt: skip
    ideas = [
        i for i in Idea.objects.all() if i.department == service and start <= i.created_at < end
    ]
    assert row.ideas == len(ideas) == 2
    handled = {
        e.item_id for e in FeedbackEvent.objects.all()
        if e.item.department == service and e.kind.startswith("status:") and start <= e.created_at < end
    }  # fmt: skip
    assert row.handled == len(handled) == 4
    due = [
        i
        for i in FeedbackItem.objects.filter(department=service)
        if i.due_at and start <= i.due_at < end
    ]
    kept = [
        i for i in due
        if i.status in CLOSED and min(e.created_at for e in i.events.all()) <= (i.due_at or now)
    ]  # fmt: skip
    missed = [i for i in due if i not in kept and (i.due_at or now) < now]
    assert (row.deadlines.kept, row.deadlines.missed, row.deadlines.open) == (
        len(kept), len(missed), len(due) - len(kept) - len(missed)
    ) == (1, 2, 1)  # fmt: skip


def test_it_shows_the_figures_with_links_to_the_lists_behind(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    service = departments["Customer Service"]
    guidelines = services.publish(by=Acting(user=people["manager"]), title="L", text="x")
    services.confirm(by=Acting(user=people["agent"]), publication=guidelines)
    client = Client()
    client.force_login(people["manager"])
    page = client.get(reverse("goals:adoption")).content.decode()
    assert "1 of 2 (50 %)" in page  # confirmations in Customer Service
    assert reverse("goals:adoption_department", args=[service.pk]) in page
    assert f"{reverse('publishing:ideas')}?department={service.pk}" in page
    assert reverse("feedback:board", args=[service.pk]) in page
    people_page = client.get(reverse("goals:adoption_department", args=[service.pk]))
    assert "Alex Agent" in people_page.content.decode()
    agent = Client()
    agent.force_login(people["agent"])
    assert agent.get(reverse("goals:adoption")).status_code == 403


def test_it_starts_the_week_on_monday_at_midnight() -> None:
    start, end = week_of(timezone.make_aware(datetime(2026, 11, 29, 23, 30)))  # a Sunday
    assert (start.weekday(), start.hour, (end - start).days) == (0, 0, 7)
    assert timezone.localtime(start).date().isoformat() == "2026-11-23"
