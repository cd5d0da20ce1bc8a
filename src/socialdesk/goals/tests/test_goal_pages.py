"""The goal pages: the list, one goal with its figures and chart, the form over the service
(targets as people write them, errors at the field), templates, archive, who may do what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals import goal_templates
from socialdesk.goals.goal_forms import parse_target, show_target
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.goal_services import goal_create
from socialdesk.goals.kpis import Unit
from socialdesk.goals.strategy_services import objective_add
from socialdesk.inbox.models import Conversation, Direction, Message

DAY = 86400


# ------------------------------------------------------------------ targets as people write them
@pytest.mark.parametrize(
    ("unit", "text", "value"),
    [
        (Unit.SHARE, "95", 0.95),
        (Unit.SHARE, "95 %", 0.95),
        (Unit.SHARE, "87,5", 0.875),
        (Unit.DURATION, "24h", 86400.0),
        (Unit.DURATION, "90 min", 5400.0),
        (Unit.DURATION, "1 Std. 30 Min.", 5400.0),
        (Unit.DURATION, "2 Tage", 172800.0),
        (Unit.COUNT, "1.234", 1234.0),
        (Unit.COUNT, "40", 40.0),
    ],
)
def test_it_reads_targets_the_way_people_write_them(unit: Unit, text: str, value: float) -> None:
    assert parse_target(unit, text) == pytest.approx(value)


def test_it_shows_targets_back_the_way_they_were_written() -> None:
    assert show_target(Unit.SHARE, 0.95) == "95"
    assert show_target(Unit.SHARE, 1.0) == "100"
    assert show_target(Unit.DURATION, 86400) == "24h"
    assert show_target(Unit.DURATION, 5400) == "90 min"
    assert show_target(Unit.COUNT, 39) == "39"


def test_the_seed_template_ends_three_calendar_months_later() -> None:
    assert goal_templates.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert goal_templates.add_months(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert goal_templates.TEMPLATES[0].kpi == "first_response_within"


# ------------------------------------------------------------------ a history of questions
def _ask(account: ChannelAccount, at: datetime, after: timedelta, n: int) -> None:
    conversation = Conversation.objects.create(
        channel_account=account,
        first_message_at=at,
        first_message_inbound=True,
        needs_reply=True,
        first_response_at=at + after,
        first_response_seconds=int(after.total_seconds()),
        last_message_at=at + after,
    )
    Message.objects.create(
        conversation=conversation,
        channel_account=account,
        external_id=f"q{n}",
        direction=Direction.INBOUND,
        text="Frage?",
        created_at=at,
        needs_reply=True,
    )


@pytest.fixture
def history(db: None) -> ChannelAccount:
    """Four questions a day at noon: up to 31 days ago two of them answered within a day, in
    the last 30 days (until three days ago) three of them. All answered."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    today = timezone.localdate()
    n = 0
    for back in range(125, 2, -1):
        day = today - timedelta(days=back)
        noon = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=12)
        fast = 3 if back <= 30 else 2
        for k in range(4):
            _ask(account, noon + timedelta(minutes=k), timedelta(hours=2 if k < fast else 40), n)
            n += 1
    return account


def _share_within_a_day(since: date, until: date) -> float:
    """By hand from the rows: answered within 24 h among the questions of those days."""
    rows = [
        c.first_response_seconds
        for c in Conversation.objects.all()
        if since <= timezone.localdate(c.first_message_at) <= until
    ]
    return sum(1 for s in rows if s is not None and s <= DAY) / len(rows)


def _seed_goal(people: dict[str, User], **fields: Any) -> Goal:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name": "Alle Fragen binnen 24 Stunden",
        "kpi": "first_response_within",
        "params": {"within": "24h"},
        "target": 1.0,
        "start": today - timedelta(days=30),
        "deadline": today + timedelta(days=60),
    }
    values.update(fields)
    return goal_create(by=Acting(user=people["manager"]), **values)


def _german(client: Client, people: dict[str, User], role: str) -> Client:
    people[role].language = "de"
    people[role].save()
    client.force_login(people[role])
    return client


# ------------------------------------------------------------------ the goal page
def test_it_shows_the_figures_computed_by_hand_in_german(
    history: ChannelAccount, people: dict[str, User]
) -> None:
    goal = _seed_goal(people)
    today = timezone.localdate()
    baseline = _share_within_a_day(goal.start - timedelta(days=91), goal.start - timedelta(days=1))
    current = _share_within_a_day(today - timedelta(days=27), today)
    assert (baseline, current) == (0.5, 0.75)
    page = _german(Client(), people, "member").get(f"/goals/goals/{goal.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "50,0\u00a0%" in text and "75,0\u00a0%" in text  # baseline and current, German
    assert "≥ 100,0\u00a0%" in text  # the target with its comparison
    # The periods in words: baseline 91 days before the start, current the last 28 days.
    assert (
        f"{(goal.start - timedelta(days=91)):%d.%m.%Y} – {(goal.start - timedelta(days=1)):%d.%m.%Y}"
        in text
    )
    assert f"{(today - timedelta(days=27)):%d.%m.%Y} – {today:%d.%m.%Y}" in text
    # The chart: an SVG with German ticks, the deadline rule and the table alternative.
    assert "<svg" in text and ">100,0\u00a0%</text>" in text
    assert f">{goal.deadline:%d.%m.%Y}</text>" in text or "Frist" in text
    assert "Theil–Sen" in text and "28 Tage" in text  # the method, in German
    assert "Die Zahlen als Tabelle zeigen" in text or "<details" in text
    assert "Bearbeiten" not in text  # a member sees no edit button
    # The chart's parts: the target rule, today and the deadline, the dashed forecast, the
    # baseline, and the table alternative with one row per stored bucket plus the forecast.
    for part in ('class="target"', 'class="today"', 'class="deadline"', "forecast dashed",
                 'class="baseline"'):  # fmt: skip
        assert part in text, part
    assert text.count('<th scope="row">') >= len(goal.series) + 1
    listed = _german(Client(), people, "member").get("/goals/goals/").content.decode()
    assert "75,0\u00a0%" in listed and "≥ 100,0\u00a0%" in listed and "nicht auf Kurs" in listed


def test_it_lists_the_goals_grouped_by_status_with_a_sparkline(
    history: ChannelAccount, people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    goal = _seed_goal(people)
    page = client_as("agent").get("/goals/goals/").content.decode()
    assert goal.name in page
    assert f"goal-{goal.status}" in page and goal.get_status_display() in page
    assert 'class="sparkline"' in page
    assert "≥ 100.0\u00a0%" in page or "≥ 100,0\u00a0%" in page
    assert "New goal" not in page  # an agent sets no goals


def test_the_empty_list_offers_the_templates_to_a_manager(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    page = client_as("manager").get("/goals/goals/").content.decode()
    assert "?template=answer_within_24h" in page
    member = client_as("member").get("/goals/goals/").content.decode()
    assert "?template=" not in member and "managers set them" in member


# ------------------------------------------------------------------ the form
def _form_data(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "template": "answer_within_24h",
        "name": "Alle Fragen binnen 24 Stunden",
        "target": "100",
        "comparison": "ge",
        "start": today.isoformat(),
        "deadline": goal_templates.add_months(today, 3).isoformat(),
        "param_within": "24h",
    }
    data.update(changes)
    return data


def test_the_template_prefills_the_form_and_one_post_creates_the_goal(
    history: ChannelAccount, people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    form = client.get("/goals/goals/new/?template=answer_within_24h").content.decode()
    today = timezone.localdate()
    assert 'value="100"' in form and 'value="24h"' in form
    assert f'value="{goal_templates.add_months(today, 3).isoformat()}"' in form
    response = client.post("/goals/goals/new/", _form_data())
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/goals/goals/{goal.pk}/"
    assert (goal.kpi, goal.params, goal.target) == ("first_response_within", {"within": "24h"}, 1.0)
    assert goal.deadline == goal_templates.add_months(today, 3)
    assert goal.owner == people["manager"]
    assert goal.baseline == pytest.approx(
        _share_within_a_day(
            today - timedelta(days=(goal.deadline - today).days + 1), today - timedelta(days=1)
        )
    )


def test_a_duration_target_is_stored_in_seconds_and_shown_back(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    form = client.get("/goals/goals/new/?kpi=first_response_median").content.decode()
    checked = re.search(r'<input type="radio" name="comparison" value="(\w+)"[^>]*checked', form)
    assert checked is not None and checked.group(1) == "le"  # a time: at most, by default
    share = client.get("/goals/goals/new/?kpi=sla_met_first_response").content.decode()
    checked = re.search(r'<input type="radio" name="comparison" value="(\w+)"[^>]*checked', share)
    assert checked is not None and checked.group(1) == "ge"
    data = _form_data(template="", kpi="first_response_median", target="90 min", comparison="le")
    data.pop("param_within")
    assert client.post("/goals/goals/new/", data).status_code == 302
    goal = Goal.objects.get()
    assert goal.target == 5400.0
    edit = client.get(f"/goals/goals/{goal.pk}/edit/").content.decode()
    assert 'value="90 min"' in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target", "1e309", "Enter a number"),
        ("target", "NaN", "Enter a number"),
        ("target", "-5", "between 0 % and 100 %"),
        ("target", "abc", "Enter a number"),
        ("target", "", "Enter the target"),
        ("name", "x" * 10_000, "Shorten the name to 200"),
        ("param_within", "\x00", ""),
        ("param_within", "9" * 400 + "d", ""),
        ("deadline", "2000-01-01", "deadline comes after the start"),
        ("start", "\x00", ""),
    ],
)
def test_hostile_input_is_refused_at_its_field_and_kept(
    people: dict[str, User],
    client_as: Callable[[str], Client],
    field: str,
    value: str,
    message: str,
) -> None:
    response = client_as("manager").post("/goals/goals/new/", _form_data(**{field: value}))
    assert response.status_code == 200
    assert Goal.objects.count() == 0
    form = response.context["form"]
    assert any(message in str(e) for e in form.errors.get(field, [])), form.errors
    if field == "target" and value:
        assert f'value="{value}"' in response.content.decode()  # what was typed stays


def test_a_nul_byte_never_reaches_the_stored_name(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client_as("manager").post("/goals/goals/new/", _form_data(name="Ziel\x00eins"))
    assert [g.name for g in Goal.objects.all()] in ([], ["Zieleins"])


def test_the_form_error_is_german_at_the_field(people: dict[str, User]) -> None:
    client = _german(Client(), people, "manager")
    response = client.post("/goals/goals/new/", _form_data(target="150"))
    text = response.content.decode()
    assert (
        "Ein Anteil liegt zwischen 0\u00a0% und 100\u00a0%." in text
        or "Ein Anteil liegt zwischen 0 % und 100 %." in text
    )
    assert 'value="150"' in text


# ------------------------------------------------------------------ who may do what
def test_members_and_agents_cannot_set_change_or_archive_goals(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    goal = _seed_goal(people)
    for role in ("member", "agent", "viewer"):
        client = client_as(role)
        assert client.post("/goals/goals/new/", _form_data()).status_code == 403
        assert (
            client.post(f"/goals/goals/{goal.pk}/edit/", _form_data(target="5")).status_code == 403
        )
        assert client.post(f"/goals/goals/{goal.pk}/archive/").status_code == 403
        assert client.post(f"/goals/goals/{goal.pk}/evaluate/").status_code == 403
    goal.refresh_from_db()
    assert goal.target == 1.0 and goal.archived_at is None and Goal.objects.count() == 1


def test_a_member_sees_only_the_goals_of_her_departments(
    people: dict[str, User], departments: dict[str, Department], client_as: Callable[[str], Client]
) -> None:
    legal = _seed_goal(people, name="Nur Recht", kpi="ideas_submitted", params={}, target=5)
    legal.departments.set([departments["Legal"]])
    mine = _seed_goal(people, name="Produktideen", kpi="ideas_submitted", params={}, target=5)
    mine.departments.set([departments["Product Development"]])
    member = client_as("member")
    page = member.get("/goals/goals/").content.decode()
    assert "Produktideen" in page and "Nur Recht" not in page
    assert member.get(f"/goals/goals/{legal.pk}/").status_code == 404
    assert member.get(f"/goals/goals/{mine.pk}/").status_code == 200
    assert client_as("manager").get(f"/goals/goals/{legal.pk}/").status_code == 200


def test_archive_and_bring_back(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    goal = _seed_goal(people)
    client = client_as("manager")
    client.post(f"/goals/goals/{goal.pk}/archive/", {"action": "archive"})
    assert f'href="/goals/goals/{goal.pk}/"' not in client.get("/goals/goals/").content.decode()
    archived = client.get("/goals/goals/?archived=1").content.decode()
    assert goal.name in archived and "Bring back" in archived
    client.post(f"/goals/goals/{goal.pk}/archive/", {"action": "back"})
    goal.refresh_from_db()
    assert goal.archived_at is None


def test_an_edit_changes_the_target_and_recomputes(
    history: ChannelAccount, people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    goal = _seed_goal(people)
    client = client_as("manager")
    data = _form_data(template="", target="70", start=goal.start.isoformat(),
                      deadline=goal.deadline.isoformat(), owner=str(people["agent"].pk))  # fmt: skip
    assert client.post(f"/goals/goals/{goal.pk}/edit/", data).status_code == 302
    goal.refresh_from_db()
    assert goal.target == pytest.approx(0.70) and goal.owner == people["agent"]
    assert goal.status == "on_track"  # 75 % measured against 70 %


def test_the_objectives_page_shows_the_goals_that_measure_each(
    people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    objective = objective_add(by=Acting(user=people["manager"]), title="Schnell antworten")
    goal = _seed_goal(people, objective=objective)
    page = client_as("member").get("/goals/objectives/").content.decode()
    assert f'href="/goals/goals/{goal.pk}/"' in page and f"goal-{goal.status}" in page


@pytest.mark.parametrize("target", ["9" * 90 + "h", "24 Stunden und mehr", "1e309 s", "-5 min"])
def test_a_hostile_duration_target_is_refused_at_its_field(
    people: dict[str, User], client_as: Callable[[str], Client], target: str
) -> None:
    data = _form_data(template="", kpi="first_response_median", target=target, comparison="le")
    response = client_as("manager").post("/goals/goals/new/", data)
    assert response.status_code == 200 and Goal.objects.count() == 0
    assert "target" in response.context["form"].errors


def test_the_form_offers_only_the_scopes_the_kpi_supports(
    history: ChannelAccount, people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    answers = client.get("/goals/goals/new/?kpi=first_response_within").context["form"]
    assert {"accounts", "departments", "business_hours"} <= set(answers.fields)
    assert "tags" not in answers.fields
    ideas = client.get("/goals/goals/new/?kpi=ideas_submitted").context["form"]
    assert "departments" in ideas.fields and "accounts" not in ideas.fields
    data = _form_data(template="", kpi="ideas_submitted", target="20",
                      departments=[str(Department.objects.get(name="Legal").pk)])  # fmt: skip
    data.pop("param_within")
    assert client.post("/goals/goals/new/", data).status_code == 302
    assert [d.name for d in Goal.objects.get().departments.all()] == ["Legal"]
