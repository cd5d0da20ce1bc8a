"""Figures of one moment (`kpis.one_moment`): a page of KPIs computes what its figures have in
common once, and every figure still equals its recomputation from the raw rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialdesk.accounts.models import User
from socialdesk.core.percentiles import in_database
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Scope
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import CASES, EXPECTED, PERIODS, bounds


@pytest.fixture
def history(db: None, people: dict[str, User]) -> dict[str, Any]:
    return kpi_history.build()


SLA_READS_PER_PERIOD = 1 if in_database() else 2


def _reads(queries: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in queries.captured_queries if f'"{table}"' in q["sql"])


def test_every_figure_of_one_moment_equals_its_recomputation(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    """All KPIs with their variants (targets 24 h, 2 h, 90 min side by side), over every
    period, for everyone and for a department member, in one moment: shared computations
    must not hand one figure another's result."""
    with kpis.one_moment(NOW):
        for user in (None, people["member"]):
            for name, params in CASES:
                if user is not None and kpis.get(name).family not in ("responses", "inbox"):
                    continue  # the recomputation narrows the conversations' figures only
                for period in PERIODS:
                    value = kpis.get(name).value(period, params=params, scope=Scope(user=user))
                    expected = EXPECTED[name](*bounds(period), params, user)
                    assert value == pytest.approx(expected), (name, params, period, user)


def test_a_page_of_kpis_reads_the_sla_clocks_and_first_responses_once_per_period(
    history: dict[str, Any],
) -> None:
    names = [name for name, _params in CASES if name in EXPECTED]
    period = PERIODS[0]

    def page() -> list[Any]:
        return [kpis.get(name).change(period, now=NOW) for name in names]

    with CaptureQueriesContext(connection) as alone:
        separately = page()
    with CaptureQueriesContext(connection) as together, kpis.one_moment(NOW):
        shared = page()
    assert shared == separately
    # seven SLA KPIs and three first-response KPIs, each over the period and the one before
    assert _reads(alone, "sla_slaoutcome") >= 14
    # together: per period the counts and the times of all seven in one read (on SQLite the
    # counting times are read in a query of their own)
    assert _reads(together, "sla_slaoutcome") == SLA_READS_PER_PERIOD * 2, [
        q["sql"] for q in together.captured_queries if "sla_slaoutcome" in q["sql"]
    ]
    assert _reads(alone, "inbox_conversation") > _reads(together, "inbox_conversation")


def test_one_moment_is_one_now_for_every_figure(history: dict[str, Any]) -> None:
    """Figures computed in one moment use its `now` (a question pending at NOW is not missed),
    and outside it each call takes the present again."""
    kpi = kpis.get("first_response_within")
    period = PERIODS[0]
    with kpis.one_moment(NOW):
        inside = kpi.value(period)
    assert inside == pytest.approx(EXPECTED["first_response_within"](*bounds(period), {}, None))
    assert inside == kpi.value(period, now=NOW)


def test_the_kpi_page_shows_the_figures_of_the_registry(
    history: dict[str, Any], client_as: Any
) -> None:
    """The page computes in one moment: its seven SLA rows read the clocks once (SQLite:
    twice) per period."""
    client: Client = client_as("manager")
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("goals:kpis"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert _reads(page, "sla_slaoutcome") == SLA_READS_PER_PERIOD * 2


def test_a_page_of_kpis_reads_the_organisation_once(
    history: dict[str, Any], client_as: Any
) -> None:
    """Every figure's period asks for the organisation's time zone; in one moment it is read
    once (it was one query per figure and period: 53 of the page's 87 queries)."""
    client: Client = client_as("manager")
    # the shell's (language, time zone), the moment's, and the dashboard's "today"
    for name, reads in (("goals:kpis", 2), ("goals:dashboard", 3)):
        client.get(reverse(name))  # sessions, caches
        with CaptureQueriesContext(connection) as page:
            response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert _reads(page, "accounts_organisation") == reads, name


def test_the_remembered_organisation_is_the_one_read_when_the_moment_began(
    db: None,
) -> None:
    from socialdesk.accounts.models import Organisation

    Organisation.objects.update_or_create(pk=1, defaults={"time_zone": "Europe/Berlin"})
    with Organisation.remembered(), CaptureQueriesContext(connection) as inside:
        Organisation.objects.filter(pk=1).update(time_zone="America/New_York")
        assert Organisation.current().time_zone == "Europe/Berlin"
    assert _reads(inside, "accounts_organisation") == 1  # the update, no read
    assert Organisation.current().time_zone == "America/New_York"  # outside: read again


def test_a_dashboard_reads_only_the_sla_clocks_it_shows(
    history: dict[str, Any], client_as: Any
) -> None:
    """The overview shows one SLA figure, the share of first-response clocks met: it reads that
    kind's clocks alone (the KPI page reads all), once per period. This week is going on: on
    PostgreSQL its past days are read with their counting times (kept in the shape every
    reader of those days keeps them in: `sla.outcome_kpi._past_days_and_today`, where a second
    view reads only today's clocks), today's clocks and the week before without them."""
    client: Client = client_as("manager")
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("goals:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    reads = [q["sql"] for q in page.captured_queries if '"sla_slaoutcome"' in q["sql"]]
    for sql in reads:
        assert "'first_response'" in sql
        assert "'next_response'" not in sql and "'resolution'" not in sql
    timed = [sql for sql in reads if "percentile" in sql.lower()]
    if connection.vendor == "postgresql":
        # the seven days before, this one's six past days, today: the overview's seven days
        # end with today, so six of them are always past (on a Monday too: not a calendar week)
        assert len(reads) == 3 and len(timed) == 1, reads
        assert re.search(r"started_at\" < '\d{4}-\d\d-\d\d 00:00:00", timed[0]), timed  # midnight
    else:  # SQLite keeps no days: a read per period
        assert len(reads) == 2 and not timed, reads
    with kpis.one_moment(NOW, every=False):
        alone = kpis.get("sla_met_first_response").value(PERIODS[0])
    with kpis.one_moment(NOW):
        together = kpis.get("sla_met_first_response").value(PERIODS[0])
    assert alone == together == kpis.get("sla_met_first_response").value(PERIODS[0], now=NOW)


def test_the_periods_of_a_page_are_computed_together_and_each_as_alone(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    """A page names its periods (`one_moment(periods=…)`): the first-response figures of all of
    them come from one statement on PostgreSQL (its parts run side by side; the days of past
    periods that changed from one more), each the same as computed alone, also for a period
    without any question and for a department member."""
    names = ["first_response_within", "first_response_median", "first_response_p90"]
    quiet = PERIODS[3]  # nothing happened
    pairs = [(PERIODS[0], PERIODS[0].previous()), (PERIODS[4], quiet)]
    for user in (None, people["member"]):
        scope = Scope(user=user)
        for period, other in pairs:
            alone = [
                kpis.get(name).value(p, scope=scope, now=NOW)
                for name in names
                for p in (period, other)
            ]
            with (
                CaptureQueriesContext(connection) as asked,
                kpis.one_moment(NOW, periods=(period, other)),
            ):
                together = [
                    kpis.get(name).value(p, scope=scope) for name in names for p in (period, other)
                ]
            assert together == pytest.approx(alone), (user, period, other)
            reads = [
                q["sql"] for q in asked.captured_queries if "first_response_seconds" in q["sql"]
            ]
            if in_database():  # the past periods' missing days at once, the others at once
                by_day = [sql for sql in reads if "DATE_TRUNC" in sql]
                assert reads and len(by_day) <= 1 and len(reads) - len(by_day) <= 1, reads
            else:  # SQLite: each period apart (its percentiles read two index positions each)
                assert not any("UNION" in sql for sql in reads)
    assert kpis.get("first_response_within").value(quiet, now=NOW) is None  # nothing decided


def test_the_kpi_page_reads_the_first_responses_of_both_periods_at_once(
    history: dict[str, Any], client_as: Any
) -> None:
    client: Client = client_as("manager")
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("goals:kpis"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    reads = [q["sql"] for q in page.captured_queries if "first_response_seconds" in q["sql"]]
    assert len(reads) == (1 if in_database() else 2 * 3), reads  # SQLite: counts, two ranks
