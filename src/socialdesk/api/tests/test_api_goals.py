"""The KPI and goals API: figures counted by hand from the rows written here, the token's
person as the scope, the goal pages' roles, and a 422 naming the field for every hostile value
(nothing stored), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.api.tests.conftest import Api
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals.goal_models import Goal
from socialdesk.inbox.models import Conversation, Direction, Message

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 15)  # two whole weeks, Monday to Sunday


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


def _fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.content[:800]
    return set(response.json()["errors"])


@pytest.fixture
def questions(db: None, departments: dict[str, Department]) -> ChannelAccount:
    """Inbound questions at noon (UTC): Customer Service one a day 2–15 November, Product
    Development on 3, 4 and 10 November; two more on 1 November (the week before)."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    days = [(SINCE + timedelta(days=n), "Customer Service") for n in range(14)]
    days += [(date(2026, 11, d), "Product Development") for d in (3, 4, 10)]
    days += [(date(2026, 11, 1), "Customer Service"), (date(2026, 10, 31), "Legal")]
    for n, (day, department) in enumerate(days):
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        conversation = Conversation.objects.create(
            channel_account=account,
            department=departments[department],
            first_message_at=at,
            first_message_inbound=True,
            needs_reply=True,
            first_response_at=at + timedelta(hours=3 if n % 2 else 30),
            first_response_seconds=3 * 3600 if n % 2 else 30 * 3600,
            last_message_at=at,
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
    return account


# ------------------------------------------------------------------ KPIs
def test_the_registry_lists_every_kpi_with_params_unit_scopes_and_availability(
    api_as: Api,
) -> None:
    response = api_as("viewer").get("/api/v1/kpis")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    first = rows["first_response_within"]
    assert first["unit"] == "share" and first["available"] is True
    assert [p["name"] for p in first["params"]] == ["within"]
    assert first["params"][0]["default"] == "24h"
    assert "accounts" in first["scopes"]
    assert all(set(r) >= {"params", "unit", "scopes", "available", "reason"} for r in rows.values())
    assert len(rows) >= 24


def test_a_kpi_counts_what_the_tokens_person_may_see(api_as: Api, questions: Any) -> None:
    query = f"since={SINCE}&until={UNTIL}&by=week"
    manager = api_as("manager").get(f"/api/v1/kpis/inbound_volume?{query}")
    assert manager.status_code == 200, manager.content
    body = manager.json()
    # By hand: 14 (Customer Service) + 3 (Product Development); the week before: 1 + 1.
    assert (body["value"], body["previous"], body["change"]) == (17.0, 2.0, 15.0)
    assert [p["value"] for p in body["series"]] == [9.0, 8.0]  # 7 + 2, 7 + 1
    assert (
        body["series"][0]["start"] == "2026-11-02"
        and body["series"][1]["until"] == UNTIL.isoformat()
    )
    member = api_as("member").get(f"/api/v1/kpis/inbound_volume?{query}").json()
    assert (member["value"], member["previous"]) == (3.0, 0.0)  # Product Development only
    assert [p["value"] for p in member["series"]] == [2.0, 1.0]


def test_a_kpi_takes_its_parameters_as_param_dot_name(api_as: Api, questions: Any) -> None:
    path = f"/api/v1/kpis/first_response_within?since={SINCE}&until={UNTIL}"
    rows = Conversation.objects.filter(
        first_message_at__gte=datetime(2026, 11, 1, 23, tzinfo=UTC),
        first_message_at__lt=datetime(2026, 11, 15, 23, tzinfo=UTC),
    )
    within_day = sum(1 for c in rows if (c.first_response_seconds or 0) <= 86400) / rows.count()
    body = api_as("agent").get(path + "&param.within=24h").json()
    assert body["value"] == pytest.approx(within_day) and body["params"] == {"within": "24h"}
    assert body["value_text"].endswith("%")
    wide = api_as("agent").get(path + "&param.within=2d").json()
    assert wide["value"] == 1.0
    assert _fields(api_as("agent").get(path + "&param.within=soon")) == {"params"}
    assert _fields(api_as("agent").get(path + "&param.nope=1")) == {"params"}
    assert _fields(api_as("agent").get(path + "&param.within=%00")) == {"param.within"}
    assert _fields(api_as("agent").get(path + "&by=year")) == {"by"}
    assert _fields(api_as("agent").get(path + "&since=2026-02-30")) == {"since"}
    assert _fields(
        api_as("agent").get(f"/api/v1/kpis/inbound_volume?since={UNTIL}&until={SINCE}")
    ) == {"since"}
    assert api_as("agent").get("/api/v1/kpis/nope").status_code == 404


# ------------------------------------------------------------------ goals
def _goal_body(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    body: dict[str, Any] = {
        "name": "Alle Fragen binnen 24 Stunden",
        "kpi": "first_response_within",
        "params": {"within": "24h"},
        "target": "95%",
        "start": (today - timedelta(days=7)).isoformat(),
        "deadline": (today + timedelta(days=83)).isoformat(),
    }
    body.update(changes)
    return body


def test_a_manager_sets_changes_and_archives_a_goal_and_everyone_reads_it(
    api_as: Api, people: dict[str, User], departments: dict[str, Department], questions: Any
) -> None:
    manager = api_as("manager")
    made = _post(manager, "/api/v1/goals", _goal_body(owner_id=people["agent"].pk))
    assert made.status_code == 201, made.content
    goal = made.json()
    assert goal["target"] == 0.95 and goal["owner"] == people["agent"].email
    assert goal["status"] in {"not_started", "on_track", "at_risk", "off_track"}
    assert AuditEvent.objects.filter(action="goal.created", actor=people["manager"]).exists()
    for role in ("admin", "agent", "member", "viewer"):
        listed = api_as(role).get("/api/v1/goals").json()
        assert [g["name"] for g in listed] == ["Alle Fragen binnen 24 Stunden"], role
    changed = _patch(manager, f"/api/v1/goals/{goal['id']}", {"target": 0.9, "comparison": "ge"})
    assert changed.status_code == 200 and changed.json()["target"] == 0.9
    narrowed = _patch(
        manager,
        f"/api/v1/goals/{goal['id']}",
        {"kpi": "inbound_volume", "params": {}, "target": 40,
         "department_ids": [departments["Customer Service"].pk]},
    )  # fmt: skip
    assert narrowed.status_code == 200, narrowed.content
    assert narrowed.json()["departments"] == [
        {"id": departments["Customer Service"].pk, "name": "Customer Service"}
    ]
    # A member of Product Development no longer sees a goal of Customer Service.
    assert api_as("member").get("/api/v1/goals").json() == []
    assert api_as("member").get(f"/api/v1/goals/{goal['id']}").status_code == 404
    assert manager.delete(f"/api/v1/goals/{goal['id']}").status_code == 204
    assert manager.get("/api/v1/goals").json() == []
    [archived] = manager.get("/api/v1/goals?archived=true").json()
    assert archived["archived"] is True


def test_a_goal_keeps_the_figures_counted_by_hand(api_as: Api, questions: Any) -> None:
    today = timezone.localdate()
    start = SINCE
    made = _post(
        api_as("admin"),
        "/api/v1/goals",
        _goal_body(kpi="inbound_volume", params={}, target=100, start=start.isoformat(),
                   deadline=(today + timedelta(days=30)).isoformat()),
    )  # fmt: skip
    assert made.status_code == 201, made.content
    goal = made.json()
    # Since 2 November: 14 + 3 (nothing after 15 November).
    assert goal["current"] == 17.0
    # The same length just before the start: counted from the rows.
    days = (today + timedelta(days=30) - start).days + 1
    before = datetime(2026, 11, 1, 23, tzinfo=UTC) - timedelta(days=days)
    assert (
        goal["baseline"]
        == Message.objects.filter(
            created_at__gte=before, created_at__lt=datetime(2026, 11, 1, 23, tzinfo=UTC)
        ).count()
        == 2
    )


@pytest.mark.parametrize("role", ["agent", "member", "viewer"])
def test_only_managers_and_admins_write_goals(
    api_as: Api, people: dict[str, User], role: str
) -> None:
    client = api_as(role)
    assert _post(client, "/api/v1/goals", _goal_body()).status_code == 403
    made = _post(api_as("manager"), "/api/v1/goals", _goal_body()).json()
    assert _patch(client, f"/api/v1/goals/{made['id']}", {"target": 0.5}).status_code == 403
    assert client.delete(f"/api/v1/goals/{made['id']}").status_code == 403
    assert Goal.objects.get().target == 0.95 and Goal.objects.get().archived_at is None


HOSTILE: list[tuple[dict[str, Any], set[str]]] = [
    ({"name": "Ziel\x00"}, {"name"}),
    ({"name": "n" * 2_000_000}, {"name"}),
    ({"name": "n" * 201}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"target": 1e308}, {"target"}),
    ({"target": "1e308"}, {"target"}),
    ({"target": "Infinity"}, {"target"}),
    ({"target": "NaN"}, {"target"}),
    ({"target": "150%"}, {"target"}),
    ({"target": "viel"}, {"target"}),
    ({"target": True}, {"target"}),
    ({"kpi": "followers_on_mars"}, {"kpi"}),
    ({"kpi": "k\x00"}, {"kpi"}),
    ({"deadline": "2026-01-01", "start": "2026-02-01"}, {"deadline"}),
    ({"deadline": "2026-02-30"}, {"deadline"}),
    ({"params": {"within": "soon"}}, {"params"}),
    ({"comparison": "gt"}, {"comparison"}),
    ({"accounts": [f"a{n}" for n in range(10_000)]}, {"accounts"}),
    ({"accounts": [f"a{n}" for n in range(51)]}, {"accounts"}),
    ({"tags": ["x" * 101]}, {"tags"}),
    ({"department_ids": [2**63]}, {"department_ids"}),
    ({"department_ids": [999_999]}, {"department_ids"}),
    ({"owner_id": 999_999, "target": "NaN", "name": ""}, {"owner_id", "target", "name"}),
]


@pytest.mark.parametrize(("changes", "fields"), HOSTILE)
def test_every_hostile_value_is_a_422_naming_the_field_and_nothing_is_stored(
    api_as: Api, people: dict[str, User], changes: dict[str, Any], fields: set[str]
) -> None:
    manager = api_as("manager")
    response = _post(manager, "/api/v1/goals", _goal_body(**changes))
    named = {f.split(".")[0] for f in _fields(response)}
    assert named == fields, response.content[:800]
    assert Goal.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="goal.").exists()


def test_a_ten_megabyte_name_is_refused_before_it_is_read(
    api_as: Api, people: dict[str, User]
) -> None:
    response = _post(api_as("manager"), "/api/v1/goals", _goal_body(name="n" * 10_000_000))
    assert response.status_code == 413  # the house limit of a request body, said as JSON
    assert response.json()["detail"] == "The request body is too large."
    assert Goal.objects.count() == 0


def test_a_nan_literal_in_the_json_body_is_refused(api_as: Api, people: dict[str, User]) -> None:
    body = json.dumps(_goal_body(target=0.5)).replace("0.5", "NaN")
    response = api_as("manager").post("/api/v1/goals", body, content_type="application/json")
    assert _fields(response) == {"target"}
    assert Goal.objects.count() == 0


def test_a_hostile_change_is_refused_and_the_goal_stays(
    api_as: Api, people: dict[str, User]
) -> None:
    manager = api_as("manager")
    made = _post(manager, "/api/v1/goals", _goal_body()).json()
    path = f"/api/v1/goals/{made['id']}"
    assert _fields(_patch(manager, path, {"target": "Infinity"})) == {"target"}
    assert _fields(_patch(manager, path, {"deadline": "2000-01-01"})) == {"deadline"}
    assert _fields(_patch(manager, path, {"name": None})) == {"name"}
    assert _fields(_patch(manager, path, {"name": "x\x00"})) == {"name"}
    assert _fields(_patch(manager, path, {"kpi": "nope", "target": "24h"})) == {"kpi", "target"}
    goal = Goal.objects.get()
    assert (goal.target, goal.name, goal.kpi) == (0.95, made["name"], "first_response_within")
    assert manager.get(f"/api/v1/goals/{2**63}").status_code == 422


def test_the_fields_are_named_in_the_callers_language(api_as: Api, people: dict[str, User]) -> None:
    german = api_as("manager", **{"Accept-Language": "de"})
    response = _post(german, "/api/v1/goals", _goal_body(target="24h", deadline="2020-01-01"))
    errors = response.json()["errors"]
    assert set(errors) == {"target", "deadline"}
    assert "Frist" in " ".join(errors["deadline"]) or "Beginn" in " ".join(errors["deadline"])
    assert "Zahl" in " ".join(errors["target"])
