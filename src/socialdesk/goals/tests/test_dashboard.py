"""The dashboards: key figures and their change against raw recomputations, the scope of a
department member, the period and its validation, and no query per goal."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from socialdesk.accounts.models import User
from socialdesk.goals import kpis
from socialdesk.goals.dashboard_data import KEY_FIGURES
from socialdesk.goals.dashboard_period import days_in_words
from socialdesk.goals.kpis import Period
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import EXPECTED, bounds, inbound

NOVEMBER = {"range": "custom", "since": "2026-11-01", "until": "2026-11-29"}


@pytest.fixture
def history(db: None, people: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return kpi_history.build()


def german(client: Client, user: User) -> Client:
    user.language = "de"
    user.save(update_fields=["language"])
    return client


def figures_of(client: Client, url: str, query: dict[str, str]) -> dict[str, Any]:
    response = client.get(url, query)
    assert response.status_code == 200
    return {f.kpi.name: f for f in response.context["figures"].figures}


def expected(name: str, period: Period, user: User) -> float | None:
    params = dict(next(p for n, p, _k in KEY_FIGURES if n == name))
    start, end = bounds(period)
    return EXPECTED[name](start, end, params, user)


@pytest.mark.parametrize(
    ("query", "period", "comparison"),
    [
        (NOVEMBER, Period.of_days(date(2026, 11, 1), date(2026, 11, 29)),
         Period.of_days(date(2026, 10, 3), date(2026, 10, 31))),
        ({"range": "last_month"}, Period.of_days(date(2026, 10, 1), date(2026, 10, 31)),
         Period.of_days(date(2026, 8, 31), date(2026, 9, 30))),
        ({**NOVEMBER, "compare": "year"}, Period.of_days(date(2026, 11, 1), date(2026, 11, 29)),
         Period.of_days(date(2025, 11, 1), date(2025, 11, 29))),
        ({"range": "last_4_weeks"}, Period.of_days(date(2026, 11, 3), date(2026, 11, 30)),
         Period.of_days(date(2026, 10, 6), date(2026, 11, 2))),
    ],
)  # fmt: skip
def test_it_shows_each_key_figure_and_its_change_as_recomputed_from_raw_rows(
    history: dict[str, Any],
    people: dict[str, User],
    client_as: Callable[[str], Client],
    query: dict[str, str],
    period: Period,
    comparison: Period,
) -> None:
    manager = people["manager"]
    shown = figures_of(client_as("manager"), reverse("goals:dashboard"), query)
    names = [n for n, _p, _k in KEY_FIGURES]
    assert sorted(shown) == sorted(names)
    seen = 0
    for name in names:
        figure = shown[name]
        if name == "backlog_now":
            waiting = [c for c in history["conversations"] if c.waiting_for_us_since is not None]
            assert figure.value == len(waiting) == 2
            assert figure.previous is None
            continue
        want, before = expected(name, period, manager), expected(name, comparison, manager)
        assert figure.value == pytest.approx(want), name
        assert figure.previous == pytest.approx(before), name
        assert figure.text == figure.kpi.format(want)
        if want is not None and before is not None:
            assert figure.delta_text == figure.kpi.format_delta(want - before)
            seen += 1
    if query is NOVEMBER:
        assert seen >= 5  # the comparison is not empty: real changes are checked


def test_it_colours_the_change_by_the_kpis_direction(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    shown = figures_of(client_as("manager"), reverse("goals:dashboard"), NOVEMBER)
    median = shown["first_response_median"]  # a duration: lower is better
    assert median.value is not None and median.previous is not None
    assert median.trend == ("better" if median.value < median.previous else "worse")
    volume = shown["inbound_volume"]  # more messages: shown as "better" (up)
    assert volume.value is not None and volume.previous is not None
    assert volume.value != volume.previous
    assert volume.trend == ("better" if volume.value > volume.previous else "worse")


def test_a_member_counts_only_their_departments_conversations(
    history: dict[str, Any], people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    member = people["member"]  # Product Development
    client = client_as("member")
    shown = figures_of(client, reverse("goals:dashboard"), NOVEMBER)
    period = Period.of_days(date(2026, 11, 1), date(2026, 11, 29))
    start, end = bounds(period)
    everyone = len(inbound(start, end, None))
    theirs = len(inbound(start, end, member))
    assert shown["inbound_volume"].value == theirs == 2 < everyone
    assert shown["first_response_within"].value == pytest.approx(
        expected("first_response_within", period, member)
    )
    cs = history["departments"]["Customer Service"]
    pd = history["departments"]["Product Development"]
    assert client.get(reverse("goals:dashboard_department", args=[cs.pk])).status_code == 404
    assert client.get(reverse("goals:dashboard_department", args=[pd.pk])).status_code == 200
    manager = client_as("manager")
    assert manager.get(reverse("goals:dashboard_department", args=[cs.pk])).status_code == 200


def test_a_department_dashboard_narrows_the_figures_and_says_which_it_cannot(
    history: dict[str, Any], client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    pd = history["departments"]["Product Development"]
    url = reverse("goals:dashboard_department", args=[pd.pk])
    response = german(client_as("manager"), people["manager"]).get(url, NOVEMBER)
    figures = {f.kpi.name: f for f in response.context["figures"].figures}
    start, end = bounds(Period.of_days(date(2026, 11, 1), date(2026, 11, 29)))
    in_pd = [m for m in inbound(start, end, None) if m.conversation.department_id == pd.pk]
    assert figures["inbound_volume"].value == len(in_pd) == 2
    # First responses of Product Development's conversations only.
    from socialdesk.goals.tests.test_kpis_departments import OnlyDepartment

    expected = EXPECTED["first_response_within"](start, end, {}, OnlyDepartment(pd))  # type: ignore[arg-type]
    assert figures["first_response_within"].value == pytest.approx(expected)
    assert "posts_published" not in figures  # posts belong to channels
    assert "feedback_opened" in figures
    page = response.content.decode()
    assert "nicht auf eine Abteilung eingrenzen" in page
    assert 'id="series-inbound_volume"' in page or "series-inbound_volume" in page


def test_a_channel_dashboard_narrows_to_the_account(
    history: dict[str, Any], client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    nord = history["accounts"]["nord"]
    url = reverse("goals:dashboard_channel", args=[nord.pk])
    response = client_as("manager").get(url, NOVEMBER)
    figures = {f.kpi.name: f for f in response.context["figures"].figures}
    period = Period.of_days(date(2026, 11, 1), date(2026, 11, 29))
    start, end = bounds(period)
    in_nord = [m for m in inbound(start, end, None) if m.conversation.channel_account_id == nord.pk]
    assert figures["inbound_volume"].value == len(in_nord)
    want = kpis.get("posts_published").value(period, scope=kpis.Scope(accounts=("nord",)))
    assert figures["posts_published"].value == want == 2
    assert "feedback_opened" not in figures
    assert figures["first_response_within"].value == pytest.approx(
        kpis.get("first_response_within").value(
            period, params={"within": "24h"}, scope=kpis.Scope(accounts=("nord",)), now=NOW
        )
    )


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        (
            {"since": "2026-11-20", "until": "2026-11-10"},
            "until",
            "Das Enddatum liegt vor dem Startdatum.",
        ),
        ({"since": "2024-01-01", "until": "2026-11-10"}, "until", "höchstens zwei Jahre"),
        ({"since": "2026-11-01", "until": "2026-12-24"}, "until", "liegt in der Zukunft"),
        ({"since": "2026-12-01", "until": "2026-12-24"}, "since", "liegt in der Zukunft"),
        ({"since": "", "until": "2026-11-10"}, "since", "Geben Sie ein Datum"),
        ({"since": "gestern", "until": "2026-11-10"}, "since", "gültiges Datum"),
    ],
)
def test_it_refuses_a_wrong_period_at_the_field_in_german(
    history: dict[str, Any],
    client_as: Callable[[str], Client],
    people: dict[str, User],
    query: dict[str, str],
    field: str,
    words: str,
) -> None:
    client = german(client_as("manager"), people["manager"])
    response = client.get(reverse("goals:dashboard"), {"range": "custom", **query})
    assert response.status_code == 200
    form = response.context["form"]
    assert any(words in e for e in form.errors[field]), form.errors
    page = response.content.decode()
    assert f'id="id_{field}-errors"' in page
    assert words in page
    # The figures fall back to the last 7 days and say so.
    assert response.context["choice"].preset == "last_7_days"


def test_it_tells_the_period_and_the_comparison_in_words(
    history: dict[str, Any], client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    page = client_as("manager").get(reverse("goals:dashboard"), NOVEMBER).content.decode()
    assert "1–29 Nov 2026, compared with 3–31 Oct 2026" in page
    client = german(client_as("manager"), people["manager"])
    page = client.get(reverse("goals:dashboard"), NOVEMBER).content.decode()
    assert "1.–29.11.2026, verglichen mit 3.–31.10.2026" in page
    with translation.override("de"):
        assert "1.–29.11.2026, verglichen mit 3.–31.10.2026" in page
        assert days_in_words(date(2026, 12, 20), date(2027, 1, 3)) == "20.12.2026–3.1.2027"
        assert days_in_words(date(2026, 10, 20), date(2026, 11, 3)) == "20.10.–3.11.2026"


def test_the_goals_area_opens_on_the_overview(
    history: dict[str, Any], client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    client = german(client_as("manager"), people["manager"])
    response = client.get("/goals/")
    assert response.status_code == 302
    assert response["Location"] == reverse("goals:dashboard")
    page = client.get(reverse("goals:dashboard")).content.decode()
    nav = re.search(r'class="sub-nav.*?</nav>', page, re.S)
    assert nav is not None, "no subnavigation"
    first = re.search(r"<a [^>]*>([^<]+)</a>", nav.group(0))
    assert first is not None and first.group(1).strip() == "Übersicht"


def test_it_says_what_to_do_when_there_is_nothing_yet(
    db: None, client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    client = german(client_as("manager"), people["manager"])
    page = client.get(reverse("goals:dashboard")).content.decode()
    assert 'id="no-goals"' in page and reverse("goals:goals") in page
    assert 'id="no-channels"' in page and reverse("shell:settings") in page


def _goal(people: dict[str, User], n: int) -> None:
    from socialdesk.accounts.audit import Acting
    from socialdesk.goals.goal_services import goal_create

    goal_create(
        by=Acting(user=people["manager"]),
        name=f"Ziel {n}",
        kpi="inbound_volume",
        params={},
        target=10.0 + n,
        start=date(2026, 11, 1),
        deadline=date(2026, 12, 31),
        now=NOW,
    )


def test_it_reads_the_goals_stored_figures_without_a_query_per_goal(
    history: dict[str, Any],
    people: dict[str, User],
    client_as: Callable[[str], Client],
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    client = client_as("manager")
    _goal(people, 1)
    url = reverse("goals:dashboard")
    client.get(url, NOVEMBER)  # sessions, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url, NOVEMBER)
    for n in range(2, 8):
        _goal(people, n)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(url, NOVEMBER)
    assert len(response.context["goals"]) == 7
    assert len(seven) == len(one), "a query per goal"
    with django_assert_max_num_queries(90):
        client.get(url, NOVEMBER)
    # Stored figures: opening the page does not evaluate a goal.
    from socialdesk.goals.goal_models import Goal

    stamps = set(Goal.objects.values_list("evaluated_at", flat=True))
    client.get(url, NOVEMBER)
    assert set(Goal.objects.values_list("evaluated_at", flat=True)) == stamps


def test_each_kpi_is_computed_once_per_period(
    history: dict[str, Any], client_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, datetime]] = []
    for name, _p, _k in KEY_FIGURES:
        kpi = kpis.get(name)
        assert kpi.compute is not None
        original = kpi.compute

        def counting(query: Any, name: str = name, original: Any = original) -> Any:
            calls.append((name, query.start))
            return original(query)

        monkeypatch.setitem(kpis.REGISTRY, name, dataclasses.replace(kpi, compute=counting))
    client_as("manager").get(reverse("goals:dashboard"), NOVEMBER)
    assert len(calls) == len(set(calls))
    assert len(calls) == 2 * len(KEY_FIGURES) - 1  # the backlog has no comparison


HOSTILE = [
    "\x00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "NaN",
    "1" * 400,
    "-1",
    "2026-11-01\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_values_are_refused_at_the_field_or_ignored(
    history: dict[str, Any], client_as: Callable[[str], Client], value: str
) -> None:
    client = client_as("manager")
    for query in (
        {"range": "custom", "since": value, "until": "2026-11-10"},
        {"range": "custom", "since": "2026-11-01", "until": value},
        {"range": value, "compare": value},
    ):
        response = client.get(reverse("goals:dashboard"), query)
        assert response.status_code == 200
        if "\x00" not in value:  # NUL: the request's query is cleaned before the view
            assert response.context["form"].errors, query
    for name in ("inbox:list", "feedback:items", "publishing:posts", "publishing:ideas"):
        query = {"since": value, "until": value, "account": value, "event": value}
        response = client.get(reverse(name), {**query, "status": "all", "overdue": value})
        assert response.status_code == 200, (name, value)
